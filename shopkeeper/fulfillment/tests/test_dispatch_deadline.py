"""The dispatch deadline per order: 48 hours after payment for an order from the cart, 24 hours
(FULFILMENT_CAMPAIGN_DISPATCH_HOURS) for one bought through a campaign mechanic or marked priority;
a held campaign order counts its deadline from the release."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from shopkeeper.checkout import services as checkout
from shopkeeper.core.domain.money import Money
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.tests.conftest import SYSTEM, Shop
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind
from shopkeeper.orders.models import Order

pytestmark = pytest.mark.django_db


def _buy_now(shop: Shop, *, kind: str, key: str = "campaign-1", **extra: Any) -> Order:
    return checkout.checkout_buy_now(
        customer=shop.customer,
        sku_id=shop.cup.pk,
        quantity=1,
        unit_price=Money(3900),
        price_label="秒杀价",
        address_id=shop.address_id,
        idempotency_key=key,
        actor=SYSTEM,
        kind=kind,
        **extra,
    )


def _hours_after_payment(order: Order) -> float:
    [shipment] = selectors.order_shipments(order.pk)
    assert order.paid_at is not None
    assert shipment.dispatch_deadline == order.dispatch_deadline
    return (shipment.dispatch_deadline - order.paid_at) / timedelta(hours=1)


def test_a_flash_sale_order_is_due_24_hours_after_payment(shop: Shop, pay: Callable[[Order], Order]) -> None:
    order = pay(_buy_now(shop, kind=OrderKind.FLASH))
    assert order.kind == OrderKind.FLASH
    assert _hours_after_payment(order) == 24


def test_a_cart_order_is_due_48_hours_after_payment(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.cup, 1)))
    assert order.kind == OrderKind.NORMAL
    assert not order.priority
    assert _hours_after_payment(order) == 48


def test_a_priority_order_is_due_at_the_campaign_deadline(shop: Shop, pay: Callable[[Order], Order]) -> None:
    order = pay(_buy_now(shop, kind=OrderKind.NORMAL, priority=True))
    assert _hours_after_payment(order) == 24


def test_the_settings_decide_the_campaign_deadline(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    with override_settings(FULFILMENT_CAMPAIGN_DISPATCH_HOURS=6):
        flash = pay(_buy_now(shop, kind=OrderKind.FLASH, key="a"))
        normal = pay(place((shop.cup, 1), key="b"))
    assert _hours_after_payment(flash) == 6
    assert _hours_after_payment(normal) == 48
    # A campaign order is never due later than any other: the shorter of the two settings applies.
    with override_settings(FULFILMENT_DISPATCH_HOURS=12, FULFILMENT_CAMPAIGN_DISPATCH_HOURS=24):
        assert services.dispatch_hours(kind=OrderKind.PRESALE) == 12
        assert services.dispatch_hours(kind=OrderKind.NORMAL) == 12
    assert services.dispatch_hours(kind=OrderKind.GROUP) == 24
    assert services.dispatch_hours(kind=OrderKind.PRESALE) == 24
    assert services.dispatch_hours() == 48


def test_a_released_group_buy_counts_the_campaign_deadline_from_the_release(
    shop: Shop, pay: Callable[[Order], Order]
) -> None:
    order = pay(_buy_now(shop, kind=OrderKind.GROUP, hold="拼团未成团"))
    assert selectors.order_shipments(order.pk) == []
    before = timezone.now()
    orders.order_release(order_id=order.pk, actor=SYSTEM)
    after = timezone.now()
    [shipment] = selectors.order_shipments(order.pk)
    assert before + timedelta(hours=24) <= shipment.dispatch_deadline <= after + timedelta(hours=24)
