"""Worker jobs of fulfilment: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.fulfillment import services


@shared_task(name="fulfillment.sandbox_send")
def sandbox_send(push_id: int) -> str:
    """Post one sandbox carrier notification to our callback."""
    return services.sandbox_push_send(push_id=push_id)


@shared_task(name="fulfillment.auto_deliver")
def auto_deliver() -> int:
    """Every hour from beat: parcels shipped FULFILMENT_AUTO_DELIVER_DAYS ago count as delivered."""
    return services.shipments_auto_deliver()
