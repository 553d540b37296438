"""Worker jobs of presales: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from shopkeeper.promotions.presale import services


@shared_task(name="presale.send_reminders")
def send_reminders() -> int:
    """Send the balance reminders that are due (every 5 minutes, from beat); once per order and kind."""
    return services.presale_reminders_send()
