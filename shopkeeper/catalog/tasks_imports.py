"""The product-import task. Celery discovers only `tasks.py`, which imports this module."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.catalog.services.imports import import_job_run


@shared_task(name="catalog.import_run")
def import_run(job_id: int) -> str:
    """Idempotent: a job that already ran (a redelivered message) is left as it is."""
    return str(import_job_run(job_id).status)
