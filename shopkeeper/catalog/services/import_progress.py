"""How far a running import is, for the console page and the API to show while the worker runs it.

An import goes through two phases: it checks every row, then writes every product in one
transaction (all or nothing).

* While rows are checked no transaction is open, so the job row itself counts them
  (`ImportJob.processed_rows` of `total_rows`), in short autocommitted updates.
* While products are written, nothing the import's transaction writes is visible until it
  commits, and SQLite lets no other connection write meanwhile. So the count of products written
  goes to a small record beside the upload in the file storage (`imports/progress/<job id>.json`),
  which the web processes and the worker share anyway: the worker reads the upload from there.
  The same code runs on SQLite and on PostgreSQL, and the record goes once the job has finished.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from time import monotonic

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shopkeeper.catalog.enums import ImportJobStatus
from shopkeeper.catalog.models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 0.5  # at most two writes of the record a second, however fast products go


class ImportPhase(StrEnum):
    WAITING = "waiting"  # queued: no worker has picked the job up yet
    READING = "reading"  # the worker is reading the file
    CHECKING = "checking"  # rows checked, of the file's rows
    WRITING = "writing"  # products written, of the products the file creates or changes
    FINISHED = "finished"  # done, rejected or failed: the report says which


@dataclass(frozen=True)
class ImportProgress:
    phase: ImportPhase
    done: int  # rows checked, or products written
    total: int  # rows in the file, or products to write
    rows: int  # rows checked, then rows the write has gone through

    @property
    def percent(self) -> int:
        return min(100, 100 * self.done // self.total) if self.total else 0


def _record_name(job_id: int) -> str:
    return f"imports/progress/{int(job_id)}.json"


def _store(name: str, content: bytes) -> None:
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:  # a storage without local files (object storage): replace the object
        default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(content)
    os.replace(partial, path)  # a reader sees the previous record or this one, never half of one


def _read(job_id: int) -> dict[str, int] | None:
    try:
        with default_storage.open(_record_name(job_id), "rb") as record:
            data = json.loads(record.read())
        return {key: int(data[key]) for key in ("products", "of", "rows")}
    except (OSError, ValueError, KeyError, TypeError):  # not written yet, or already gone
        return None


class WriteProgress:
    """The worker's side of the writing phase: `products(done, rows)` after each product."""

    def __init__(self, job_id: int, *, total: int) -> None:
        self.job_id = job_id
        self.total = total
        self.last = float("-inf")
        self.broken = False

    def products(self, done: int, rows: int, *, force: bool = False) -> None:
        now = monotonic()
        if self.broken or (not force and now - self.last < PROGRESS_SECONDS):
            return
        self.last = now
        content = json.dumps({"products": done, "of": self.total, "rows": rows}).encode()
        try:
            _store(_record_name(self.job_id), content)
        except OSError:  # progress is a courtesy; it never stops an import
            logger.warning("import progress not written", exc_info=True)
            self.broken = True


def import_progress_clear(job_id: int) -> None:
    """Remove the writing phase's record (the job has finished; its report takes over)."""
    try:
        default_storage.delete(_record_name(job_id))
    except OSError:
        logger.warning("import progress record not removed", exc_info=True)


def import_job_progress(job: ImportJob) -> ImportProgress:
    """Where the job is: its phase and how far through it (at most one small file read)."""
    if job.status == ImportJobStatus.PENDING:
        return ImportProgress(ImportPhase.WAITING, 0, 0, 0)
    if job.status == ImportJobStatus.VALIDATING:
        if not job.total_rows:
            return ImportProgress(ImportPhase.READING, 0, 0, 0)
        return ImportProgress(ImportPhase.CHECKING, job.processed_rows, job.total_rows, job.processed_rows)
    if job.status == ImportJobStatus.IMPORTING:
        record = _read(job.pk) or {"products": 0, "of": 0, "rows": 0}
        return ImportProgress(ImportPhase.WRITING, record["products"], record["of"], record["rows"])
    return ImportProgress(ImportPhase.FINISHED, job.processed_rows, job.total_rows, job.processed_rows)
