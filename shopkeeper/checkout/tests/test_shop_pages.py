"""The customer's pages through the test client: cart, checkout, my orders, pay, cancel, review."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop
from shopkeeper.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client: Client, shop: Shop) -> Client:
    client.cookies["django_language"] = "en"
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    return client


def checkout_form(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(idempotency_key|expected_total_fen)" value="([^"]*)"', page))
    address = re.search(r'name="address_id" value="(\d+)"', page)
    assert address is not None
    return {**fields, "address_id": address.group(1), "invoice_kind": "none"}


def test_a_visitor_adds_to_the_cart_and_sees_the_price_explained(client: Client, shop: Shop) -> None:
    client.cookies["django_language"] = "en"
    response = client.post(
        "/cart/add/", {"sku_id": shop.cup.pk, "quantity": 2, "back": f"/product/{shop.cup.product_id}/"}
    )
    assert response.status_code == 302
    page = client.get("/cart/").content.decode()
    assert "316不锈钢保温杯" in page
    assert "¥59.00 × 2 = ¥118.00" in page
    assert 'data-testid="total"' in page


def test_checkout_needs_a_customer_and_buy_now_goes_there(client: Client, shop: Shop) -> None:
    response = client.get("/checkout/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_a_customer_checks_out_and_sees_the_order_with_its_countdown(shopper: Client, shop: Shop) -> None:
    shopper.post("/cart/add/", {"sku_id": shop.dress.pk, "quantity": 1})
    page = shopper.get("/checkout/").content.decode()
    assert "王小明" in page
    assert "¥199.00" in page
    form = checkout_form(page)
    response = shopper.post("/checkout/", form)
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.number}/"
    again = shopper.post("/checkout/", form)  # a double submit
    assert again["Location"] == f"/orders/{order.number}/"
    assert Order.objects.count() == 1
    detail = shopper.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="pay-countdown"' in detail
    assert "Pending payment" in detail
    assert order.number in shopper.get("/orders/").content.decode()


def test_a_tampered_total_sends_the_customer_back_with_the_new_price(shopper: Client, shop: Shop) -> None:
    shopper.post("/cart/add/", {"sku_id": shop.dress.pk, "quantity": 1})
    form = checkout_form(shopper.get("/checkout/").content.decode())
    form["expected_total_fen"] = "1"
    response = shopper.post("/checkout/", form, follow=True)
    assert Order.objects.count() == 0
    assert "The price has changed" in response.content.decode()


def test_pay_now_sends_the_customer_to_the_sandbox_cashier(shopper: Client, shop: Shop) -> None:
    shopper.post("/cart/add/", {"sku_id": shop.cup.pk, "quantity": 1})
    shopper.post("/checkout/", checkout_form(shopper.get("/checkout/").content.decode()))
    order = Order.objects.get()
    response = shopper.post(f"/orders/{order.number}/pay/")
    assert response.status_code == 302
    assert "/payments/sandbox/pay/" in response["Location"]
    waiting = shopper.get(f"/orders/{order.number}/status/")
    assert (waiting.status_code, 'data-testid="payment-waiting"' in waiting.content.decode()) == (200, True)


def test_a_customer_cancels_an_unpaid_order(shopper: Client, shop: Shop) -> None:
    shopper.post("/cart/add/", {"sku_id": shop.cup.pk, "quantity": 1})
    shopper.post("/checkout/", checkout_form(shopper.get("/checkout/").content.decode()))
    order = Order.objects.get()
    shopper.post(f"/orders/{order.number}/cancel/", {"reason": "不想买了"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "不想买了")
    status = shopper.get(f"/orders/{order.number}/status/")
    assert status.status_code == 286  # tells the return page to stop polling


def test_someone_elses_order_is_not_found(client: Client, shop: Shop, second_customer: Any) -> None:
    other = second_customer("13900139000")
    client.force_login(other)
    owner = Client()
    owner.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD})
    owner.post("/cart/add/", {"sku_id": shop.cup.pk, "quantity": 1})
    owner.post("/checkout/", checkout_form(owner.get("/checkout/").content.decode()))
    number = Order.objects.get().number
    assert client.get(f"/orders/{number}/").status_code == 404
    assert client.post(f"/orders/{number}/cancel/", {"reason": "不想买了"}).status_code == 404


def test_a_delivered_line_can_be_reviewed_once(shopper: Client, shop: Shop) -> None:
    shopper.post("/cart/add/", {"sku_id": shop.cup.pk, "quantity": 1})
    shopper.post("/checkout/", checkout_form(shopper.get("/checkout/").content.decode()))
    order = Order.objects.get()
    line = order.lines.get()
    review_url = f"/orders/{order.number}/lines/{line.pk}/review/"
    refused = shopper.post(review_url, {"rating": "5", "text": "很好"}, follow=True)
    assert "not been delivered" in refused.content.decode()
    Order.objects.filter(pk=order.pk).update(status="delivered")  # fulfilment arrives with its own work
    OrderEvent.objects.create(order=order, kind="deliver", from_status="shipped", to_status="delivered")
    assert 'data-testid="write-review"' in shopper.get(f"/orders/{order.number}/").content.decode()
    posted = shopper.post(review_url, {"rating": "4", "text": "保温效果不错"})
    assert posted["Location"] == f"/orders/{order.number}/"
    product_page = shopper.get(f"/product/{shop.cup.product_id}/").content.decode()
    assert "保温效果不错" in product_page
    twice = shopper.post(review_url, {"rating": "1", "text": "再评一次"}, follow=True)
    assert "already been reviewed" in twice.content.decode()
    assert 'data-testid="write-review"' not in shopper.get(f"/orders/{order.number}/").content.decode()
