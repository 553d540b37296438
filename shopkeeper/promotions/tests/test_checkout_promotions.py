"""Checkout with promotions: exact totals with the lines summing to them, the explanation per
line, gifts as 0-priced lines with their stock reserved, free shipping on 3 items, coupons chosen
and locked with the order, forged coupons and prices refused with nothing changed, the record of
uses (counted once paid, dropped when cancelled) and a bounded number of queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.models import Cart, CartLine, ShippingRule
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError, ValidationFailed
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.promotions import selectors, services
from shopkeeper.promotions.coupons import services as coupons
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, ValidityKind
from shopkeeper.promotions.enums import UseState
from shopkeeper.promotions.models import PromotionUse
from shopkeeper.promotions.tests.conftest import MakePromotion, tiers

pytestmark = pytest.mark.django_db


def fill(shop: Shop, dresses: int = 0, cups: int = 0) -> Cart:
    cart = checkout.cart_for_customer(shop.customer)
    if dresses:
        checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=dresses)
    if cups:
        checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=cups)
    return cart


def place(shop: Shop, key: str = "k1", **extra: Any) -> Order:
    return checkout.checkout_submit(
        cart=checkout.cart_for_customer(shop.customer),
        customer=shop.customer,
        address_id=shop.address_id,
        idempotency_key=key,
        actor=SYSTEM,
        **extra,
    )


def test_a_spend_ladder_takes_the_highest_tier_and_the_lines_sum_to_the_total(
    shop: Shop, promote: MakePromotion
) -> None:
    ladder = promote("spend_tier", tiers((200, 30), (500, 100)), label="满200减30 满500减100")
    fill(shop, dresses=2, cups=2)  # ¥398 + ¥118 = ¥516
    view = cart_reads.cart_view(checkout.cart_for_customer(shop.customer), region="east")
    priced = view.priced
    assert priced.subtotal == Money(51600)
    assert priced.discount == Money(10000)
    assert priced.shipping == Money(0)  # over the ¥99 free-shipping threshold
    assert priced.total == Money(41600)
    assert sum(line.total.fen for line in priced.lines) == 41600
    assert [a.promotion_id for a in view.promoted.applied] == [ladder.pk]
    cup = priced.line("CUP-500")
    assert cup.explanation[0] == "¥59.00 × 2 = ¥118.00"
    assert "满200减30 满500减100" in cup.explanation[1]
    order = place(shop, expected_total_fen=41600)
    assert (order.subtotal_fen, order.discount_fen, order.total_fen) == (51600, 10000, 41600)
    lines = list(order.lines.all())
    assert sum(line.total_fen for line in lines) == order.total_fen
    uses = list(PromotionUse.objects.filter(order_id=order.pk).order_by("sku_id"))
    assert sum(use.discount_fen for use in uses) == 10000
    assert {use.line_id for use in uses} == {line.pk for line in lines}
    assert all(use.state == UseState.PLACED for use in uses)
    # the line's share of the discount is what a refund of that line returns
    assert {use.line_id: use.discount_fen for use in uses} == {line.pk: line.discount_fen for line in lines}


def test_a_nudge_says_how_much_more_for_the_next_tier(shop: Shop, promote: MakePromotion) -> None:
    promote("spend_tier", tiers((200, 30), (500, 100)), label="满500减100")
    fill(shop, dresses=2)  # ¥398: 满200减30 applies, ¥102 more for ¥100 off
    view = cart_reads.cart_view(checkout.cart_for_customer(shop.customer))
    assert view.priced.total == Money(39800 - 3000)
    assert any("¥102.00" in nudge and "¥100.00" in nudge for nudge in view.promoted.nudges)


def test_second_item_half_price_and_free_shipping_on_three_items(shop: Shop, promote: MakePromotion) -> None:
    promote("nth_item", {"n": 2, "percent_off": 50}, label="第2件半价", scope={"sku_ids": [shop.cup.pk]})
    promote("free_shipping", {"min_items": 3}, label="3件包邮")
    ShippingRule.objects.update(free_over_fen=None)  # the shop never ships free by itself here
    fill(shop, cups=1)  # ¥59: shipping ¥8 (east)
    first = cart_reads.cart_view(checkout.cart_for_customer(shop.customer), region="east")
    assert first.priced.total == Money(5900 + 800)
    checkout.cart_add(cart=checkout.cart_for_customer(shop.customer), sku_id=shop.cup.pk, quantity=2)
    view = cart_reads.cart_view(checkout.cart_for_customer(shop.customer), region="east")
    # 3 cups: one of them half price (¥29.50 off), 3 items ship free
    assert view.priced.subtotal == Money(17700)
    assert view.priced.discount == Money(2950)
    assert view.priced.shipping == Money(0)
    assert view.priced.total == Money(14750)
    assert {a.label for a in view.promoted.applied} == {"第2件半价", "3件包邮"}
    order = place(shop, expected_total_fen=14750)
    assert order.total_fen == 14750
    assert PromotionUse.objects.filter(order_id=order.pk).count() == 2  # the cup line + shipping


def test_a_gift_joins_the_order_at_zero_with_its_stock_reserved(shop: Shop, promote: MakePromotion) -> None:
    gift = promote("gift", {"threshold_fen": 15000, "gift_sku_id": shop.cup.pk}, label="满150送保温杯")
    fill(shop, dresses=1)  # ¥199 ≥ ¥150
    before = stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk]
    order = place(shop, expected_total_fen=19900)
    lines = {line.sku_code: line for line in order.lines.all()}
    assert set(lines) == {"DRESS-M", "CUP-500"}
    assert (lines["CUP-500"].unit_price_fen, lines["CUP-500"].total_fen, lines["CUP-500"].quantity) == (0, 0, 1)
    assert order.total_fen == 19900
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == before - 1
    use = PromotionUse.objects.get(order_id=order.pk, promotion=gift)
    assert (use.gift_units, use.line_id, use.gift_refund_rule) == (1, lines["CUP-500"].pk, "recover")
    assert [u.pk for u in selectors.promotion_uses_of_order(order.pk) if u.gift_units] == [use.pk]


def test_uses_count_when_paid_and_drop_when_cancelled(shop: Shop, promote: MakePromotion) -> None:
    ladder = promote("spend_tier", tiers((200, 30)))
    fill(shop, dresses=2)
    first = place(shop, key="a")
    counters = selectors.promotion_counters([ladder.pk])[ladder.pk]
    assert (counters.orders, counters.pending_orders, counters.discount) == (0, 1, Money(0))
    _pay(first)
    counters = selectors.promotion_counters([ladder.pk])[ladder.pk]
    assert (counters.orders, counters.units, counters.discount) == (1, 2, Money(3000))
    fill(shop, dresses=2)
    second = place(shop, key="b")
    orders.order_cancel(order=second, actor=SYSTEM, reason="changed my mind")
    assert set(PromotionUse.objects.filter(order_id=second.pk).values_list("state", flat=True)) == {UseState.CANCELLED}
    counters = selectors.promotion_counters([ladder.pk])[ladder.pk]
    assert (counters.orders, counters.pending_orders) == (1, 0)


def _pay(order: Order) -> None:
    from shopkeeper.orders.events import OrderPaid

    services.on_order_paid(
        OrderPaid(
            order_id=order.pk,
            number=order.number,
            reference=order.reference,
            kind="normal",
            paid_at=timezone.now(),
            priority=False,
            held=False,
        )
    )


def _coupon(shop: Shop, *, amount: int = 2000, threshold: int = 19900) -> int:
    now = timezone.now()
    template = coupons.coupon_template_save(
        actor=SYSTEM,
        draft=coupons.TemplateDraft(
            name=f"满{threshold // 100}减{amount // 100}",
            kind=CouponKind.AMOUNT,
            amount=Money(amount),
            threshold=Money(threshold),
            claim_starts_at=now - timedelta(hours=1),
            claim_ends_at=now + timedelta(days=7),
            validity_kind=ValidityKind.FIXED,
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=7),
            channels=(ClaimChannel.CLAIM_CENTRE,),
        ),
    )
    return coupons.coupon_claim(customer=shop.customer, channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk).pk


def test_the_best_coupon_applies_by_default_and_is_locked_with_the_order(shop: Shop, promote: MakePromotion) -> None:
    promote("spend_tier", tiers((200, 30)))
    small = _coupon(shop, amount=1000, threshold=10000)
    big = _coupon(shop, amount=2000, threshold=19900)
    fill(shop, dresses=2)  # ¥398 − ¥30 = ¥368, then the ¥20 coupon
    view = cart_reads.cart_view(checkout.cart_for_customer(shop.customer))
    assert view.priced.total == Money(39800 - 3000 - 2000)
    assert view.promoted.coupon_ids == (big,)
    assert {c.coupon_id: c.applied for c in view.promoted.coupons} == {small: False, big: True}
    assert sum(line.total.fen for line in view.priced.lines) == view.priced.total.fen
    order = place(shop)
    assert order.total_fen == 34800
    from shopkeeper.promotions.coupons.models import Coupon

    locked = Coupon.objects.get(pk=big)
    assert (locked.state, locked.order_reference, locked.discount_fen) == ("locked", order.reference, 2000)
    assert Coupon.objects.get(pk=small).state == "available"


def test_the_customer_chooses_a_coupon_and_none(shop: Shop) -> None:
    small = _coupon(shop, amount=1000, threshold=10000)
    _coupon(shop, amount=2000, threshold=19900)
    cart = fill(shop, dresses=1)
    checkout.cart_choose_coupons(cart=cart, coupon_ids=[small])
    view = cart_reads.cart_view(checkout.cart_for_customer(shop.customer))
    assert view.promoted.coupon_ids == (small,)
    assert view.priced.total == Money(19900 - 1000)
    checkout.cart_choose_coupons(cart=cart, coupon_ids=[])
    assert cart_reads.cart_view(checkout.cart_for_customer(shop.customer)).priced.total == Money(19900)
    order = place(shop, coupon_ids=[small], expected_total_fen=18900)
    assert order.total_fen == 18900
    assert checkout.cart_for_customer(shop.customer).coupon_choice is None  # the choice went with the order


def test_a_chosen_coupon_the_order_cannot_take_is_refused_not_dropped(shop: Shop) -> None:
    small = _coupon(shop, amount=1000, threshold=10000)
    big = _coupon(shop, amount=2000, threshold=19900)
    fill(shop, dresses=1)
    with pytest.raises(ValidationFailed) as refused:  # one money-off coupon per order: both cannot apply
        place(shop, coupon_ids=[small, big])
    assert refused.value.details["reason"] == "not_applicable"
    assert not Order.objects.exists()


def test_a_forged_coupon_or_price_is_refused_and_nothing_changes(
    shop: Shop, promote: MakePromotion, second_customer: Any
) -> None:
    promote("spend_tier", tiers((200, 30)))
    theirs = second_customer("13900139000")
    now = timezone.now()
    template = coupons.coupon_template_save(
        actor=SYSTEM,
        draft=coupons.TemplateDraft(
            name="满100减50",
            kind=CouponKind.AMOUNT,
            amount=Money(5000),
            threshold=Money(10000),
            claim_starts_at=now - timedelta(hours=1),
            claim_ends_at=now + timedelta(days=7),
            validity_kind=ValidityKind.FIXED,
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=7),
            channels=(ClaimChannel.CLAIM_CENTRE,),
        ),
    )
    someone_elses = coupons.coupon_claim(customer=theirs, channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk)
    cart = fill(shop, dresses=2)
    available = stock_reads.sku_availability([shop.dress.pk])[shop.dress.pk]
    forgeries: list[Any] = [[someone_elses.pk], [999_999], ["1"]]
    for forged in forgeries:
        with pytest.raises(ValidationFailed):
            place(shop, coupon_ids=forged)
        with pytest.raises(ValidationFailed):
            checkout.cart_choose_coupons(cart=cart, coupon_ids=forged)
    with pytest.raises(ShopkeeperError):  # the total the customer "saw" is not ours
        place(shop, expected_total_fen=100)
    assert not Order.objects.exists()
    assert not PromotionUse.objects.exists()
    assert CartLine.objects.filter(cart=cart).count() == 1
    assert stock_reads.sku_availability([shop.dress.pk])[shop.dress.pk] == available
    assert checkout.cart_for_customer(shop.customer).coupon_choice is None
    from shopkeeper.promotions.coupons.models import Coupon

    assert Coupon.objects.get(pk=someone_elses.pk).state == "available"


def test_a_checkout_with_promotions_and_a_coupon_stays_bounded(shop: Shop, promote: MakePromotion) -> None:
    promote("spend_tier", tiers((200, 30), (500, 100)))
    promote("nth_item", {"n": 2, "percent_off": 50}, scope={"sku_ids": [shop.cup.pk]})
    promote("free_shipping", {"min_items": 3})
    _coupon(shop, amount=1000, threshold=10000)
    fill(shop, dresses=1, cups=2)
    with CaptureQueriesContext(connection) as queries:
        order = place(shop)
    assert order.discount_fen > 0
    # the plain checkout's 27, plus the SKUs' promotion facts, the coupon lock (read + write), the
    # order's line ids and the uses written
    assert len(queries) <= 33, "\n".join(q["sql"][:150] for q in queries)


def test_pricing_does_not_depend_on_the_order_lines_were_added(shop: Shop, promote: MakePromotion) -> None:
    promote("spend_tier", tiers((200, 30), (300, 50)))
    promote("percent_off", {"percent_off": 10}, scope={"sku_ids": [shop.cup.pk]}, stacks=True)
    fill(shop, cups=3, dresses=1)
    one = cart_reads.cart_view(checkout.cart_for_customer(shop.customer)).priced
    CartLine.objects.all().delete()
    fill(shop, dresses=1, cups=3)
    other = cart_reads.cart_view(checkout.cart_for_customer(shop.customer)).priced
    assert replace(one, explanation=()) == replace(other, explanation=())
    assert one.total == other.total
