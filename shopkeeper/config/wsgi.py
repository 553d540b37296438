"""WSGI entry point for gunicorn or any WSGI server."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Do as each server process starts what its first request would otherwise wait for, about
    2 s: import every page's views and the API (which builds its schemas), and load the search
    segmenter's dictionary."""
    from django.urls import get_resolver

    from shopkeeper.catalog.domain import segment

    get_resolver().url_patterns  # noqa: B018  (reading it imports the URLconf)
    segment.prepare()


_warm_up()
