"""Draws on paid orders through the sandbox gateway: one per order over the threshold, logged with
a seed that re-verifies, prizes never awarded beyond their quantity, bad set-ups refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.checkout.tests.test_order_payment_flow import pay
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.orders.models import Order
from shopkeeper.promotions.lottery import selectors, services
from shopkeeper.promotions.lottery.domain.draw import PrizeTerms
from shopkeeper.promotions.lottery.models import Draw, Lottery
from shopkeeper.promotions.lottery.tests.conftest import lottery_terms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def placed(shop: Shop, sku: Any, quantity: int, key: str) -> Order:
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=sku.pk, quantity=quantity)
    return checkout.checkout_submit(
        cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key=key, actor=SYSTEM
    )


def test_bad_lotteries_are_refused_and_nothing_is_saved(shop: Shop) -> None:
    for prizes in (
        [PrizeTerms("a", 6000, 1), PrizeTerms("b", 5000, 1)],  # 110%
        [PrizeTerms("a", 100, -1)],
    ):
        with pytest.raises(ValidationFailed):
            services.lottery_save(**lottery_terms(prizes=prizes))
    with pytest.raises(ValidationFailed):
        services.lottery_save(**lottery_terms(threshold=Money(0)))
    assert not Lottery.objects.exists()


def test_an_order_paid_over_the_threshold_draws_once_and_the_draw_verifies(
    shop: Shop, lottery: Lottery, settle: Any
) -> None:
    order = placed(shop, shop.dress, 1, "big")  # ¥199 of goods
    pay(order, settle, times=3)
    draws = list(Draw.objects.filter(order_id=order.pk))
    assert len(draws) == 1
    draw = draws[0]
    assert (draw.outcome, draw.prize_name, draw.order_number) == ("won", "保温杯", order.number)
    assert selectors.draw_verified(draw)
    assert services.draw_for_order(order_id=order.pk) == draw  # asked again: the same draw
    lottery.prizes.get().refresh_from_db()
    assert lottery.prizes.get().awarded == 1
    tampered = Draw(order_number=order.number, seed=draw.seed, roll=(draw.roll + 1) % 10000, odds=draw.odds)
    tampered.picked_id = draw.picked_id
    assert not selectors.draw_verified(tampered)


def test_a_small_order_gets_no_draw_and_a_gone_prize_is_logged_as_gone(
    shop: Shop, lottery: Lottery, settle: Any
) -> None:
    small = placed(shop, shop.cup, 1, "small")  # ¥59 of goods
    pay(small, settle)
    assert not Draw.objects.filter(order_id=small.pk).exists()
    first = placed(shop, shop.dress, 1, "first")
    pay(first, settle)
    second = placed(shop, shop.dress, 1, "second")
    pay(second, settle)
    outcomes = dict(Draw.objects.values_list("order_id", "outcome"))
    assert outcomes == {first.pk: "won", second.pk: "sold_out"}
    assert lottery.prizes.get().awarded == 1
    assert selectors.draw_verified(Draw.objects.get(order_id=second.pk))


def test_the_order_page_shows_the_draw(shop: Shop, lottery: Lottery, settle: Any) -> None:
    order = placed(shop, shop.dress, 1, "page")
    pay(order, settle)
    client = Client()
    client.force_login(shop.customer)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="lottery-panel"' in page
    assert "保温杯" in page
    assert Draw.objects.get().seed in page


def test_a_paused_lottery_draws_nothing(shop: Shop, lottery: Lottery, settle: Any) -> None:
    services.lottery_set_status(actor=SYSTEM, lottery_id=lottery.pk, status="paused")
    order = placed(shop, shop.dress, 1, "paused")
    pay(order, settle)
    assert not Draw.objects.exists()


def test_a_change_cannot_drop_an_awarded_quantity(shop: Shop, lottery: Lottery, settle: Any) -> None:
    pay(placed(shop, shop.dress, 1, "won"), settle)
    with pytest.raises(ValidationFailed):
        services.lottery_save(**lottery_terms(lottery_id=lottery.pk, prizes=[PrizeTerms("保温杯", 10_000, 0)]))
    services.lottery_save(**lottery_terms(lottery_id=lottery.pk, prizes=[PrizeTerms("保温杯", 5000, 3)]))
    prize = lottery.prizes.get()
    assert (prize.quantity, prize.awarded, prize.basis_points) == (3, 1, 5000)
