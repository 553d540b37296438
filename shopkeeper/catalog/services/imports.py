"""Product import and export: .xlsx or .csv, one row per SKU (columns in `domain/import_rows.py`).

An import is a job. `import_job_create` stores the upload under MEDIA_ROOT/imports/ and queues
`catalog.import_run` on commit; `import_job_run` then

1. reads the file (refusing more than 10 MB or 20,000 rows) and checks **every** row against the
   catalog without writing anything (status *validating*); any bad row rejects the whole file
   with a report of each bad row and column (status *rejected*);
2. otherwise writes everything in **one** transaction through the product services
   (`product_create` / `product_update` / `product_list` / `product_delist`), so the result is
   all or nothing (status *importing*, then *done*).

The console and the API show progress through both phases while the job runs: rows checked,
then products written (`services/import_progress.py` says how it stays visible while the
transaction is open, on SQLite as on PostgreSQL). The search index is written once, for every
product the import touched, at the end of the same transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import partial
from pathlib import PurePosixPath
from time import perf_counter
from typing import Any
from uuid import uuid4

import openpyxl
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from shopkeeper.catalog.domain.compliance import BannedTerm, ComplianceChecker
from shopkeeper.catalog.domain.import_rows import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    CatalogFacts,
    CatalogNames,
    CategoryNode,
    Cell,
    ExistingProduct,
    ExistingSku,
    Field,
    HeaderMap,
    ImportPlan,
    Named,
    Problem,
    ProductPlan,
    RowError,
    Sheet,
    SheetRefused,
    export_header,
    export_rows,
    map_header,
    plan_import,
    sheet_from_rows,
    sheet_sku_codes,
)
from shopkeeper.catalog.domain.lifecycle import Action, Status
from shopkeeper.catalog.enums import ImageKind, ImportJobKind, ImportJobStatus
from shopkeeper.catalog.models import (
    BannedWord,
    Brand,
    Category,
    ImportJob,
    Product,
    ProductImage,
    QualificationDocument,
    Scene,
    Sku,
)
from shopkeeper.catalog.services.import_progress import WriteProgress, import_progress_clear
from shopkeeper.catalog.services.listing import listing_problem_message
from shopkeeper.catalog.services.products import (
    ProductInput,
    QualificationInput,
    SkuInput,
    _lock,
    product_create,
    product_delist,
    product_list,
    product_update,
)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record

logger = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv")
UPLOAD_LIMIT_BYTES = MAX_FILE_BYTES  # the API and the console refuse larger uploads before reading them
PROGRESS_EVERY = 100  # rows between two progress writes
BATCH = 500  # ids per query when loading products
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a 10 MB .xlsx that unpacks beyond this is a zip bomb
# CSV only: a text starting with one of these could run as a formula when the file is opened, so
# export puts a "'" in front (of a leading "'" too) and import takes exactly one off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
RUNNING = (ImportJobStatus.PENDING, ImportJobStatus.VALIDATING, ImportJobStatus.IMPORTING)

MESSAGES: dict[Problem, Promise] = {
    Problem.FILE_UNREADABLE: gettext_lazy("The file cannot be read as %(format)s."),
    Problem.FILE_TOO_LARGE: gettext_lazy("The file is larger than %(limit)s MB."),
    Problem.TOO_MANY_ROWS: gettext_lazy("The file has more than %(limit)s rows; split it into several files."),
    Problem.NO_HEADER: gettext_lazy("The file is empty: its first row must hold the column headers."),
    Problem.NO_ROWS: gettext_lazy("The file has column headers but no rows."),
    Problem.UNKNOWN_COLUMN: gettext_lazy("Unknown column “%(header)s”."),
    Problem.DUPLICATE_COLUMN: gettext_lazy("The column “%(header)s” repeats “%(other)s”."),
    Problem.MISSING_COLUMN: gettext_lazy("The column “%(header)s” is missing."),
    Problem.REQUIRED: gettext_lazy("Required."),
    Problem.NEEDS_COLUMN: gettext_lazy("A new product or SKU needs the column “%(header)s”."),
    Problem.TOO_LONG: gettext_lazy("At most %(max)s characters."),
    Problem.NOT_A_NUMBER: gettext_lazy("“%(value)s” is not a number."),
    Problem.NOT_WHOLE: gettext_lazy("“%(value)s” is not a whole number."),
    Problem.FEN_FRACTION: gettext_lazy("“%(value)s” has a fraction of a fen: use at most two decimals."),
    Problem.NOT_POSITIVE: gettext_lazy("Must be above zero."),
    Problem.NEGATIVE: gettext_lazy("Cannot be negative."),
    Problem.TOO_LARGE: gettext_lazy("At most %(max)s."),
    Problem.UNKNOWN_BRAND: gettext_lazy("No brand is called “%(value)s”."),
    Problem.UNKNOWN_CATEGORY: gettext_lazy("No category “%(value)s”: write its path, e.g. 服饰/女装/连衣裙."),
    Problem.AMBIGUOUS_CATEGORY: gettext_lazy("Several categories are called “%(value)s” (%(paths)s): write the path."),
    Problem.UNKNOWN_SCENE: gettext_lazy("No scene is called “%(value)s”."),
    Problem.UNKNOWN_TIER: gettext_lazy("Unknown tier “%(value)s”: use 爆款, 利润品 or 长尾品."),
    Problem.UNKNOWN_STATUS: gettext_lazy("Unknown status “%(value)s”: use 草稿, 上架 or 下架."),
    Problem.SPEC_FORMAT: gettext_lazy("Write specs as name:value|name:value, not “%(value)s”."),
    Problem.SPEC_NAME_REPEATS: gettext_lazy("The spec “%(name)s” appears twice."),
    Problem.SPEC_NAMES_DIFFER: gettext_lazy("Give the specs %(names)s, as on row %(row)s."),
    Problem.SPECS_REPEAT: gettext_lazy("The same spec values as row %(row)s."),
    Problem.DUPLICATE_SKU: gettext_lazy("The SKU code %(code)s is also on row %(row)s."),
    Problem.SKU_OF_OTHER_PRODUCT: gettext_lazy("The SKU code %(code)s belongs to another product (ID %(product)s)."),
    Problem.PRODUCT_UNDER_TWO_KEYS: gettext_lazy(
        "These SKUs belong to product ID %(product)s, which the rows of product key %(key)s already update: "
        "use one key per product."
    ),
    Problem.INCONSISTENT: gettext_lazy("Differs from row %(row)s of the same product."),
    Problem.BANNED_WORD: gettext_lazy("Contains the banned word “%(word)s”, which a listed product cannot."),
    Problem.SALE_ABOVE_LIST: gettext_lazy("The sale price is above the list price, which a listed product cannot."),
    Problem.NO_MAIN_IMAGE: gettext_lazy("A listed product needs at least one main image."),
    Problem.QUALIFICATION_EXPIRED: gettext_lazy(
        "%(count)s qualification document(s) expired: renew them before listing."
    ),
    Problem.NOT_LISTABLE: gettext_lazy("Cannot be listed. %(problem)s"),
    Problem.WRITE_REFUSED: gettext_lazy("Refused while saving, so nothing was imported: %(reason)s"),
}


def problem_message(problem: str, params: Mapping[str, Any]) -> str:
    """The message for a problem code in the active language (the console re-renders stored reports)."""
    try:
        template = MESSAGES[Problem(problem)]
    except ValueError:
        return problem
    if problem == Problem.NOT_LISTABLE:  # params carry the lifecycle's own code and values
        params = {"problem": listing_problem_message(str(params.get("problem", "")), params)}
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return str(template)


# --- reading files --------------------------------------------------------------------------


def file_format(file_name: str) -> str | None:
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower()
    return {".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv"}.get(suffix)


def _refused(problem: Problem, **params: str | int) -> SheetRefused:
    return SheetRefused(RowError(1, None, problem, params))


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | Decimal | date | time | timedelta):
        return value
    return str(value)  # anything else openpyxl may hand back (an error value, rich text)


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Cell]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise _refused(Problem.FILE_UNREADABLE, format=".xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except SheetRefused:
        raise
    except Exception:  # untrusted input: any failure to open it is the file's fault
        logger.info("unreadable .xlsx upload", exc_info=True)
        raise _refused(Problem.FILE_UNREADABLE, format=".xlsx") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong used range; read what is there
        for values in sheet.iter_rows(values_only=True):
            yield tuple(_cell(value) for value in values)
    finally:
        workbook.close()


def _decode_csv(content: bytes) -> str:
    """UTF-8 with or without BOM; otherwise GB18030 (a superset of GBK, what Excel in China saves)."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise _refused(Problem.FILE_UNREADABLE, format="CSV (UTF-8 / GB18030)") from None


def _csv_rows(content: bytes) -> Iterator[Sequence[Cell]]:
    text = _decode_csv(content)
    try:
        for cells in csv.reader(io.StringIO(text, newline="")):
            yield [cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START else cell for cell in cells]
    except csv.Error:
        raise _refused(Problem.FILE_UNREADABLE, format="CSV") from None


def read_sheet(content: bytes, file_name: str) -> Sheet:
    """The file's first sheet (or the CSV) as rows; raises SheetRefused with the reason."""
    if len(content) > MAX_FILE_BYTES:
        raise _refused(Problem.FILE_TOO_LARGE, limit=MAX_FILE_BYTES // (1024 * 1024))
    kind = file_format(file_name) or ("xlsx" if content.startswith(b"PK\x03\x04") else None)
    if kind is None:
        raise _refused(Problem.FILE_UNREADABLE, format=".xlsx / .csv")
    rows = _xlsx_rows(content) if kind == "xlsx" else _csv_rows(content)
    try:
        return sheet_from_rows(rows, max_rows=MAX_ROWS)
    except SheetRefused:
        raise
    except Exception:  # a corrupt sheet that opened but fails half-way through
        logger.info("unreadable upload", exc_info=True)
        raise _refused(Problem.FILE_UNREADABLE, format=f".{kind}") from None


# --- what the checks need from the catalog --------------------------------------------------


def catalog_names() -> CatalogNames:
    """Every brand, category (with its path of names) and scene: three small queries."""
    paths: dict[int, tuple[str, ...]] = {}
    nodes = []
    for category in Category.objects.order_by("path").only("pk", "name", "name_en", "parent_id"):
        paths[category.pk] = (*paths.get(category.parent_id or 0, ()), category.name)  # parents sort first
        nodes.append(CategoryNode(id=category.pk, path=paths[category.pk], name_en=category.name_en))
    return CatalogNames(
        brands=[Named(pk, name, name_en) for pk, name, name_en in Brand.objects.values_list("pk", "name", "name_en")],
        categories=nodes,
        scenes=[Named(pk, name, name_en) for pk, name, name_en in Scene.objects.values_list("pk", "name", "name_en")],
    )


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_products(ids: Iterable[int], *, with_qualifications: bool = True) -> dict[int, ExistingProduct]:
    """Products with their SKUs, images and scenes as plain values (4–5 queries per 500)."""
    found: dict[int, ExistingProduct] = {}
    lookups: list[Any] = [
        Prefetch("skus", queryset=Sku.objects.order_by("position", "pk")),
        Prefetch("images", queryset=ProductImage.objects.order_by("kind", "position", "pk")),
        Prefetch("scenes", queryset=Scene.objects.only("pk")),
    ]
    if with_qualifications:
        lookups.append(
            Prefetch("qualifications", queryset=QualificationDocument.objects.only("pk", "product_id", "expires_on"))
        )
    for chunk in _chunks(sorted(set(ids))):
        for product in Product.objects.filter(pk__in=chunk).prefetch_related(*lookups):
            images = list(product.images.all())
            found[product.pk] = ExistingProduct(
                id=product.pk,
                title=product.title,
                status=Status(product.status),
                brand_id=product.brand_id,
                category_id=product.category_id,
                scene_ids=tuple(scene.pk for scene in product.scenes.all()),
                tier=product.tier,
                selling_points=tuple(str(point) for point in product.selling_points or ()),
                description=product.description,
                spec_names=tuple(str(name) for name in product.spec_names or ()),
                main_images=tuple(image.url for image in images if image.kind == ImageKind.MAIN),
                detail_images=tuple(image.url for image in images if image.kind == ImageKind.DETAIL),
                skus=tuple(
                    ExistingSku(
                        code=sku.code,
                        spec_values={str(k): str(v) for k, v in (sku.spec_values or {}).items()},
                        barcode=sku.barcode,
                        sale_fen=sku.sale_price_fen,
                        list_fen=sku.list_price_fen,
                        cost_fen=sku.cost_price_fen,
                        weight_g=sku.weight_g,
                        stock_quantity=sku.stock_quantity,
                        is_active=sku.is_active,
                    )
                    for sku in product.skus.all()
                ),
                qualification_expiries=(
                    tuple(doc.expires_on for doc in product.qualifications.all()) if with_qualifications else ()
                ),
            )
    return found


def _catalog_facts(codes: Sequence[str]) -> CatalogFacts:
    owners: dict[str, int] = {}
    for chunk in _chunks(codes):
        owners.update(Sku.objects.filter(code__in=chunk).values_list("code", "product_id"))
    terms = BannedWord.objects.filter(is_active=True).values_list("word", "kind")
    return CatalogFacts(
        names=catalog_names(),
        sku_owners=owners,
        products=existing_products(owners.values()),
        checker=ComplianceChecker(BannedTerm(word=word, kind=kind) for word, kind in terms),
        today=timezone.localdate(),
    )


# --- jobs -----------------------------------------------------------------------------------


def import_job_create(*, actor: ActorContext, file_name: str, content: bytes, queue: bool = True) -> ImportJob:
    """Store the upload under MEDIA_ROOT/imports/ and queue the import when the job commits.

    `queue=False` leaves the job pending for a caller that runs it itself (the CLI).
    """
    name = PurePosixPath(file_name.replace("\\", "/")).name.strip()[:200]
    kind = file_format(name)
    if kind is None:
        raise ValidationFailed(_("Upload an .xlsx or a .csv file"), details={"file": name})
    if not content:
        raise ValidationFailed(_("The file is empty"), details={"file": name})
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed(
            _("The file is larger than %(limit)s MB") % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
            details={"file": name, "bytes": len(content)},
        )
    stored = default_storage.save(f"imports/{timezone.now():%Y/%m}/{uuid4().hex}.{kind}", ContentFile(content))
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=ImportJobKind.IMPORT,
            file_name=name,
            file_path=stored,
            created_by=actor.user,
            report={"channel": str(actor.channel)},
        )
        audit_record(
            actor=actor, action="import_job.create", target=job, after={"file_name": name, "bytes": len(content)}
        )
        if queue:
            transaction.on_commit(partial(_queue, job.pk))
    return job


def _queue(job_id: int) -> None:
    from shopkeeper.catalog.tasks_imports import import_run

    import_run.delay(job_id)


def import_job_get(*, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, kind=ImportJobKind.IMPORT).select_related("created_by").first()
    if job is None:
        raise NotFound(_("No import job %(id)s") % {"id": job_id}, details={"id": job_id})
    return job


def import_jobs_recent(*, limit: int = 10) -> list[ImportJob]:
    return list(ImportJob.objects.filter(kind=ImportJobKind.IMPORT).select_related("created_by")[:limit])


@dataclass(frozen=True)
class ReportLine:
    row: int
    column: str
    message: str


def import_job_errors(job: ImportJob) -> list[ReportLine]:
    """The job's bad rows, each message in the active language."""
    lines = []
    for error in (job.report or {}).get("errors", []):
        lines.append(
            ReportLine(
                row=int(error.get("row", 0)),
                column=str(error.get("column", "")),
                message=problem_message(str(error.get("code", "")), error.get("params") or {}),
            )
        )
    return lines


def _actor(job: ImportJob) -> ActorContext:
    channel = (job.report or {}).get("channel", AuditChannel.SYSTEM)
    valid = channel if channel in AuditChannel.values else AuditChannel.SYSTEM
    return ActorContext(user=job.created_by, channel=AuditChannel(valid))


def _save(job: ImportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))


def _finish(job: ImportJob, status: str, report: dict[str, Any]) -> ImportJob:
    report = {"channel": (job.report or {}).get("channel", AuditChannel.SYSTEM), **report}
    _save(job, status=status, report=report, finished_at=timezone.now())
    import_progress_clear(job.pk)  # the writing phase's record, if it got that far
    audit_record(
        actor=_actor(job),
        action="import_job.finish",
        target=job,
        after={"status": status, **report.get("summary", {}), "errors": report.get("error_count", 0)},
    )
    return job


def _reject(
    job: ImportJob, errors: Sequence[RowError], header: HeaderMap | None, timings: dict[str, float]
) -> ImportJob:
    shown = errors[:MAX_REPORTED_ERRORS]
    return _finish(
        job,
        ImportJobStatus.REJECTED,
        {
            "errors": [
                {
                    "row": error.row,
                    "column": header.header(error.field) if header else _column_label(error.field),
                    "field": error.field.value if error.field else "",
                    "code": error.problem.value,
                    "params": dict(error.params),
                    "message": problem_message(error.problem.value, error.params),
                }
                for error in shown
            ],
            "error_count": len(errors),
            "truncated": len(errors) > len(shown),
            "timings": timings,
        },
    )


def _column_label(field: Field | None) -> str:
    return next((column.header for column in COLUMNS if column.field == field), "")


def import_job_run(job_id: int) -> ImportJob:
    """Run one import. Idempotent: a job that is not pending (a redelivered task) is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, kind=ImportJobKind.IMPORT, status=ImportJobStatus.PENDING).update(
        status=ImportJobStatus.VALIDATING, processed_rows=0
    )
    job = import_job_get(job_id=job_id)
    if not claimed:
        return job
    try:
        return _run(job)
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        return _finish(
            job,
            ImportJobStatus.FAILED,
            {
                "message": _("The import stopped on an unexpected error; nothing was imported."),
                "detail": repr(exc)[:500],
            },
        )


def _run(job: ImportJob) -> ImportJob:
    timings: dict[str, float] = {}
    started = perf_counter()
    try:
        with default_storage.open(job.file_path, "rb") as stored:
            content = stored.read(MAX_FILE_BYTES + 1)
        sheet = read_sheet(content, job.file_name)
    except SheetRefused as refused:
        return _reject(job, [refused.error], None, timings)
    _save(job, total_rows=len(sheet.rows))
    header = map_header(sheet)
    if header.errors:
        return _reject(job, header.errors, header, timings)
    timings["read"] = round(perf_counter() - started, 3)

    started = perf_counter()

    def progress(rows: int) -> None:  # autocommitted: no transaction is open while validating
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=rows)

    plan = plan_import(
        sheet,
        header,
        _catalog_facts(sheet_sku_codes(sheet, header)),
        on_progress=progress,
        progress_every=PROGRESS_EVERY,
    )
    timings["validate"] = round(perf_counter() - started, 3)
    if not plan.ok:
        return _reject(job, plan.errors, header, timings)

    started = perf_counter()
    try:
        _write(job, plan)
    except _WriteRefused as refused:
        error = RowError(refused.row, None, Problem.WRITE_REFUSED, {"reason": refused.reason})
        return _reject(job, [error], header, timings)
    timings["write"] = round(perf_counter() - started, 3)
    _save(job, processed_rows=plan.row_count)
    return _finish(job, ImportJobStatus.DONE, {"summary": plan.counts(), "errors": [], "timings": timings})


# --- the write ------------------------------------------------------------------------------


class _WriteRefused(Exception):
    def __init__(self, row: int, reason: str) -> None:
        super().__init__(reason)
        self.row = row
        self.reason = reason


def _sku_inputs(item: ProductPlan) -> list[SkuInput]:
    return [
        SkuInput(
            code=sku.code,
            sale_price=Money(sku.sale_fen),
            list_price=Money(sku.list_fen),
            cost_price=Money(sku.cost_fen),
            spec_values=dict(sku.spec_values),
            weight_g=sku.weight_g,
            barcode=sku.barcode,
            stock_quantity=sku.stock_quantity,
        )
        for sku in item.skus
    ]


def _product_input(item: ProductPlan, kept: Product | None, documents: Sequence[QualificationDocument]) -> ProductInput:
    """The file's values plus what the file cannot express (video, qualification documents)."""
    return ProductInput(
        title=item.title,
        brand_id=item.brand_id,
        category_id=item.category_id,
        skus=_sku_inputs(item),
        tier=item.tier,
        selling_points=item.selling_points,
        description=item.description,
        spec_names=item.spec_names,
        scene_ids=item.scene_ids,
        main_images=item.main_images,
        detail_images=item.detail_images,
        video_url=kept.video_url if kept else "",
        qualifications=[
            QualificationInput(
                name=doc.name,
                number=doc.number,
                issued_by=doc.issued_by,
                expires_on=doc.expires_on,
                file_url=doc.file_url,
            )
            for doc in documents
        ],
    )


def _to_write(item: ProductPlan) -> bool:
    return item.product_id is None or item.changed or item.action is not None


def _write(job: ImportJob, plan: ImportPlan) -> None:
    """Everything in one transaction: a refusal from any service undoes every product. The
    services leave the search index alone (`reindex=False`); it is written once at the end."""
    from shopkeeper.catalog.search import search_index_products  # on use, as the services do (jieba)

    actor = _actor(job)
    reason = f"导入 {job.file_name}"  # the price-history reason the shop asked for, in its own language
    progress = WriteProgress(job.pk, total=sum(1 for item in plan.products if _to_write(item)))
    progress.products(0, 0, force=True)  # first, so the page knows at once how many are coming
    _save(job, status=ImportJobStatus.IMPORTING, processed_rows=0)
    written = rows = 0
    current = plan.products[0].rows[0] if plan.products else 1
    try:
        with transaction.atomic():
            touched = sorted({p.product_id for p in plan.products if p.product_id and _to_write(p)})
            locked = {product.pk: product for product in _lock(touched)}  # pk order: no deadlocks
            documents: dict[int, list[QualificationDocument]] = defaultdict(list)
            for doc in QualificationDocument.objects.filter(product_id__in=touched).order_by("pk"):
                documents[doc.product_id].append(doc)
            created: list[int] = []
            for item in plan.products:
                current = item.rows[0]
                rows += len(item.rows)
                if not _to_write(item):
                    continue
                if item.product_id is None:
                    product = product_create(actor=actor, data=_product_input(item, None, ()), reindex=False)
                    created.append(product.pk)
                    if item.action is Action.LIST:
                        product_list(actor=actor, product=product, reindex=False)
                else:
                    product = locked[item.product_id]
                    if item.action is Action.DELIST:  # first, so the update need not pass listing checks
                        product = product_delist(actor=actor, product=product, reindex=False)
                    if item.changed:
                        data = _product_input(item, product, documents[product.pk])
                        product = product_update(
                            actor=actor, product=product, data=data, price_reason=reason, reindex=False
                        )
                    if item.action is Action.LIST:
                        product_list(actor=actor, product=product, reindex=False)
                written += 1
                progress.products(written, rows)
            search_index_products([*touched, *created])
            progress.products(written, rows, force=True)
            audit_record(
                actor=actor,
                action="product.import",
                object_type="catalog.importjob",
                object_id=str(job.pk),
                object_label=job.file_name,
                after=plan.counts(),
            )
    except ShopkeeperError as exc:
        details = "; ".join(f"{key}: {value}" for key, value in exc.details.items())
        raise _WriteRefused(current, f"{exc.message} ({details})" if details else exc.message) from exc


# --- export ---------------------------------------------------------------------------------


def _export_rows(ids: Sequence[int]) -> Iterator[list[Cell]]:
    names = catalog_names()
    for chunk in _chunks(ids):
        products = existing_products(chunk, with_qualifications=False)
        for pk in chunk:
            if pk in products:
                yield from export_rows(products[pk], names)


_PRICE_COLUMNS = {
    index for index, c in enumerate(COLUMNS) if c.field in (Field.SALE_PRICE, Field.LIST_PRICE, Field.COST_PRICE)
}
_WIDTHS = {Field.TITLE: 36, Field.CATEGORY: 20, Field.DESCRIPTION: 30, Field.SPECS: 24, Field.MAIN_IMAGES: 30}


def _xlsx(rows: Iterable[Sequence[Cell]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title="商品")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = _WIDTHS.get(column.field, 14)
    bold = Font(bold=True)
    header = []
    for title in export_header():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        out: list[Any] = []
        for index, value in enumerate(row):
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # text stays text, even "=…" (openpyxl would make it a formula)
                out.append(cell)
            elif index in _PRICE_COLUMNS:
                cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # a Decimal, written exactly; the stubs list only float
                cell.number_format = "0.00"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens it as UTF-8; formula-like text gets a "'" that import strips."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export_header())
    for row in rows:
        writer.writerow(
            f"'{value}"
            if isinstance(value, str) and value.startswith(FORMULA_START)
            else ("" if value is None else value)
            for value in row
        )
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def export_products(
    *, queryset_or_filters: QuerySet[Product] | Mapping[str, Any], fmt: str, actor: ActorContext | None = None
) -> bytes:
    """The products as a sheet in the import's columns; re-importing it unchanged changes nothing.

    `queryset_or_filters` is a product queryset or the keyword filters of `product_list_staff`
    (status, tier, category_id, scene_id, brand_id, compliance, max_sales, query).
    """
    from shopkeeper.catalog.selectors.products import product_list_staff

    if fmt not in FORMATS:
        raise ValidationFailed(_("Export as xlsx or csv"), details={"fmt": fmt})
    if isinstance(queryset_or_filters, QuerySet):
        queryset = queryset_or_filters
    else:
        queryset = product_list_staff(**dict(queryset_or_filters))
    ids = list(dict.fromkeys(queryset.values_list("pk", flat=True)))
    rows = _export_rows(ids)
    content = _xlsx(rows) if fmt == "xlsx" else _csv(rows)
    if actor is not None:
        filters = {} if isinstance(queryset_or_filters, QuerySet) else dict(queryset_or_filters)
        audit_record(
            actor=actor,
            action="product.export",
            object_type="catalog.product",
            object_label=f"{len(ids)} products",
            after={"format": fmt, "products": len(ids), "filters": filters},
        )
    return content


def import_template(*, fmt: str) -> bytes:
    """An empty sheet with the column headers, to fill in for new products."""
    if fmt not in FORMATS:
        raise ValidationFailed(_("Export as xlsx or csv"), details={"fmt": fmt})
    return _xlsx([]) if fmt == "xlsx" else _csv([])
