"""Loading past orders in several calls never reuses an order number an earlier call stored
(numbers are random per day; at a million demo orders two calls drew the same one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout.tests.conftest import Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.orders import services as orders
from shopkeeper.orders.domain.numbers import order_number
from shopkeeper.orders.models import Order
from shopkeeper.pricing.domain.pipeline import LineInput, price_cart

pytestmark = pytest.mark.django_db


def _row(shop: Shop, placed_at: object) -> orders.HistoricOrder:  # noqa: F811
    sku = shop.cup
    line = LineInput(key=sku.code, sku_id=sku.pk, title=sku.code, unit_price=Money(sku.sale_price_fen), quantity=1)
    return orders.HistoricOrder(
        customer_id=shop.customer.pk,
        priced=price_cart([line], shipping=cart_reads.shipping_table(), region="east"),
        facts={sku.code: orders.LineFacts(sku.pk, sku.product_id, sku.code, sku.code, "", "")},
        ship_to=orders.ShipTo("王", "13800138001", "上海市", "上海市", "徐汇区", "路 1 号", "east"),
        placed_at=placed_at,  # type: ignore[arg-type]
        status="completed",
    )


def test_a_later_load_draws_again_when_its_number_is_taken(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    placed = timezone.now() - timedelta(days=3)
    day = timezone.localdate(placed)
    draws: Iterator[int] = iter([7, 7, 8])  # the second load first draws the number the first one took

    monkeypatch.setattr(orders, "order_number", lambda on: order_number(on, randbelow=next(draws)))
    orders.orders_bulk_load([_row(shop, placed)])
    orders.orders_bulk_load([_row(shop, placed + timedelta(minutes=1))])
    assert sorted(Order.objects.values_list("number", flat=True)) == [
        order_number(day, randbelow=7),
        order_number(day, randbelow=8),
    ]
