"""Cart and checkout: limits, merging a guest cart, placing an order with its stock reserved,
double submits, tampered totals, sold-out items and the payment timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.models import CartLine
from shopkeeper.checkout.tests.conftest import PASSWORD, SYSTEM, Shop
from shopkeeper.core.errors import NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db


def place(shop: Shop, key: str = "k1", **extra: Any) -> Order:
    cart = checkout.cart_for_customer(shop.customer)
    return checkout.checkout_submit(
        cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key=key, actor=SYSTEM, **extra
    )


def test_the_cart_refuses_bad_quantities_and_what_is_not_for_sale(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    for bad in (0, -1, 100):
        with pytest.raises(ValidationFailed):
            checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=bad)
    with pytest.raises(NotFound):
        checkout.cart_add(cart=cart, sku_id=shop.delisted.pk, quantity=1)
    with pytest.raises(NotFound):
        checkout.cart_add(cart=cart, sku_id=999_999, quantity=1)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=98)
    with pytest.raises(ValidationFailed, match="At most 99"):
        checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=2)
    assert checkout.cart_lines_quantities(cart) == {shop.dress.pk: 98}


def test_the_cart_shows_availability_and_explains_the_price(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=6)  # 5 in stock
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    view = cart_reads.cart_view(cart, region="east")
    assert view.problems() == {"DRESS-M": "Only 5 left"}
    assert view.priced.lines[0].explanation == ("¥59.00 × 1 = ¥59.00",)
    assert view.priced.shipping.fen == 800  # under the ¥99 free-shipping threshold
    assert view.priced.free_shipping_gap is not None
    assert view.priced.free_shipping_gap.fen == 4000


def test_a_guest_cart_merges_into_the_account_at_sign_in(shop: Shop, client: Client) -> None:
    client.post("/cart/add/", {"sku_id": shop.cup.pk, "quantity": 2})
    client.post("/cart/add/", {"sku_id": shop.dress.pk, "quantity": 1})
    mine = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=mine, sku_id=shop.cup.pk, quantity=1)
    response = client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD})
    assert response.status_code == 302
    assert checkout.cart_lines_quantities(mine) == {shop.cup.pk: 3, shop.dress.pk: 1}
    assert "cart-line" in client.get("/cart/").content.decode()


def test_checkout_places_the_order_reserves_stock_and_empties_the_cart(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=2)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    order = place(shop, note="下午六点后送", invoice=checkout.InvoiceRequest(kind="personal"))
    assert order.status == "pending_payment"
    assert (order.subtotal_fen, order.shipping_fen, order.total_fen) == (45700, 0, 45700)
    lines = list(order.lines.all())
    assert sum(line.total_fen for line in lines) == order.total_fen - order.shipping_fen
    assert {line.sku_code: line.quantity for line in lines} == {"DRESS-M": 2, "CUP-500": 1}
    assert (order.province, order.region, order.note, order.invoice_kind) == (
        "上海市",
        "east",
        "下午六点后送",
        "personal",
    )
    assert order.pay_deadline - order.placed_at == timedelta(minutes=30)
    assert stock_reads.sku_availability([shop.dress.pk]) == {shop.dress.pk: 3}
    held = sorted((a.sku_id, a.warehouse_code, a.quantity) for a in stock_reads.reservations_for(order.reference))
    assert held == sorted([(shop.dress.pk, "EAST", 2), (shop.cup.pk, "EAST", 1)])
    assert not CartLine.objects.filter(cart=cart).exists()
    assert OrderEvent.objects.filter(order=order, kind="placed").count() == 1


def test_a_double_submit_places_one_order(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    first = place(shop, key="same-key")
    again = place(shop, key="same-key")
    assert first.pk == again.pk
    assert Order.objects.count() == 1


def test_a_tampered_or_stale_total_is_refused_and_changes_nothing(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=1)
    with pytest.raises(ValidationFailed, match="price has changed") as refused:
        place(shop, expected_total_fen=100)
    assert refused.value.details["total_fen"] == 19900
    assert Order.objects.count() == 0
    assert stock_reads.sku_availability([shop.dress.pk]) == {shop.dress.pk: 5}
    assert checkout.cart_lines_quantities(cart) == {shop.dress.pk: 1}


def test_a_sold_out_item_stops_the_checkout_and_nothing_is_written(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=6)
    with pytest.raises(ValidationFailed) as refused:
        place(shop)
    assert refused.value.details["lines"] == {"DRESS-M": "Only 5 left"}
    assert Order.objects.count() == 0


def test_someone_elses_address_cannot_be_used(shop: Shop, second_customer: Any) -> None:
    other = second_customer("13900139000")
    cart = checkout.cart_for_customer(other)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    with pytest.raises(ShopkeeperError):
        checkout.checkout_submit(
            cart=cart, customer=other, address_id=shop.address_id, idempotency_key="x", actor=SYSTEM
        )
    assert Order.objects.count() == 0


def test_a_company_invoice_needs_a_name_and_a_tax_number(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    with pytest.raises(ValidationFailed) as refused:
        place(shop, invoice=checkout.InvoiceRequest(kind="company", title="", tax_number="123"))
    assert set(refused.value.details) == {"invoice_title", "invoice_tax_number"}
    order = place(
        shop,
        invoice=checkout.InvoiceRequest(kind="company", title="上海拾光贸易有限公司", tax_number="91310000MA1FL0XX1A"),
    )
    assert (order.invoice_kind, order.invoice_tax_number) == ("company", "91310000MA1FL0XX1A")


def test_checkout_runs_in_a_bounded_number_of_queries(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=1)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=2)
    with CaptureQueriesContext(connection) as queries:
        place(shop)
    # 25 before promotions; pricing now also reads the running promotions and the customer's
    # coupons (one query each; the SKUs' promotion facts only when some rule runs).
    assert len(queries) <= 27, "\n".join(q["sql"][:150] for q in queries)


def test_an_unpaid_order_cancels_itself_after_the_timeout_and_releases_stock(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=2)
    order = place(shop)
    assert orders.orders_cancel_overdue(now=timezone.now()) == 0
    assert orders.orders_cancel_overdue(now=order.pay_deadline + timedelta(seconds=1)) == 1
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock_reads.sku_availability([shop.dress.pk]) == {shop.dress.pk: 5}
    assert [e.kind for e in order.events.all()] == ["placed", "cancel"]
    assert orders.orders_cancel_overdue(now=order.pay_deadline + timedelta(hours=1)) == 0  # once only


def test_a_customer_cancels_an_unpaid_order_but_not_a_cancelled_one(shop: Shop) -> None:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    order = place(shop)
    orders.order_cancel(order=order, actor=SYSTEM, reason="不想买了")
    with pytest.raises(ShopkeeperError, match="cannot be changed"):
        orders.order_cancel(order=order, actor=SYSTEM, reason="不想买了")
