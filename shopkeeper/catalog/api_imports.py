"""Staff endpoints for product import and export: upload a sheet, poll its job, download sheets.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shopkeeper.catalog import services
from shopkeeper.catalog.enums import ImportJobStatus
from shopkeeper.catalog.models import ImportJob
from shopkeeper.catalog.services.imports import FORMATS, RUNNING, UPLOAD_LIMIT_BYTES
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ErrorCode, ShopkeeperError, ValidationFailed
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import IMPORT_PRODUCTS
from shopkeeper.core.services import ActorContext

router = Router(tags=["catalog import/export (staff)"])

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class FileTooLarge(ShopkeeperError):
    """An upload over the size limit: 413, in the API's usual error shape."""

    code = ErrorCode.VALIDATION

    @property
    def status(self) -> int:
        return 413


class ImportErrorOut(Schema):
    row: int
    column: str
    field: str
    message: str


class ImportJobOut(Schema):
    id: int
    status: str
    status_label: str
    finished: bool
    file_name: str
    total_rows: int
    processed_rows: int  # rows checked, then rows the write has gone through
    phase: str  # waiting, reading, checking, writing or finished
    products_total: int  # while writing: products the file creates or changes
    products_written: int  # while writing: of those, written so far
    created_at: datetime
    finished_at: datetime | None
    created_by: str | None
    summary: dict[str, int]
    error_count: int
    errors_truncated: bool
    message: str
    errors: list[ImportErrorOut]


class ExportFilters(Schema):
    status: str | None = None
    tier: str | None = None
    category_id: int | None = None
    scene_id: int | None = None
    brand_id: int | None = None
    compliance: bool | None = None
    max_sales: int | None = None
    q: str | None = None


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def job_out(job: ImportJob) -> ImportJobOut:
    report: dict[str, Any] = job.report or {}
    raw_errors = report.get("errors", [])
    lines = services.import_job_errors(job)
    progress = services.import_job_progress(job)
    writing = progress.phase == services.ImportPhase.WRITING
    return ImportJobOut(
        id=job.pk,
        status=job.status,
        status_label=str(ImportJobStatus(job.status).label),
        finished=job.status not in RUNNING,
        file_name=job.file_name,
        total_rows=job.total_rows,
        processed_rows=progress.rows,
        phase=progress.phase.value,
        products_total=progress.total if writing else 0,
        products_written=progress.done if writing else 0,
        created_at=job.created_at,
        finished_at=job.finished_at,
        created_by=job.created_by.username if job.created_by else None,
        summary={str(key): int(value) for key, value in report.get("summary", {}).items()},
        error_count=int(report.get("error_count", 0)),
        errors_truncated=bool(report.get("truncated", False)),
        message=str(report.get("message", "")),
        errors=[
            ImportErrorOut(row=line.row, column=line.column, field=str(raw.get("field", "")), message=line.message)
            for line, raw in zip(lines, raw_errors, strict=False)
        ],
    )


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed("format must be xlsx or csv", details={"format": fmt})
    return fmt


def sheet_response(content: bytes, fmt: str, stem: str) -> HttpResponse:
    """A download; the file name carries the date so repeated exports do not overwrite each other."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/imports", response={202: ImportJobOut}, summary="Upload an .xlsx or .csv to import (a job)")
@requires(IMPORT_PRODUCTS, api=True)
def import_create(request: HttpRequest, file: File[UploadedFile]) -> Status[ImportJobOut]:
    """Every row is checked before anything is written; any bad row and nothing is imported.
    Poll `GET /catalog/imports/{id}` until `finished` is true."""
    if (file.size or 0) > UPLOAD_LIMIT_BYTES:
        limit = UPLOAD_LIMIT_BYTES // (1024 * 1024)
        raise FileTooLarge(
            f"The file is larger than {limit} MB; split it into several files",
            details={"file": file.name, "bytes": file.size, "limit_bytes": UPLOAD_LIMIT_BYTES},
        )
    content = file.read(UPLOAD_LIMIT_BYTES + 1)
    job = services.import_job_create(actor=_actor(request), file_name=file.name or "", content=content)
    return Status(202, job_out(services.import_job_get(job_id=job.pk)))


@router.get("/imports", response=list[ImportJobOut], summary="Recent import jobs, newest first")
@requires(IMPORT_PRODUCTS, api=True)
def import_list(request: HttpRequest, limit: int = 20) -> list[ImportJobOut]:
    return [job_out(job) for job in services.import_jobs_recent(limit=max(1, min(limit, 100)))]


@router.get("/imports/{job_id}", response=ImportJobOut, summary="One import job: progress, then its report")
@requires(IMPORT_PRODUCTS, api=True)
def import_get(request: HttpRequest, job_id: int) -> ImportJobOut:
    return job_out(services.import_job_get(job_id=job_id))


@router.get("/export", summary="Products as .xlsx or .csv in the import's columns (product-list filters)")
@requires(IMPORT_PRODUCTS, api=True)
def export(request: HttpRequest, filters: Query[ExportFilters], format: str = "xlsx") -> HttpResponse:
    fmt = _check_format(format)
    values = filters.dict()
    query = values.pop("q", None)
    chosen = {key: value for key, value in values.items() if value is not None}
    if query:
        chosen["query"] = query
    content = services.export_products(queryset_or_filters=chosen, fmt=fmt, actor=_actor(request))
    return sheet_response(content, fmt, "products")


@router.get("/import-template", summary="An empty import sheet with the column headers")
@requires(IMPORT_PRODUCTS, api=True)
def import_template(request: HttpRequest, format: str = "xlsx") -> HttpResponse:
    fmt = _check_format(format)
    return sheet_response(services.import_template(fmt=fmt), fmt, "import-template")
