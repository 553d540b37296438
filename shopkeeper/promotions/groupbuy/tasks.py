"""Worker jobs of group buys: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.promotions.groupbuy import services


@shared_task(name="groupbuy.expire_due")
def expire_due() -> int:
    """Close the groups whose time ran out: form them or fail and refund them (every minute)."""
    return services.groups_expire_due()
