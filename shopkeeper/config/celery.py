"""The Celery app: the embedded filesystem broker by default, Redis or RabbitMQ when configured."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")

app = Celery("shopkeeper")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
