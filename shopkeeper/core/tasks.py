"""Core background tasks."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="core.ping")
def ping() -> str:
    """Answers with the worker's clock; used by tests and operators to prove a worker is consuming."""
    return f"pong {timezone.now().isoformat()}"
