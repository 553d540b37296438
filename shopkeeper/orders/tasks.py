"""Worker jobs of the orders app: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.orders import services


@shared_task(name="orders.cancel_overdue")
def cancel_overdue() -> int:
    """Cancel every unpaid order whose payment time ran out (every minute, from beat)."""
    return services.orders_cancel_overdue()
