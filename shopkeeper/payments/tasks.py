"""Payments background jobs: the sandbox's deliveries, refund submission, reconciliation (beat)."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.payments import services
from shopkeeper.payments.errors import GatewayUnavailable


@shared_task(name="payments.sandbox_deliver")
def sandbox_deliver(delivery_id: int, attempt: int) -> str:
    """One delivery attempt of a sandbox notification; it schedules its own retry."""
    return services.sandbox_delivery_attempt(delivery_id=delivery_id, attempt=attempt)


@shared_task(
    name="payments.refund_submit",
    autoretry_for=(GatewayUnavailable,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=12,
)
def refund_submit(refund_id: int) -> str:
    return services.refund_submit(refund_id=refund_id)


@shared_task(name="payments.reconcile_pending")
def reconcile_pending() -> dict[str, int]:
    """Every two minutes from beat: ask the gateway about payments whose notification has not come."""
    return services.payments_reconcile()
