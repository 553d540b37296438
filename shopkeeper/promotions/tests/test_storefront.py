"""The shop side: badges on the product page, the cart page explaining the price with the applied
promotions, the nudge and the gift, and the customer choosing a coupon (a forged one refused)."""

from __future__ import annotations

import pytest
from django.test import Client

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import Shop
from shopkeeper.promotions.tests.conftest import MakePromotion, tiers
from shopkeeper.promotions.tests.test_checkout_promotions import _coupon

pytestmark = pytest.mark.django_db


def customer_client(shop: Shop) -> Client:
    client = Client()
    client.force_login(shop.customer)
    return client


def test_the_product_page_shows_the_promotion_badges(shop: Shop, promote: MakePromotion) -> None:
    promote("spend_tier", tiers((200, 30)), label="满200减30")
    promote("nth_item", {"n": 2, "percent_off": 50}, label="第2件半价", scope={"sku_ids": [shop.cup.pk]})
    page = Client().get(f"/product/{shop.dress.product_id}/").content.decode()
    assert 'data-testid="promotion-badge"' in page
    assert "满200减30" in page
    assert "第2件半价" not in page
    cup = Client().get(f"/product/{shop.cup.product_id}/").content.decode()
    assert "第2件半价" in cup


def test_the_cart_page_explains_promotions_nudges_gifts_and_coupons(shop: Shop, promote: MakePromotion) -> None:
    promote("spend_tier", tiers((200, 30), (500, 100)), label="满500减100")
    promote("gift", {"threshold_fen": 15000, "gift_sku_id": shop.cup.pk}, label="满150送杯", stacks=True)
    coupon = _coupon(shop, amount=1000, threshold=10000)
    checkout.cart_add(cart=checkout.cart_for_customer(shop.customer), sku_id=shop.dress.pk, quantity=2)
    client = customer_client(shop)
    page = client.get("/cart/").content.decode()
    assert 'data-testid="applied-promotion"' in page
    assert "满500减100" in page
    assert 'data-testid="nudge"' in page
    assert "¥102.00" in page
    assert 'data-testid="cart-gift"' in page
    assert "满150送杯</span> 随单赠品" in page  # a gift rule says what it gives, not "− ¥0.00"
    assert "满150送杯</span> − ¥0.00" not in page
    assert 'data-testid="coupon-option"' in page
    assert "¥358.00" in page  # ¥398 − ¥30 − ¥10
    client.post("/cart/coupons/", {"coupon": "none"})
    assert "¥368.00" in client.get("/cart/").content.decode()
    client.post("/cart/coupons/", {"coupon": str(coupon)})
    assert checkout.cart_for_customer(shop.customer).coupon_choice == [coupon]
    response = client.post("/cart/coupons/", {"coupon": "999999"}, follow=True)
    assert checkout.cart_for_customer(shop.customer).coupon_choice == [coupon]  # unchanged
    assert response.status_code == 200
