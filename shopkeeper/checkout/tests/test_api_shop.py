"""The customer API at /api/v1/shop: cart, checkout, my orders, pay, cancel, over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop
from shopkeeper.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(client: Client, shop: Shop) -> Client:
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    return client


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    return getattr(client, method)(
        f"/api/v1/shop{path}", data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_the_cart_over_the_api(app: Client, shop: Shop) -> None:
    added = call(app, "post", "/cart/items", {"sku_id": shop.dress.pk, "quantity": 2})
    assert added.status_code == 201
    body = added.json()
    assert body["count"] == 2
    assert body["lines"][0]["explanation"] == ["¥199.00 × 2 = ¥398.00"]
    assert body["total"] == {
        "fen": 39800 + body["shipping"]["fen"],
        "yuan": f"{(39800 + body['shipping']['fen']) / 100:.2f}",
    }
    priced = call(app, "get", f"/cart?address_id={shop.address_id}").json()
    assert (priced["region"], priced["shipping"]["fen"]) == ("east", 0)  # ¥398 is over the ¥99 threshold
    assert call(app, "put", f"/cart/items/{shop.dress.pk}", {"quantity": 0}).json()["lines"] == []


@pytest.mark.parametrize(
    ("body", "status"),
    [({"sku_id": 999999, "quantity": 1}, 404), ({"quantity": 1}, 422), ({"sku_id": 1, "quantity": 0}, 422)],
)
def test_bad_cart_input_is_refused(app: Client, shop: Shop, body: dict[str, Any], status: int) -> None:
    response = call(app, "post", "/cart/items", body)
    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "details"}


def test_checkout_pay_and_cancel_over_the_api(app: Client, shop: Shop) -> None:
    call(app, "post", "/cart/items", {"sku_id": shop.cup.pk, "quantity": 1})
    wrong = call(
        app, "post", "/checkout", {"address_id": shop.address_id, "idempotency_key": "a1", "expected_total_fen": 1}
    )
    assert wrong.status_code == 422
    assert wrong.json()["details"]["total_fen"] == 6700
    placed = call(
        app, "post", "/checkout", {"address_id": shop.address_id, "idempotency_key": "a1", "expected_total_fen": 6700}
    )
    assert placed.status_code == 201
    order = placed.json()
    assert (order["status"], order["total"]["yuan"], order["mobile"]) == ("pending_payment", "67.00", "138****8001")
    assert order["seconds_to_pay"] > 1700
    retry = call(app, "post", "/checkout", {"address_id": shop.address_id, "idempotency_key": "a1"})
    assert retry.json()["number"] == order["number"]
    assert Order.objects.count() == 1
    pay = call(app, "post", f"/orders/{order['number']}/pay", {"return_url": "https://shop.example.com/paid"})
    assert "/payments/sandbox/pay/" in pay.json()["pay_url"]
    assert [o["number"] for o in call(app, "get", "/orders").json()["items"]] == [order["number"]]
    cancelled = call(app, "post", f"/orders/{order['number']}/cancel", {"reason": "不想买了"})
    assert cancelled.json()["status"] == "cancelled"
    again = call(app, "post", f"/orders/{order['number']}/cancel", {"reason": "不想买了"})
    assert again.status_code == 409


def test_visitors_are_401_and_other_customers_orders_404(client: Client, shop: Shop, second_customer: Any) -> None:
    assert call(client, "get", "/cart").status_code == 401
    owner = Client()
    owner.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD})
    call(owner, "post", "/cart/items", {"sku_id": shop.cup.pk, "quantity": 1})
    number = call(owner, "post", "/checkout", {"address_id": shop.address_id, "idempotency_key": "z"}).json()["number"]
    client.force_login(second_customer("13900139000"))
    assert call(client, "get", f"/orders/{number}").status_code == 404
