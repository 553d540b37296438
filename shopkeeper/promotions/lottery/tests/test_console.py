"""Lotteries in the console: the operator sets one up (a prize table over 100% is refused), the
draw log shows each draw re-verified, the director reads only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.checkout.tests.test_order_payment_flow import pay
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.promotions.lottery.models import Draw, Lottery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_operator_sets_up_a_lottery_and_reads_the_verified_draw_log(
    shop: Shop, make_staff: Callable[..., User], settle: Any
) -> None:
    operator = signed_in(make_staff(Role.CAMPAIGN_OPERATOR))
    now = timezone.localtime()
    form = {
        "title": "满100抽奖",
        "threshold": "100.00",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "prize_0_name": "保温杯",
        "prize_0_percent": "60.00",
        "prize_0_quantity": "5",
        "prize_1_name": "优惠券",
        "prize_1_percent": "45.00",
        "prize_1_quantity": "100",
    }
    refused = operator.post("/console/lotteries/new/", form)
    assert refused.status_code == 422
    assert "100%" in refused.content.decode()
    assert not Lottery.objects.exists()
    saved = operator.post("/console/lotteries/new/", {**form, "prize_1_percent": "40.00"})
    assert saved.status_code == 302
    lottery = Lottery.objects.get()
    assert list(lottery.prizes.values_list("basis_points", flat=True)) == [6000, 4000]
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=1)
    order = checkout.checkout_submit(
        cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key="k", actor=SYSTEM
    )
    pay(order, settle)
    draw = Draw.objects.get()
    page = operator.get(f"/console/lotteries/{lottery.pk}/").content.decode()
    assert order.number in page
    assert 'data-testid="draw-verified">✓' in page
    assert draw.prize_name in page
    director = signed_in(make_staff(Role.OPERATIONS_DIRECTOR))
    assert director.get(f"/console/lotteries/{lottery.pk}/").status_code == 200
    assert director.get("/console/lotteries/new/").status_code == 403
    assert signed_in(make_staff(Role.WAREHOUSE)).get("/console/lotteries/").status_code == 403


def test_the_staff_api_lists_lotteries_and_the_verified_draw_log(
    shop: Shop, make_staff: Callable[..., User], settle: Any
) -> None:
    from shopkeeper.promotions.lottery import services
    from shopkeeper.promotions.lottery.tests.conftest import lottery_terms

    lottery = services.lottery_save(**lottery_terms())
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=1)
    order = checkout.checkout_submit(
        cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key="api", actor=SYSTEM
    )
    pay(order, settle)
    director = signed_in(make_staff(Role.OPERATIONS_DIRECTOR))
    listed = director.get("/api/v1/lotteries").json()
    assert [(x["title"], x["draws"], x["won"]) for x in listed] == [("满100抽奖", 1, 1)]
    assert listed[0]["prizes"][0]["basis_points"] == 10_000
    draws = director.get(f"/api/v1/lotteries/{lottery.pk}/draws").json()
    assert [(d["order_number"], d["outcome"], d["verified"]) for d in draws] == [(order.number, "won", True)]
    assert signed_in(make_staff(Role.WAREHOUSE)).get("/api/v1/lotteries").status_code == 403
