"""Worker jobs of the promotions app: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="promotions.advance")
def advance() -> int:
    """Move published promotions along by their windows (every minute, from beat)."""
    from shopkeeper.promotions import services

    return services.promotions_advance()
