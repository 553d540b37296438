"""The customer's cart and checkout API with promotions: the cart answers the applied promotions,
nudges and coupons; the coupon choice goes through PUT /cart/coupons; a checkout that carries a
price, a discount or a coupon that is not the customer's is refused and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop
from shopkeeper.orders.models import Order
from shopkeeper.promotions.tests.conftest import MakePromotion, tiers
from shopkeeper.promotions.tests.test_checkout_promotions import _coupon

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(client: Client, shop: Shop) -> Client:
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    return client


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    return getattr(client, method)(
        f"/api/v1/shop{path}", data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_the_cart_api_explains_promotions_and_takes_a_coupon_choice(
    app: Client, shop: Shop, promote: MakePromotion
) -> None:
    promote("spend_tier", tiers((200, 30), (500, 100)), label="满减")
    coupon = _coupon(shop, amount=1000, threshold=10000)
    cart = call(app, "post", "/cart/items", {"sku_id": shop.dress.pk, "quantity": 2}).json()
    assert [(p["label"], p["discount"]["fen"]) for p in cart["promotions"]] == [("满减", 3000), ("满100减10", 1000)]
    assert cart["total"]["fen"] == 39800 - 3000 - 1000
    assert sum(line["total"]["fen"] for line in cart["lines"]) == cart["total"]["fen"] - cart["shipping"]["fen"]
    assert any("¥102.00" in nudge for nudge in cart["nudges"])
    assert [(c["coupon_id"], c["applied"]) for c in cart["coupons"]] == [(coupon, True)]
    none = call(app, "put", "/cart/coupons", {"coupon_ids": []}).json()
    assert none["total"]["fen"] == 39800 - 3000
    assert call(app, "put", "/cart/coupons", {"coupon_ids": [999999]}).status_code == 422
    best = call(app, "put", "/cart/coupons", {"coupon_ids": None}).json()
    assert best["total"]["fen"] == 39800 - 4000


@pytest.mark.parametrize(
    "forged",
    [{"unit_price_fen": 1}, {"total_fen": 1}, {"discount_fen": 39800}, {"coupon_ids": [999999]}, {"coupon_ids": "1"}],
)
def test_a_forged_price_or_coupon_in_the_checkout_request_is_refused(
    app: Client, shop: Shop, promote: MakePromotion, forged: dict[str, Any]
) -> None:
    promote("spend_tier", tiers((200, 30)))
    call(app, "post", "/cart/items", {"sku_id": shop.dress.pk, "quantity": 2})
    response = call(app, "post", "/checkout", {"address_id": shop.address_id, "idempotency_key": "f1", **forged})
    assert response.status_code == 422, response.json()
    assert not Order.objects.exists()
    assert call(app, "get", "/cart").json()["count"] == 2
    placed = call(app, "post", "/checkout", {"address_id": shop.address_id, "idempotency_key": "f2"})
    assert placed.status_code == 201
    assert placed.json()["total"]["fen"] == 39800 - 3000
