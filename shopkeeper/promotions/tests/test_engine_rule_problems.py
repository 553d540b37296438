"""Bad rules are named with a stable code and the field at fault; good ones have no problems."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TypedDict

import pytest

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.domain.base import CartItem, Gift, Scope
from shopkeeper.promotions.domain.margin import SkuPrice, margin_verdict
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
    rule_problems,
)
from shopkeeper.promotions.tests.engine_cart import yuan


class Base(TypedDict):
    rule_id: str
    label: str


BASE = Base(rule_id="promo:1", label="促销")
GIFT = Gift(sku_id=9, quantity=1, label="帆布袋")

GOOD = [
    SpendTier(tiers=(Tier(yuan(200), yuan(30)), Tier(yuan(500), yuan(100))), **BASE),
    SpendTier(repeat_every=yuan(100), repeat_off=yuan(20), repeat_cap=yuan(100), **BASE),
    PercentOff(percent_off=100, **BASE),
    FixedOff(off_per_unit=yuan(5), **BASE),
    NthItem(n=2, percent_off=50, **BASE),
    BuyXGetY(buy=1, get=1, **BASE),
    Bundle(sku_ids=(1, 2), price=yuan(99), **BASE),
    MemberPrice(prices={"gold": {1: yuan(80)}}, **BASE),
    GiftWithPurchase(threshold=yuan(300), gift=GIFT, **BASE),
    FreeShipping(over=yuan(99), **BASE),
    FreeShipping(min_items=3, **BASE),
    CouponDiscount(kind="amount", amount=yuan(20), threshold=yuan(100), **BASE),
    CouponDiscount(kind="amount", amount=yuan(5), **BASE),
    CouponDiscount(kind="percent", percent_off=10, cap=yuan(50), **BASE),
    CouponDiscount(kind="free_shipping", **BASE),
]


@pytest.mark.parametrize("rule", GOOD, ids=lambda rule: type(rule).__name__)
def test_a_sound_rule_has_no_problems(rule: object) -> None:
    assert rule_problems(rule) == []


BAD = [
    (
        SpendTier(tiers=(Tier(yuan(500), yuan(100)), Tier(yuan(200), yuan(150))), **BASE),
        "tiers.1.threshold",
        "ladder_not_increasing",
    ),
    (
        SpendTier(tiers=(Tier(yuan(200), yuan(50)), Tier(yuan(500), yuan(40))), **BASE),
        "tiers.1.off",
        "ladder_off_not_increasing",
    ),
    (SpendTier(tiers=(Tier(yuan(100), yuan(100)),), **BASE), "tiers.0.off", "off_not_below_threshold"),
    (SpendTier(**BASE), "tiers", "tiers_missing"),
    (SpendTier(repeat_every=yuan(100), **BASE), "repeat_every", "repeat_incomplete"),
    (
        SpendTier(repeat_every=yuan(100), repeat_off=yuan(20), repeat_cap=Money(0), **BASE),
        "repeat_cap",
        "cap_not_positive",
    ),
    (PercentOff(percent_off=120, **BASE), "percent_off", "percent_out_of_range"),
    (PercentOff(percent_off=0, **BASE), "percent_off", "percent_out_of_range"),
    (FixedOff(off_per_unit=Money(0), **BASE), "off_per_unit", "off_not_positive"),
    (NthItem(n=1, percent_off=50, **BASE), "n", "n_too_small"),
    (BuyXGetY(buy=0, get=1, **BASE), "buy", "buy_too_small"),
    (BuyXGetY(buy=1, get=0, **BASE), "get", "get_too_small"),
    (Bundle(sku_ids=(1,), price=yuan(9), **BASE), "sku_ids", "bundle_too_small"),
    (Bundle(sku_ids=(1, 2, 2), price=yuan(9), **BASE), "sku_ids", "bundle_duplicate_sku"),
    (MemberPrice(prices={}, **BASE), "prices", "prices_missing"),
    (MemberPrice(prices={"gold": {1: Money(0)}}, **BASE), "prices.gold.1", "price_not_positive"),
    (GiftWithPurchase(gift=Gift(sku_id=9, quantity=0, label="袋"), **BASE), "gift.quantity", "gift_quantity_too_small"),
    (FreeShipping(min_items=0, **BASE), "min_items", "min_items_too_small"),
    (CouponDiscount(kind="amount", amount=yuan(100), threshold=yuan(100), **BASE), "amount", "off_not_below_threshold"),
    (CouponDiscount(kind="amount", **BASE), "amount", "amount_missing"),
    (CouponDiscount(kind="percent", percent_off=10, cap=Money(0), **BASE), "cap", "cap_not_positive"),
    (CouponDiscount(kind="percent", percent_off=101, **BASE), "percent_off", "percent_out_of_range"),
    (CouponDiscount(kind="amount", amount=yuan(1), threshold=Money(-1), **BASE), "threshold", "threshold_negative"),
    (PercentOff(percent_off=10, rule_id="p:1", label=" "), "label", "label_missing"),
    (
        PercentOff(
            percent_off=10,
            starts_at=datetime(2026, 12, 12, tzinfo=UTC),
            ends_at=datetime(2026, 12, 11, tzinfo=UTC),
            **BASE,
        ),
        "ends_at",
        "window_ends_before_start",
    ),
    (PercentOff(percent_off=10, floor=Floor(min_price=Money(-1)), **BASE), "min_price", "floor_price_negative"),
]


@pytest.mark.parametrize(("rule", "field", "code"), BAD, ids=[code for _, _, code in BAD])
def test_a_bad_rule_is_named_with_its_field_and_code(rule: object, field: str, code: str) -> None:
    problems = rule_problems(rule)
    assert (field, code) in [(p.field, p.code) for p in problems]
    assert all(p.message for p in problems)


def item(sku: int, cost_yuan: int, *, category: int = 1) -> CartItem:
    return CartItem(key=f"S{sku}", sku_id=sku, product_id=sku, category_ids=frozenset({category}), cost=yuan(cost_yuan))


CATALOG = [SkuPrice(item=item(1, 60), price=yuan(100)), SkuPrice(item=item(2, 30, category=2), price=yuan(50))]


def test_margin_guard_names_the_skus_a_worst_case_breaks() -> None:
    rule = PercentOff(percent_off=30, floor=Floor(min_margin_percent=20), **BASE)
    verdict = margin_verdict(rule, CATALOG)
    # ¥100 at 30 % off is ¥70, under cost ¥60 × 1.2 = ¥72; ¥50 → ¥35, under ¥30 × 1.2 = ¥36.
    assert not verdict.ok
    assert [(b.sku_id, b.worst_price, b.floor_price) for b in verdict.breaches] == [
        (1, yuan(70), yuan(72)),
        (2, yuan(35), yuan(36)),
    ]


def test_margin_guard_passes_a_rule_within_the_floor_and_only_looks_at_its_scope() -> None:
    mild = PercentOff(percent_off=10, floor=Floor(min_margin_percent=20), **BASE)
    assert margin_verdict(mild, CATALOG).ok
    scoped = PercentOff(
        percent_off=30, floor=Floor(min_margin_percent=20), scope=Scope(category_ids=frozenset({2})), **BASE
    )
    assert [b.sku_id for b in margin_verdict(scoped, CATALOG).breaches] == [2]
    # the catalog may also come as (CartItem, price) pairs
    assert margin_verdict(scoped, [(row.item, row.price) for row in CATALOG]) == margin_verdict(scoped, CATALOG)


@pytest.mark.parametrize(
    ("rule", "worst_fen"),
    [
        (SpendTier(tiers=(Tier(yuan(200), yuan(30)), Tier(yuan(500), yuan(100))), **BASE), 8000),  # 20 % at most
        (BuyXGetY(buy=1, get=1, **BASE), 0),
        (FixedOff(off_per_unit=yuan(45), **BASE), 5500),
        (MemberPrice(prices={"gold": {1: yuan(65)}, "silver": {1: yuan(90)}}, **BASE), 6500),
        (CouponDiscount(kind="amount", amount=yuan(30), threshold=yuan(100), **BASE), 7000),
        (CouponDiscount(kind="free_shipping", **BASE), 10000),
        (Bundle(sku_ids=(1, 2), price=yuan(120), **BASE), 8000),  # ¥150 for ¥120: each at 80 %
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, int) else str(value),
)
def test_worst_cases(rule: object, worst_fen: int) -> None:
    floored = dataclasses.replace(rule, floor=Floor(min_price=yuan(100)))  # type: ignore[type-var]
    verdict = margin_verdict(floored, [*CATALOG[:1], SkuPrice(item=item(2, 30), price=yuan(50))])
    worst = {b.sku_id: b.worst_price.fen for b in verdict.breaches}
    assert worst.get(1, 10000) == worst_fen


def test_a_rule_without_a_floor_has_nothing_to_breach() -> None:
    assert margin_verdict(BuyXGetY(buy=1, get=1, **BASE), CATALOG).ok
