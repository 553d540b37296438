"""Customers fixtures: customer accounts made through the sign-up service, and sign-in counters
that start at zero in every test (a fresh cache key prefix, whatever the cache backend)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from shopkeeper.core.models import User
from shopkeeper.customers import services

CUSTOMER_PASSWORD = "tea-garden-42-lantern"

MakeCustomer = Callable[..., User]


@pytest.fixture(autouse=True)
def _fresh_sign_in_counters(settings: Any) -> None:
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"{caches['default'].get('KEY_PREFIX', '')}-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches  # Django drops its cache connections when CACHES changes


@pytest.fixture
def make_customer(db: None) -> MakeCustomer:
    def make(mobile: str = "13800138000", *, nickname: str = "", channel: str = "direct") -> User:
        return services.customer_register(mobile=mobile, password=CUSTOMER_PASSWORD, nickname=nickname, channel=channel)

    return make


@pytest.fixture
def customer(make_customer: MakeCustomer) -> User:
    return make_customer("13800138000", nickname="小美")


@pytest.fixture
def other_customer(make_customer: MakeCustomer) -> User:
    return make_customer("13912345678", nickname="阿杰")


def address_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "recipient": "李小美",
        "mobile": "13800138000",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "detail": "世纪大道100号 环球金融中心 25楼",
    }
    fields.update(overrides)
    return fields
