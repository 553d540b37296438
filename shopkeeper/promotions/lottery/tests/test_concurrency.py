"""A prize is never over-awarded: twelve paid orders draw at once for a prize of quantity 3 that
every draw lands on, on PostgreSQL, each a thread with its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.orders.enums import OrderKind
from shopkeeper.orders.models import Order
from shopkeeper.promotions.lottery import services
from shopkeeper.promotions.lottery.domain.draw import PrizeTerms
from shopkeeper.promotions.lottery.models import Draw
from shopkeeper.promotions.lottery.tests.conftest import lottery_terms

ORDERS = 12


def _draw(order_id: int, barrier: threading.Barrier, results: list[object]) -> None:
    try:
        barrier.wait(timeout=30)
        draw = services.draw_for_order(order_id=order_id)
        results.append(draw.outcome if draw else None)
    except Exception as crashed:
        results.append(crashed)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_twelve_draws_at_once_award_a_prize_of_three_exactly_three_times(shop: Shop) -> None:
    lottery = services.lottery_save(**lottery_terms(prizes=[PrizeTerms("保温杯", 10_000, 3)]))
    ids = []
    for index in range(ORDERS):
        order = checkout.checkout_buy_now(
            customer=shop.customer,
            sku_id=shop.cup.pk,
            quantity=2,
            unit_price=Money(5900),
            price_label="",
            address_id=shop.address_id,
            idempotency_key=f"lottery-{index}",
            actor=SYSTEM,
            kind=OrderKind.NORMAL,
        )
        ids.append(order.pk)
    # paid as a payment notification would leave them (the draw reads only these fields)
    Order.objects.filter(pk__in=ids).update(status="allocated", paid_at=timezone.now(), paid_fen=0)
    barrier = threading.Barrier(ORDERS)
    results: list[object] = []
    threads = [threading.Thread(target=_draw, args=(order_id, barrier, results)) for order_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(map(str, results)) == sorted(["won"] * 3 + ["sold_out"] * 9)
    assert lottery.prizes.get().awarded == 3
    assert Draw.objects.filter(prize__isnull=False).count() == 3
