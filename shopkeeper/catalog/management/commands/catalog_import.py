"""`shopkeeper catalog_import FILE`: import products from an .xlsx or .csv now, printing the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.catalog.domain.import_rows import MAX_FILE_BYTES
from shopkeeper.catalog.enums import ImportJobStatus
from shopkeeper.catalog.services.imports import import_job_create, import_job_errors, import_job_run
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext


class Command(BaseCommand):
    help = (
        "Import products from an .xlsx or .csv file (one row per SKU) without the worker. Every row is "
        "checked first; any bad row and nothing is imported. Exits non-zero unless the import is done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="Staff member the changes are recorded under (default: system)")
        parser.add_argument("--json", action="store_true", help="Print the job's report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}")
        actor = ActorContext(user=user, channel=AuditChannel.CLI)
        try:
            job = import_job_create(actor=actor, file_name=path.name, content=path.read_bytes(), queue=False)
        except ShopkeeperError as exc:
            raise CommandError(exc.message) from None
        job = import_job_run(job.pk)
        report = job.report or {}
        if options["json"]:
            self.stdout.write(json.dumps({"job": job.pk, "status": job.status, **report}, ensure_ascii=False, indent=2))
        elif job.status == ImportJobStatus.DONE:
            summary = report.get("summary", {})
            self.stdout.write(f"Import {job.pk} of {job.file_name}: done, {job.total_rows} rows")
            for key in ("products", "created", "updated", "unchanged", "listed", "delisted"):
                self.stdout.write(f"  {key:<10} {summary.get(key, 0)}")
        elif job.status == ImportJobStatus.REJECTED:
            self.stdout.write(f"Import {job.pk} of {job.file_name}: rejected, nothing was imported")
            for line in import_job_errors(job):
                column = f" · {line.column}" if line.column else ""
                self.stdout.write(f"  row {line.row}{column}: {line.message}")
            if report.get("truncated"):
                self.stdout.write(f"  … {report.get('error_count')} problems in all; the first ones are shown")
        else:
            self.stdout.write(f"Import {job.pk} of {job.file_name}: {job.status}: {report.get('message', '')}")
        if job.status != ImportJobStatus.DONE:
            raise CommandError(f"Import {job.pk} {job.status}")
