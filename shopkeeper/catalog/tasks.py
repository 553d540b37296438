"""Catalog background jobs: scheduled listing/delisting and compliance rescans."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.catalog import services
from shopkeeper.catalog.tasks_imports import import_run

__all__ = ["compliance_rescan", "import_run", "run_schedules"]  # import_run: registered with the worker here


@shared_task(name="catalog.run_schedules")
def run_schedules() -> dict[str, int]:
    """Runs every minute from beat; idempotent: a product already listed is not listed again."""
    return services.catalog_run_schedules()


@shared_task(name="catalog.compliance_rescan")
def compliance_rescan() -> int:
    return services.compliance_rescan_all()
