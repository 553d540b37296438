"""A running ¥100 lottery for the checkout shop, and paid orders to draw for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, second_customer, shop  # noqa: F401  (fixtures)
from shopkeeper.checkout.tests.test_order_payment_flow import pay, settle  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)
from shopkeeper.promotions.lottery import services
from shopkeeper.promotions.lottery.domain.draw import PrizeTerms
from shopkeeper.promotions.lottery.models import Lottery


def lottery_terms(**overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    args: dict[str, Any] = {
        "actor": SYSTEM,
        "title": "满100抽奖",
        "threshold": Money(10000),
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
        "prizes": [PrizeTerms("保温杯", 10_000, 1)],  # everyone wins, but there is only one
    }
    args.update(overrides)
    return args


@pytest.fixture
def lottery(db: None) -> Lottery:
    return services.lottery_save(**lottery_terms())
