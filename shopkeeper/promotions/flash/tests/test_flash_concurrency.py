"""No oversell and no limit broken when a crowd grabs at once, on PostgreSQL, with the database gate
and with the Redis gate. Each customer is a real thread with its own connection, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import services as customers
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.orders.models import Order
from shopkeeper.promotions.flash import services
from shopkeeper.promotions.flash.enums import ClaimStatus
from shopkeeper.promotions.flash.errors import LimitReached, SoldOut
from shopkeeper.promotions.flash.models import FlashClaim, FlashItem, FlashQuota
from shopkeeper.promotions.flash.tests.conftest import make_live

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]

CUSTOMERS = 40
UNITS = 7


def _crowd(count: int) -> list[tuple[int, int]]:
    made = []
    for index in range(count):
        mobile = f"136{index:08d}"
        user = customers.customer_register(mobile=mobile, password="Shop-Demo-2026")
        address = customers.address_create(
            user=user, recipient="买家", mobile=mobile, province="上海市", city="上海市", district="静安区",
            detail="南京西路 1 号",
        )  # fmt: skip
        made.append((user.pk, address.pk))
    return made


def _race(item_id: int, attempts: list[tuple[int, int, str]]) -> list[object]:
    barrier = threading.Barrier(len(attempts))
    results: list[object] = []

    def run(customer_id: int, address_id: int, key: str) -> None:
        try:
            customer = User.objects.get(pk=customer_id)
            barrier.wait(timeout=30)
            done = services.flash_attempt(
                item_id=item_id, customer=customer, address_id=address_id, idempotency_key=key,
                actor=ActorContext(user=customer, channel=AuditChannel.API, ip_address="10.1.1.1"),
            )  # fmt: skip
            results.append(done.order_number)
        except ShopkeeperError as refused:
            results.append(refused)
        except Exception as crashed:
            results.append(crashed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_a_crowd_for_a_few_units_buys_exactly_the_pool(shop: Shop, gate_mode: str) -> None:
    live = make_live(shop, pool=UNITS, limit=1)
    results = _race(live.item.pk, [(c, a, "rush") for c, a in _crowd(CUSTOMERS)])
    crashed = [r for r in results if not isinstance(r, str | ShopkeeperError)]
    assert crashed == []
    placed = [r for r in results if isinstance(r, str)]
    assert len(placed) == UNITS
    assert all(isinstance(r, SoldOut) for r in results if not isinstance(r, str))
    assert Order.objects.filter(kind=OrderKind.FLASH).count() == UNITS
    item = FlashItem.objects.get()
    assert item.sold == item.pool == UNITS
    assert FlashClaim.objects.filter(status=ClaimStatus.HELD).count() == UNITS
    assert not stock_reads.ledger_imbalances()


def test_one_customer_racing_with_limit_one_gets_one(shop: Shop, gate_mode: str) -> None:
    live = make_live(shop, pool=UNITS, limit=1)
    results = _race(live.item.pk, [(shop.customer.pk, shop.address_id, f"tap-{n}") for n in range(12)])
    assert len([r for r in results if isinstance(r, str)]) == 1
    assert all(isinstance(r, LimitReached | SoldOut) for r in results if not isinstance(r, str))
    assert FlashQuota.objects.get().taken == 1
    assert Order.objects.count() == 1
    assert FlashItem.objects.get().sold == 1


def test_units_of_cancelled_and_lapsed_orders_come_back_under_load(
    shop: Shop, gate_mode: str, second_customer: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    live = make_live(shop, pool=2, limit=1)
    crowd = _crowd(6)
    first = _race(live.item.pk, [(c, a, "one") for c, a in crowd])
    numbers = [r for r in first if isinstance(r, str)]
    assert len(numbers) == 2
    cancelled, lapsing = Order.objects.get(number=numbers[0]), Order.objects.get(number=numbers[1])
    orders.order_cancel(order=cancelled, actor=SYSTEM, reason="不要了")
    assert orders.orders_cancel_overdue(now=timezone.now() + timedelta(minutes=11)) == 1
    assert Order.objects.get(pk=lapsing.pk).status == OrderStatus.CANCELLED
    assert FlashItem.objects.get().sold == 0
    second = _race(live.item.pk, [(c, a, "two") for c, a in crowd])
    assert len([r for r in second if isinstance(r, str)]) == 2
    assert FlashItem.objects.get().sold == 2
    assert FlashQuota.objects.filter(taken__gt=1).count() == 0
