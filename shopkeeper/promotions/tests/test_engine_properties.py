"""The engine's invariants on random carts and random rule sets (hypothesis)."""

from __future__ import annotations

import random
from typing import TypedDict

from hypothesis import given, settings
from hypothesis import strategies as st

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import Wording
from shopkeeper.promotions.domain import engine
from shopkeeper.promotions.domain.base import Gift, Rule, Scope, Shopper
from shopkeeper.promotions.domain.engine import PromotedCart
from shopkeeper.promotions.domain.rules import (
    Bundle,
    BuyXGetY,
    CouponDiscount,
    CouponKind,
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
from shopkeeper.promotions.domain.simulator import SimCart, simulate
from shopkeeper.promotions.tests.engine_cart import FREE_OVER_99, Cart

CATEGORIES = (1, 2, 3)


class Common(TypedDict):
    rule_id: str
    label: str
    scope: Scope
    stacks: bool
    floor: Floor


scopes = st.one_of(
    st.just(Scope()),
    st.builds(lambda c: Scope(category_ids=frozenset({c})), st.sampled_from(CATEGORIES)),
    st.builds(lambda s: Scope(sku_ids=frozenset({s})), st.integers(0, 5)),
)
floors = st.one_of(
    st.just(Floor()),
    st.builds(lambda m: Floor(min_margin_percent=m), st.integers(0, 50)),
    st.builds(lambda p: Floor(min_price=Money(p)), st.integers(0, 20_000)),
)
fen = st.integers(min_value=1, max_value=60_000)


@st.composite
def ladders(draw: st.DrawFn) -> tuple[Tier, ...]:
    thresholds = sorted(draw(st.sets(st.integers(1_000, 100_000), min_size=1, max_size=3)))
    offs = sorted(draw(st.sets(st.integers(1, 999), min_size=len(thresholds), max_size=len(thresholds))))
    return tuple(Tier(Money(t), Money(o * t // 1_000)) for t, o in zip(thresholds, offs, strict=True))


@st.composite
def one_rule(draw: st.DrawFn, index: int) -> Rule:
    common = Common(
        rule_id=f"r:{index:02d}",
        label=f"rule{index}",
        scope=draw(scopes),
        stacks=draw(st.booleans()),
        floor=draw(floors),
    )
    kind = draw(st.integers(0, 10))
    if kind == 0:
        return SpendTier(tiers=draw(ladders()), **common)
    if kind == 1:
        return SpendTier(
            repeat_every=Money(draw(st.integers(1_000, 30_000))), repeat_off=Money(draw(st.integers(1, 999))), **common
        )
    if kind == 2:
        return PercentOff(percent_off=draw(st.integers(1, 100)), **common)
    if kind == 3:
        return FixedOff(off_per_unit=Money(draw(fen)), **common)
    if kind == 4:
        return NthItem(n=draw(st.integers(2, 4)), percent_off=draw(st.integers(1, 100)), **common)
    if kind == 5:
        return BuyXGetY(buy=draw(st.integers(1, 3)), get=draw(st.integers(1, 2)), **common)
    if kind == 6:
        return Bundle(sku_ids=(0, 1 + draw(st.integers(0, 4))), price=Money(draw(fen)), **common)
    if kind == 7:
        return MemberPrice(prices={"gold": {s: Money(draw(fen)) for s in range(3)}}, **common)
    if kind == 8:
        return GiftWithPurchase(
            threshold=Money(draw(st.integers(1, 50_000))), gift=Gift(sku_id=999, quantity=1, label="gift"), **common
        )
    if kind == 9:
        return FreeShipping(
            over=draw(st.one_of(st.none(), st.builds(Money, fen))),
            min_items=draw(st.one_of(st.none(), st.integers(1, 4))),
            **common,
        )
    kinds: tuple[CouponKind, ...] = ("amount", "percent", "free_shipping")
    coupon_kind = draw(st.sampled_from(kinds))
    threshold = Money(draw(st.integers(0, 50_000)))
    return CouponDiscount(
        kind=coupon_kind,
        amount=Money(draw(st.integers(1, 20_000))),
        percent_off=draw(st.integers(1, 100)),
        cap=draw(st.one_of(st.none(), st.builds(Money, fen))),
        threshold=threshold,
        **common,
    )


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Rule]:
    count = draw(st.integers(0, 6))
    return [draw(one_rule(index)) for index in range(count)]


@st.composite
def carts(draw: st.DrawFn) -> Cart:
    cart = Cart()
    for index in range(draw(st.integers(1, 6))):
        price = Money(draw(st.integers(0, 80_000)))
        cost = Money(draw(st.integers(0, 60_000)))
        cart.add(
            f"K{index}",
            price,
            draw(st.integers(1, 5)),
            sku=draw(st.integers(0, 5)) if index else 0,
            categories=frozenset({draw(st.sampled_from(CATEGORIES))}),
            cost=cost,
        )
    return cart


def price(cart: Cart, rules: list[Rule]) -> PromotedCart:
    return cart.price(*rules, shipping=FREE_OVER_99, tier="gold")


def unit_floor(rule: Rule, cart: Cart, key: str) -> int:
    floor: Floor = getattr(rule, "floor", Floor())
    return floor.unit_floor(cart.items[key].cost)


@settings(max_examples=150, deadline=None)
@given(carts(), rule_sets(), st.randoms(use_true_random=False))
def test_invariants(cart: Cart, rules: list[Rule], rnd: random.Random) -> None:
    promoted = price(cart, rules)
    priced = promoted.priced
    # total ≥ 0, discount ≤ subtotal, lines sum exactly
    assert priced.total.fen >= 0
    assert 0 <= priced.discount.fen <= priced.subtotal.fen
    assert all(line.total.fen >= 0 for line in priced.lines)
    assert sum(line.total.fen for line in priced.lines) == priced.goods_total.fen
    assert priced.total == priced.goods_total + priced.shipping
    # every rule's apportioned shares sum to what it took off, and all of them to the cart's discount
    assert sum(a.discount.fen for a in promoted.applied) == priced.discount.fen
    for applied in promoted.applied:
        assert sum(share.fen for _, share in applied.shares) == applied.discount.fen
    # floors held: a line is never below the floor of a rule that took money off it
    by_id = {rule.rule_id: rule for rule in rules}
    for line in priced.lines:
        touched = [by_id[a.rule_id] for a in promoted.applied if dict(a.shares).get(line.key, Money(0)).fen > 0]
        if touched:
            floor = max(unit_floor(rule, cart, line.key) for rule in touched) * line.quantity
            assert line.total.fen >= min(floor, line.subtotal.fen)
    # deterministic and independent of the order of lines and rules
    shuffled = Cart()
    shuffled.lines = list(cart.lines)
    shuffled.items = dict(cart.items)
    rnd.shuffle(shuffled.lines)
    again = list(rules)
    rnd.shuffle(again)
    assert price(shuffled, again) == promoted
    # never worse for the customer than any single applicable rule alone
    for rule in rules:
        assert priced.total.fen <= price(cart, [rule]).priced.total.fen


@settings(max_examples=60, deadline=None)
@given(carts(), rule_sets())
def test_no_line_goes_below_zero_even_without_floors(cart: Cart, rules: list[Rule]) -> None:
    promoted = price(cart, rules)
    for line in promoted.priced.lines:
        assert 0 <= line.discount.fen <= line.subtotal.fen


@settings(max_examples=60, deadline=None)
@given(carts(), rule_sets())
def test_the_simulator_counts_exactly_what_the_cart_charges(cart: Cart, rules: list[Rule]) -> None:
    promoted = price(cart, rules)
    sim = SimCart(lines=tuple(cart.lines), items=cart.items, shopper=Shopper(customer_id=1, tier="gold"))
    projection = simulate([sim], rules, FREE_OVER_99)
    priced = promoted.priced
    assert (projection.subtotal, projection.gmv, projection.shipping) == (
        priced.subtotal,
        priced.goods_total,
        priced.shipping,
    )
    waived = sum(a.shipping_off.fen for a in promoted.applied)
    assert projection.discount_cost.fen == priced.discount.fen + waived
    assert {(u.rule_id, u.discount, u.shipping_off) for u in projection.uses} == {
        (a.rule_id, a.discount, a.shipping_off) for a in promoted.applied
    }
    assert projection.gifts == sum(gift.quantity for gift in promoted.gifts)


@st.composite
def bigger_rule_sets(draw: st.DrawFn) -> list[Rule]:
    count = draw(st.integers(2, 12))
    return [draw(one_rule(index)) for index in range(count)]


@settings(max_examples=200, deadline=None)
@given(carts(), bigger_rule_sets())
def test_the_rules_the_search_leaves_out_never_change_the_answer(cart: Cart, rules: list[Rule]) -> None:
    """The search skips rules that cannot enter the beam, rules that cannot apply to the cart,
    and single rules that cannot beat the result; with skipping off it looks at every one."""
    skipping = price(cart, rules)
    engine._Pricer.skips = False
    try:
        looking = price(cart, rules)
    finally:
        engine._Pricer.skips = True
    assert (skipping.priced, skipping.applied, skipping.gifts) == (looking.priced, looking.applied, looking.gifts)
    assert set(skipping.nudges) == set(looking.nudges)


@settings(max_examples=150, deadline=None)
@given(carts(), bigger_rule_sets())
def test_leaving_the_nudges_out_changes_no_figure(cart: Cart, rules: list[Rule]) -> None:
    """The simulator asks the engine not to collect nudges; the price is the same without them."""

    def outcome(nudges: bool) -> PromotedCart:
        return engine.promoted_outcome(
            cart.lines,
            items=cart.items,
            rules=rules,
            shipping=FREE_OVER_99,
            region=None,
            shopper=Shopper(customer_id=1, tier="gold"),
            wording=Wording(),
            nudges=nudges,
        ).cart()

    told, quiet = outcome(True), outcome(False)
    assert (quiet.priced, quiet.applied, quiet.gifts) == (told.priced, told.applied, told.gifts)
    assert set(quiet.nudges) <= set(told.nudges)
