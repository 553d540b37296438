"""Every mechanic's math, exact to the fen, and the explanation the cart shows."""

from __future__ import annotations

import pytest

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import PricingError, price_cart
from shopkeeper.promotions.domain.base import Gift, Group, Scope
from shopkeeper.promotions.domain.rules import (
    Bundle,
    BuyXGetY,
    CouponDiscount,
    FixedOff,
    Floor,
    FreeShipping,
    GiftWithPurchase,
    MemberPrice,
    NthItem,
    PercentOff,
    SpendTier,
    Tier,
)
from shopkeeper.promotions.tests.engine_cart import FREE_OVER_99, NO_FREE, Cart, yuan

LADDER = SpendTier(
    rule_id="promo:1",
    label="满500减100",
    tiers=(Tier(yuan(200), yuan(30)), Tier(yuan(500), yuan(100))),
)


def test_no_rules_prices_exactly_like_the_pipeline() -> None:
    cart = Cart().add("A", yuan("199.00"), 2).add("B", yuan(59))
    promoted = cart.price(shipping=FREE_OVER_99)
    assert promoted.priced == price_cart(cart.lines, shipping=FREE_OVER_99, region=None)
    assert promoted.applied == ()


@pytest.mark.parametrize(("spend", "off"), [(199, 0), (200, 30), (499, 30), (500, 100), (900, 100)])
def test_the_highest_tier_reached_applies(spend: int, off: int) -> None:
    promoted = Cart().add("A", yuan(spend)).price(LADDER)
    assert promoted.priced.discount == yuan(off)


def test_a_ladder_nudges_towards_the_next_tier() -> None:
    promoted = Cart().add("A", yuan(420)).price(LADDER)
    assert promoted.nudges == ("Spend ¥80.00 more for ¥100.00 off (满500减100)",)


def test_a_rule_the_search_skips_still_nudges() -> None:
    """满1000减60 cannot beat 满100减50 on a ¥200 cart, so the search never evaluates it while
    choosing; its nudge is still worked out for the cart shown."""
    small = SpendTier(rule_id="promo:3", label="满100减50", tiers=(Tier(yuan(100), yuan(50)),))
    big = SpendTier(rule_id="promo:4", label="满1000减60", tiers=(Tier(yuan(1000), yuan(60)),))
    promoted = Cart().add("A", yuan(200)).price(big, small)
    assert promoted.priced.discount == yuan(50)
    assert promoted.nudges == ("Spend ¥800.00 more for ¥60.00 off (满1000减60)",)


def test_repeating_reduction_with_a_cap() -> None:
    every = SpendTier(
        rule_id="promo:2", label="每满100减20", repeat_every=yuan(100), repeat_off=yuan(20), repeat_cap=yuan(60)
    )
    assert Cart().add("A", yuan(250)).price(every).priced.discount == yuan(40)
    assert Cart().add("A", yuan(990)).price(every).priced.discount == yuan(60)


def test_order_discount_is_apportioned_with_the_remainder_on_the_last_line_and_explained() -> None:
    coupon = CouponDiscount(rule_id="coupon:9", label="coupon", kind="amount", amount=yuan(20), threshold=yuan(100))
    promoted = Cart().add("A", yuan(260), 2).add("B", yuan(50)).price(LADDER, coupon)
    lines = promoted.priced.lines
    # 满减 ¥100 over ¥520 : ¥50 → 9122 + 878 fen; the coupon's ¥20 over what is left (¥428.78 : ¥41.22)
    # → 1824 + 176 fen: the remainder always on the last line.
    assert [line.discount.fen for line in lines] == [9122 + 1824, 878 + 176]
    assert sum(line.total.fen for line in lines) == promoted.priced.goods_total.fen == 57000 - 12000
    assert lines[0].explanation == (
        "¥260.00 × 2 = ¥520.00",
        "− ¥91.22 满500减100 (¥100.00)",
        "− ¥18.24 coupon (¥20.00)",
    )
    assert promoted.priced.explanation == (
        "Subtotal ¥570.00",
        "− ¥100.00 满500减100",
        "− ¥20.00 coupon",
        "Shipping ¥10.00",
        "Total ¥460.00",
    )
    shares = {applied.rule_id: dict(applied.shares) for applied in promoted.applied}
    assert shares["promo:1"] == {"A": Money(9122), "B": Money(878)}
    assert sum(applied.discount.fen for applied in promoted.applied) == promoted.priced.discount.fen


def test_percent_and_fixed_off_on_a_category_brand_or_product() -> None:
    cart = (
        Cart().add("A", yuan(100), categories=frozenset({7})).add("B", yuan(80), brand=3).add("C", yuan(50), product=42)
    )
    by_category = PercentOff(rule_id="p:1", label="8折", percent_off=20, scope=Scope(category_ids=frozenset({7})))
    by_brand = FixedOff(
        rule_id="p:2", label="直降", off_per_unit=yuan(15), scope=Scope(brand_ids=frozenset({3})), stacks=True
    )
    by_product = PercentOff(
        rule_id="p:3", label="9折", percent_off=10, scope=Scope(product_ids=frozenset({42})), stacks=True
    )
    promoted = cart.price(by_category, by_brand, by_product)
    assert [line.discount for line in promoted.priced.lines] == [yuan(20), yuan(15), yuan(5)]


def test_a_percentage_rounds_half_up_to_the_fen() -> None:
    # 15 % of ¥0.99 = 14.85 fen → 15 fen
    promoted = Cart().add("A", Money(99)).price(PercentOff(rule_id="p:1", label="85折", percent_off=15))
    assert promoted.priced.discount == Money(15)


def test_excluded_products_are_left_out() -> None:
    rule = PercentOff(rule_id="p:1", label="8折", percent_off=20, scope=Scope(excluded_product_ids=frozenset({42})))
    promoted = Cart().add("A", yuan(100)).add("B", yuan(100), product=42).price(rule)
    assert [line.discount for line in promoted.priced.lines] == [yuan(20), Money(0)]


def test_second_item_half_price_goes_to_the_cheaper_units() -> None:
    rule = NthItem(rule_id="p:1", label="第二件半价", n=2, percent_off=50)
    promoted = Cart().add("A", yuan(100)).add("B", yuan(60)).price(rule)
    assert [line.discount for line in promoted.priced.lines] == [Money(0), yuan(30)]
    three = Cart().add("A", yuan(100), 3).price(rule)
    assert three.priced.discount == yuan(50)  # one of every two units


def test_buy_one_get_one_the_cheaper_free() -> None:
    rule = BuyXGetY(rule_id="p:1", label="买一送一", buy=1, get=1)
    promoted = Cart().add("A", yuan(100)).add("B", yuan(90)).add("C", yuan(80)).add("D", yuan(70)).price(rule)
    assert [line.discount for line in promoted.priced.lines] == [Money(0), yuan(90), Money(0), yuan(70)]
    odd = Cart().add("A", yuan(100), 3).price(rule)
    assert odd.priced.discount == yuan(100)  # the third unit has no pair


def test_buy_two_get_one_on_one_line() -> None:
    rule = BuyXGetY(rule_id="p:1", label="买二送一", buy=2, get=1)
    assert Cart().add("A", Money(1001), 6).price(rule).priced.discount == Money(2002)


def test_bundle_at_a_fixed_price_splits_the_saving_by_value() -> None:
    rule = Bundle(rule_id="p:1", label="组合价¥99", sku_ids=(1, 2), price=yuan(99))
    promoted = Cart().add("A", yuan(80), 2, sku=1).add("B", yuan(40), sku=2).add("C", yuan(10), sku=3).price(rule)
    # one set (B limits it): ¥80 + ¥40 = ¥120 for ¥99, ¥21 off split 2 : 1
    assert [line.discount for line in promoted.priced.lines] == [yuan(14), yuan(7), Money(0)]


def test_member_prices_per_tier() -> None:
    rule = MemberPrice(rule_id="p:1", label="会员价", prices={"gold": {1: yuan(80)}, "silver": {1: yuan(90)}})
    cart = Cart().add("A", yuan(100), 2, sku=1)
    assert cart.price(rule, tier="gold").priced.discount == yuan(40)
    assert cart.price(rule, tier="silver").priced.discount == yuan(20)
    assert cart.price(rule).priced.discount == Money(0)


def test_gift_with_purchase_is_returned_not_priced() -> None:
    gift = Gift(sku_id=99, quantity=1, label="帆布袋")
    rule = GiftWithPurchase(rule_id="p:1", label="满300赠", threshold=yuan(300), gift=gift)
    assert Cart().add("A", yuan(300)).price(rule).gifts == (gift,)
    short = Cart().add("A", yuan(250)).price(rule)
    assert short.gifts == ()
    assert short.nudges == ("Spend ¥50.00 more for a free 帆布袋 (满300赠)",)
    trigger = GiftWithPurchase(rule_id="p:2", label="买茶赠杯", trigger_product_ids=frozenset({42}), gift=gift)
    assert Cart().add("A", yuan(10), product=42).price(trigger).gifts == (gift,)
    assert Cart().add("A", yuan(10)).price(trigger).gifts == ()


def test_free_shipping_over_an_amount_or_on_n_items() -> None:
    over = FreeShipping(rule_id="s:1", label="满59包邮", over=yuan(59))
    items = FreeShipping(rule_id="s:2", label="3件包邮", min_items=3)
    assert Cart().add("A", yuan(59)).price(over).priced.shipping == Money(0)
    assert Cart().add("A", yuan(58)).price(over).priced.shipping == yuan(10)
    assert Cart().add("A", yuan(5), 3).price(items).priced.shipping == Money(0)
    two = Cart().add("A", yuan(5), 2).price(items)
    assert two.priced.shipping == yuan(10)
    assert two.nudges == ("Add 1 more item(s) for free shipping (3件包邮)",)
    free = Cart().add("A", yuan(59)).price(over)
    assert free.applied[0].shipping_off == yuan(10)
    assert free.applied[0].discount == Money(0)
    assert free.priced.explanation[-2] == "Shipping ¥10.00 − ¥10.00 满59包邮"


def test_free_shipping_excluded_regions_pay() -> None:
    rule = FreeShipping(rule_id="s:1", label="包邮", excluded_regions=frozenset({"xinjiang"}))
    assert Cart().add("A", yuan(5)).price(rule, region="xinjiang").priced.shipping == yuan(10)


def test_coupon_percent_with_cap_threshold_and_scope() -> None:
    coupon = CouponDiscount(
        rule_id="coupon:1",
        label="9折券",
        kind="percent",
        percent_off=10,
        cap=yuan(15),
        threshold=yuan(100),
        scope=Scope(brand_ids=frozenset({3})),
    )
    assert Cart().add("A", yuan(120), brand=3).add("B", yuan(500)).price(coupon).priced.discount == yuan(12)
    assert Cart().add("A", yuan(400), brand=3).price(coupon).priced.discount == yuan(15)
    below = Cart().add("A", yuan(90), brand=3).add("B", yuan(500)).price(coupon)
    assert below.priced.discount == Money(0)
    assert below.nudges == ("Spend ¥10.00 more to use 9折券",)


def test_the_best_exclusive_coupon_is_chosen_and_only_one() -> None:
    small = CouponDiscount(rule_id="coupon:1", label="¥10券", kind="amount", amount=yuan(10))
    big = CouponDiscount(rule_id="coupon:2", label="¥30券", kind="amount", amount=yuan(30), threshold=yuan(200))
    promoted = Cart().add("A", yuan(250)).price(small, big)
    assert [a.rule_id for a in promoted.applied] == ["coupon:2"]
    assert promoted.priced.discount == yuan(30)


def test_a_free_shipping_coupon_is_not_used_when_the_shop_ships_free_anyway() -> None:
    ship = CouponDiscount(rule_id="coupon:1", label="免邮券", kind="free_shipping")
    assert Cart().add("A", yuan(120)).price(ship, shipping=FREE_OVER_99).applied == ()
    used = Cart().add("A", yuan(20)).price(ship, shipping=FREE_OVER_99)
    assert [(a.rule_id, a.shipping_off, a.group) for a in used.applied] == [("coupon:1", yuan(10), Group.COUPON)]
    assert used.priced.total == yuan(20)


def test_a_discount_that_costs_the_free_shipping_is_left_out() -> None:
    """¥0.01 off a ¥99.00 cart that ships free over ¥99.00 would make the customer pay ¥10.00
    shipping: the engine prices the choice with the fee it brings back and keeps the cart as it is."""
    penny = SpendTier(rule_id="promo:1", label="满10减0.01", tiers=(Tier(yuan(10), Money(1)),))
    promoted = Cart().add("A", yuan("24.75"), 4).price(penny, shipping=FREE_OVER_99)
    assert promoted.applied == ()
    assert promoted.priced.total == yuan(99)
    worth_it = SpendTier(rule_id="promo:2", label="满10减20", tiers=(Tier(yuan(10), yuan(20)),))
    assert Cart().add("A", yuan("24.75"), 4).price(worth_it, shipping=FREE_OVER_99).priced.total == yuan(89)


def test_stacking_promotions_that_cost_the_free_shipping_are_left_out_too() -> None:
    """A stacking rule always applies with the others; when all of them together leave the
    customer paying more than none (¥0.09 off a ¥99.00 cart brings ¥10.00 shipping back), the
    cart is priced without promotions and still nudges towards them."""
    pennies = SpendTier(
        rule_id="promo:2", label="每满10减0.01", repeat_every=yuan(10), repeat_off=Money(1), stacks=True
    )
    promoted = Cart().add("A", yuan("24.75"), 4).price(pennies, LADDER, shipping=FREE_OVER_99)
    assert promoted.applied == ()
    assert promoted.priced.total == yuan(99)
    assert any("满500减100" in nudge for nudge in promoted.nudges)


def test_order_of_application_item_then_order_then_coupon() -> None:
    item = PercentOff(rule_id="p:9", label="9折", percent_off=10)
    coupon = CouponDiscount(rule_id="coupon:1", label="coupon", kind="amount", amount=yuan(20), threshold=yuan(400))
    promoted = Cart().add("A", yuan(600)).price(coupon, LADDER, item)
    # ¥600 → 9折 ¥540 → 满500减100 ¥440 → coupon (threshold ¥400 on what is left) ¥420
    assert promoted.priced.goods_total == yuan(420)
    assert [a.group for a in promoted.applied] == [Group.ITEM, Group.ORDER, Group.COUPON]


def test_the_search_gives_up_an_exclusive_item_discount_when_the_tier_is_worth_more() -> None:
    # 5 % off would take ¥500 to ¥475, below 满500减100: skipping it saves the customer more.
    item = PercentOff(rule_id="p:9", label="95折", percent_off=5)
    promoted = Cart().add("A", yuan(500)).price(item, LADDER)
    assert promoted.priced.goods_total == yuan(400)
    assert [a.rule_id for a in promoted.applied] == ["promo:1"]


def test_a_stacking_rule_that_spoils_a_tier_loses_to_the_tier_alone() -> None:
    item = PercentOff(rule_id="p:9", label="95折", percent_off=5, stacks=True)
    promoted = Cart().add("A", yuan(500)).price(item, LADDER)
    assert promoted.priced.goods_total == yuan(400)


def test_stacking_rules_of_a_group_all_apply() -> None:
    a = PercentOff(rule_id="p:1", label="9折", percent_off=10, stacks=True)
    b = FixedOff(rule_id="p:2", label="直降", off_per_unit=yuan(5), stacks=True)
    promoted = Cart().add("A", yuan(100)).price(a, b)
    assert promoted.priced.goods_total == yuan(85)  # in id order: 10 % of ¥100, then ¥5


def test_a_line_is_never_priced_below_its_floor() -> None:
    floor_rule = PercentOff(rule_id="p:1", label="5折", percent_off=50, floor=Floor(min_margin_percent=20))
    promoted = Cart().add("A", yuan(100), 2, cost=yuan(60)).price(floor_rule)
    assert promoted.priced.line("A").total == yuan(144)  # cost ¥60 × 1.20 × 2
    assert promoted.applied[0].discount == yuan(56)


def test_rules_outside_their_window_are_left_out() -> None:
    from datetime import UTC, datetime

    from shopkeeper.pricing.domain.pipeline import Wording
    from shopkeeper.promotions.domain.base import Shopper
    from shopkeeper.promotions.domain.engine import price_promoted

    now = datetime(2026, 12, 12, tzinfo=UTC)
    later = PercentOff(rule_id="p:1", label="8折", percent_off=20, starts_at=datetime(2026, 12, 13, tzinfo=UTC))
    cart = Cart().add("A", yuan(100))
    promoted = price_promoted(
        cart.lines,
        items=cart.items,
        rules=[later],
        shipping=NO_FREE,
        region=None,
        shopper=Shopper(),
        wording=Wording(),
        now=now,
    )
    assert promoted.priced.discount == Money(0)


def test_two_rules_with_one_id_are_refused() -> None:
    rule = PercentOff(rule_id="p:1", label="8折", percent_off=20)
    with pytest.raises(PricingError, match="own id"):
        Cart().add("A", yuan(100)).price(rule, rule)


def test_an_order_discount_moves_to_lines_with_room_above_their_floor() -> None:
    ladder = SpendTier(
        rule_id="promo:5", label="满200减50", tiers=(Tier(yuan(200), yuan(50)),), floor=Floor(min_margin_percent=20)
    )
    # A costs ¥90: its floor ¥108 is above its price, so it takes none; B (cost ¥10) takes it all
    promoted = Cart().add("A", yuan(100), cost=yuan(90)).add("B", yuan(100), cost=yuan(10)).price(ladder)
    assert [line.discount for line in promoted.priced.lines] == [Money(0), yuan(50)]
    assert promoted.applied[0].discount == yuan(50)


def test_the_search_weighs_an_item_choice_against_a_coupon_threshold() -> None:
    # Two exclusive item rules: 10 % off (¥30) keeps the cart at ¥270, over the ¥250 coupon's
    # threshold (¥60 off); ¥60 off each unit (¥60) leaves ¥240 and loses the coupon.
    ten = PercentOff(rule_id="p:1", label="9折", percent_off=10)
    sixty = FixedOff(rule_id="p:2", label="直降60", off_per_unit=yuan(60))
    coupon = CouponDiscount(rule_id="coupon:1", label="满250减60", kind="amount", amount=yuan(60), threshold=yuan(250))
    promoted = Cart().add("A", yuan(300)).price(ten, sixty, coupon)
    assert [a.rule_id for a in promoted.applied] == ["p:1", "coupon:1"]
    assert promoted.priced.goods_total == yuan(210)


def test_an_empty_cart_costs_nothing_whatever_the_rules() -> None:
    promoted = Cart().price(LADDER, FreeShipping(rule_id="s:1", label="包邮"), shipping=FREE_OVER_99)
    assert (promoted.priced.total, promoted.priced.shipping, promoted.applied) == (Money(0), Money(0), ())
