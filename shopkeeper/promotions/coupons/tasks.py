"""Celery tasks of the coupons app: thin wrappers around the services (idempotent)."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.promotions.coupons import services


@shared_task(name="coupons.expire")
def coupons_expire() -> int:
    """Mark available coupons whose validity ended as expired (on the beat schedule)."""
    return services.coupons_expire()
