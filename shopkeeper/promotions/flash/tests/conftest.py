"""A live flash sale over the checkout tests' small shop, and the gate in both modes: the database
alone, or Redis (the local Redis of REDIS_URL; skipped when it is not set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, second_customer, shop  # noqa: F401  (fixtures)
from shopkeeper.checkout.tests.test_order_payment_flow import settle  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)
from shopkeeper.promotions.flash import gate, services
from shopkeeper.promotions.flash.enums import SaleStatus
from shopkeeper.promotions.flash.models import FlashItem, FlashSale, FlashSession

REDIS_URL = os.environ.get("REDIS_URL", "")


@dataclass
class Live:
    sale: FlashSale
    session: FlashSession
    item: FlashItem  # the cup: ¥59.00 normally, ¥39.00 in the sale, a pool of 5, 1 per customer


def _wipe_redis() -> None:
    client = gate.client()
    keys = list(client.scan_iter(match=f"{gate.Keys.of(0).left.split(':flash:')[0]}:flash:*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["db", "redis"])
def gate_mode(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """Run the test with the database gate, then with the Redis gate."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("REDIS_URL is not set: the Redis gate is tested against a local Redis")
        settings.REDIS_URL = REDIS_URL
        _wipe_redis()
        yield "redis"
        _wipe_redis()
    else:
        settings.REDIS_URL = None
        yield "db"


@pytest.fixture(autouse=True)
def _no_rate_limit_between_tests(settings: Any) -> None:
    settings.FLASH_ATTEMPTS_PER_CUSTOMER = 1000
    settings.FLASH_ATTEMPTS_PER_IP = 100000
    settings.CACHE_KEY_PREFIX = f"flashtest{os.getpid()}"
    cache.clear()  # rate-limit counters of earlier tests (ids are reused between tests)


def make_live(shop: Shop, *, pool: int = 5, limit: int = 1, starts_in: timedelta = timedelta(minutes=-5)) -> Live:  # noqa: F811
    now = timezone.now()
    sale = services.flash_sale_save(actor=SYSTEM, name="双11 秒杀")
    session = services.flash_session_save(
        actor=SYSTEM, sale_id=sale.pk, starts_at=now + starts_in, ends_at=now + starts_in + timedelta(hours=2),
        now=now + starts_in - timedelta(minutes=1),
    )  # fmt: skip
    item = services.flash_item_save(
        actor=SYSTEM, session_id=session.pk, sku_id=shop.cup.pk, sale_price=Money(3900), pool=pool,
        per_customer_limit=limit, now=now + starts_in - timedelta(minutes=1),
    )  # fmt: skip
    services.flash_sale_set_status(actor=SYSTEM, sale_id=sale.pk, status=SaleStatus.LIVE)
    return Live(sale=sale, session=session, item=item)


@pytest.fixture
def live(shop: Shop, gate_mode: str) -> Live:  # noqa: F811
    return make_live(shop)
