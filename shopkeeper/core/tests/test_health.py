"""/healthz reports each dependency and answers 503 when one is down."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import OperationalError, connection
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User

pytestmark = pytest.mark.django_db


def test_healthy(client: Client, settings: SettingsWrapper) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["detail"] == connection.vendor
    assert body["checks"]["broker"]["ok"] is True
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


def test_redis_down_is_503_naming_redis(client: Client, settings: SettingsWrapper) -> None:
    # Port 9 (discard) has no Redis on it: a real refused connection, not a mock.
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["detail"]
    assert body["checks"]["database"]["ok"] is True


def test_broker_down_is_503(client: Client, settings: SettingsWrapper) -> None:
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:9//"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_database_down_is_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "ms": response.json()["checks"]["database"]["ms"],
        "detail": "OperationalError: connection refused",
    }


def test_console_health_page_for_admin(admin_user: User, make_staff: Callable[..., User], client: Client) -> None:
    client.force_login(admin_user)
    page = client.get("/console/health/")
    assert page.status_code == 200
    assert next(check.name for check in page.context["checks"]) == "database"
    client.force_login(make_staff(Role.WAREHOUSE))
    assert client.get("/console/health/").status_code == 403
