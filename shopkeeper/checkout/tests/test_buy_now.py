"""Buying one SKU outside the cart at a campaign's price, and the order events and hold that the
campaign mechanics and fulfilment build on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.checkout.tests.test_order_payment_flow import pay, settle  # noqa: F401  (fixture)
from shopkeeper.core import events
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.orders.events import OrderCancelled, OrderPaid, OrderReleased
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


@pytest.fixture
def heard() -> Any:
    seen: list[object] = []
    for kind in (OrderPaid, OrderReleased, OrderCancelled):
        events.subscribe(kind, seen.append)
    yield seen
    for kind in (OrderPaid, OrderReleased, OrderCancelled):
        events.unsubscribe(kind, seen.append)


def buy(shop: Shop, **overrides: Any) -> Any:
    args: dict[str, Any] = {
        "customer": shop.customer,
        "sku_id": shop.cup.pk,
        "quantity": 2,
        "unit_price": Money(3900),
        "price_label": "秒杀价",
        "address_id": shop.address_id,
        "idempotency_key": "flash-1",
        "actor": SYSTEM,
        "kind": OrderKind.FLASH,
        "pay_window": timedelta(minutes=10),
    }
    args.update(overrides)
    return checkout.checkout_buy_now(**args)


def test_buy_now_prices_the_line_at_the_campaign_price_and_says_so(shop: Shop) -> None:
    before = timezone.now()
    order = buy(shop)
    line = order.lines.get()
    assert (line.unit_price_fen, line.quantity, line.total_fen) == (3900, 2, 7800)
    assert line.explanation[0].startswith("秒杀价 ¥39.00")
    assert order.kind == OrderKind.FLASH
    assert before + timedelta(minutes=9) < order.pay_deadline <= timezone.now() + timedelta(minutes=10)
    assert buy(shop).pk == order.pk  # the same key answers the same order


def test_buy_now_refuses_bad_input_and_writes_nothing(shop: Shop) -> None:
    with pytest.raises(ValidationFailed):
        buy(shop, quantity=0)
    with pytest.raises(ValidationFailed):
        buy(shop, unit_price=Money(-1))
    with pytest.raises(NotFound):
        buy(shop, sku_id=shop.delisted.pk)
    assert not orders.Order.objects.exists()


def test_a_held_order_is_paid_without_being_released_until_asked(
    shop: Shop,
    settle: Any,  # noqa: F811  (the fixture imported above)
    heard: list[object],
) -> None:
    order = buy(shop, hold="group not formed", kind=OrderKind.GROUP)
    pay(order, settle)
    order.refresh_from_db()
    assert order.status == OrderStatus.ALLOCATED
    paid = [e for e in heard if isinstance(e, OrderPaid)]
    assert len(paid) == 1
    assert paid[0].held
    assert paid[0].kind == OrderKind.GROUP
    orders.order_release(order_id=order.pk, actor=SYSTEM)
    orders.order_release(order_id=order.pk, actor=SYSTEM)  # idempotent
    assert [e.order_id for e in heard if isinstance(e, OrderReleased)] == [order.pk]
    assert list(order.events.values_list("kind", flat=True)).count("release") == 1


def test_cancelling_publishes_order_cancelled(shop: Shop, heard: list[object]) -> None:
    order = buy(shop)
    orders.order_cancel(order=order, actor=SYSTEM, reason="changed my mind")
    assert [(e.order_id, e.kind) for e in heard if isinstance(e, OrderCancelled)] == [(order.pk, OrderKind.FLASH)]
