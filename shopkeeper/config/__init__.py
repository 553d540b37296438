"""Project configuration: settings, URLs, the NinjaAPI and the Celery app.

The Celery app is imported here so that `@shared_task` binds to it whenever Django starts.
"""

from shopkeeper.config.celery import app as celery_app

__all__ = ["celery_app"]
