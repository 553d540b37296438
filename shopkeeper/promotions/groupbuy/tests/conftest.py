"""A running group buy on the small checkout shop's cup (¥59.00, cost ¥19.66): a 3-person group
at ¥39.00 within 24 hours, and customers to fill it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, second_customer, shop  # noqa: F401  (fixtures)
from shopkeeper.checkout.tests.test_order_payment_flow import pay, settle  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.models import User
from shopkeeper.customers import selectors as customers
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)
from shopkeeper.promotions.groupbuy import services
from shopkeeper.promotions.groupbuy.models import GroupBuy


def terms(shop: Shop, **overrides: Any) -> dict[str, Any]:  # noqa: F811  (the fixture is a parameter here)
    now = timezone.now()
    args: dict[str, Any] = {
        "actor": SYSTEM,
        "sku_id": shop.cup.pk,
        "title": "保温杯 3人团",
        "group_price": Money(3900),
        "group_size": 3,
        "time_limit_hours": 24,
        "per_customer_limit": 1,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
        "min_margin_percent": 50,
    }
    args.update(overrides)
    return args


@pytest.fixture
def groupbuy(shop: Shop) -> GroupBuy:  # noqa: F811
    return services.groupbuy_save(**terms(shop))


@pytest.fixture
def buyer(second_customer: Callable[[str], User]) -> Callable[[int], tuple[User, int]]:  # noqa: F811
    """The n-th extra customer (with a Guangzhou address) and their address id."""

    def make(n: int) -> tuple[User, int]:
        user = second_customer(f"1390000{n:04d}")
        address = customers.address_default(user) or customers.address_list(user)[0]
        return user, address.pk

    return make
