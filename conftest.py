"""Shared pytest fixtures: staff members per role, API clients, Celery run eagerly in-process."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from shopkeeper.config.celery import app as celery_app
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, IssuedToken, api_token_create, role_groups_sync

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _own_redis_keys() -> Iterator[None]:
    """With Redis configured, each test writes its Redis keys (the flash gate, rate limits) under
    a prefix of its own: rows rolled back between tests take their ids with them, Redis keys do
    not, and a later test's flash item or customer with the same id must not find them."""
    from django.conf import settings

    if not settings.REDIS_URL:
        yield
        return
    before = settings.CACHE_KEY_PREFIX
    settings.CACHE_KEY_PREFIX = f"{before}:t{uuid.uuid4().hex[:12]}"
    try:
        yield
    finally:
        settings.CACHE_KEY_PREFIX = before


@pytest.fixture(autouse=True, scope="session")
def _celery_eager() -> Iterator[None]:
    """Tasks run inline in tests; the worker test starts a real worker process instead."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def make_staff(db: None) -> Callable[..., User]:
    """Create a staff member holding the given roles (groups re-synced: transactional tests flush them)."""

    def make(*roles: Role, username: str | None = None, active: bool = True) -> User:
        if Group.objects.filter(name__in=Role.values).count() != len(Role):
            role_groups_sync()
        name = username or ("_".join(role.value for role in roles) or "nobody") + "_user"
        user = User.objects.create_user(username=name, password=PASSWORD, display_name=f"测试{name}")
        user.is_active = active
        user.save(update_fields=["is_active"])
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache

    return make


@pytest.fixture
def admin_user(make_staff: Callable[..., User]) -> User:
    return make_staff(Role.PLATFORM_ADMIN, username="admin_wang")


@pytest.fixture
def console(client: Client) -> Callable[[User], Client]:
    """A test client signed in to the console as the given user."""

    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


class ApiClient:
    """Calls /api/v1 with a personal token, the way scripts do."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None, raw: str | None = None, **params: Any) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        caller = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return caller(url, params, headers=self.headers)
        return caller(url, data=data, content_type="application/json", headers=self.headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self.request("POST", path, body, raw)

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    def make(user: User) -> ApiClient:
        issued: IssuedToken = api_token_create(actor=ActorContext.system(), user=user, name="tests")
        return ApiClient(issued.secret)

    return make


@pytest.fixture
def anonymous_api() -> ApiClient:
    return ApiClient(None)


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Service calls in tests speak English; requests still pick their language (zh-hans default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
