"""The campaign simulator: the projection adds up exactly what the engine would charge."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.domain.base import Gift
from shopkeeper.promotions.domain.rules import (
    CouponDiscount,
    FreeShipping,
    GiftWithPurchase,
    PercentOff,
    SpendTier,
    Tier,
)
from shopkeeper.promotions.domain.simulator import SimCart, simulate
from shopkeeper.promotions.tests.engine_cart import NO_FREE, Cart, yuan

LADDER = SpendTier(rule_id="promo:1", label="满500减100", tiers=(Tier(yuan(200), yuan(30)), Tier(yuan(500), yuan(100))))
SHIP = FreeShipping(rule_id="promo:2", label="满99包邮", over=yuan(99))
GIFT = GiftWithPurchase(
    rule_id="promo:3", label="满300赠", threshold=yuan(300), gift=Gift(sku_id=9, quantity=2, label="袋"), stacks=True
)


def sim_cart(*prices: int, cost_share: int = 50) -> SimCart:
    cart = Cart()
    for index, price in enumerate(prices):
        cart.add(f"K{index}", yuan(price), cost=yuan(price * cost_share // 100))
    return SimCart(lines=tuple(cart.lines), items=cart.items)


CARTS = [sim_cart(80), sim_cart(150, 100), sim_cart(520), sim_cart(60, 40, 30)]


def test_projection_adds_up_what_each_order_would_pay() -> None:
    projection = simulate(CARTS, [LADDER, SHIP, GIFT], NO_FREE)
    assert projection.orders == 4
    assert projection.subtotal == yuan(80 + 250 + 520 + 130)
    # ¥250 reaches the first tier (−¥30), ¥520 the second (−¥100)
    assert projection.gmv == yuan(980 - 130)
    # every cart but the ¥80 one ships free (¥10 each): 3 × ¥10 waived
    assert projection.shipping == yuan(10)
    assert projection.discount_cost == yuan(130 + 30)
    assert projection.cost == yuan(490)
    assert projection.margin == projection.gmv - projection.cost
    assert projection.costed_gmv == projection.gmv
    assert projection.gifts == 2  # the ¥520 order reaches 满300赠
    assert projection.tier_share == {"promo:1:20000": (2, 4), "promo:1:50000": (1, 4)}
    uses = {use.rule_id: (use.orders, use.discount, use.shipping_off) for use in projection.uses}
    assert uses == {
        "promo:1": (2, yuan(130), Money(0)),
        "promo:2": (3, Money(0), yuan(30)),
        "promo:3": (1, Money(0), Money(0)),
    }


def test_tiers_count_spend_after_item_promotions() -> None:
    item = PercentOff(rule_id="promo:4", label="8折", percent_off=20, stacks=True)
    # ¥520 at 8折 is ¥416: the first tier (¥386 in all beats ¥420 with the ladder alone), not the second
    projection = simulate([sim_cart(520)], [item, LADDER], NO_FREE)
    assert projection.gmv == yuan(386)
    assert projection.tier_share == {"promo:1:20000": (1, 1), "promo:1:50000": (0, 1)}


def test_no_rules_is_the_plain_cart() -> None:
    projection = simulate(CARTS, [], NO_FREE)
    assert projection.gmv == projection.subtotal
    assert projection.discount_cost == Money(0)
    assert projection.shipping == yuan(40)
    assert projection.uses == ()


@settings(max_examples=40, deadline=None)
@given(st.permutations(CARTS), st.integers(0, 30_000))
def test_the_projection_does_not_depend_on_the_order_of_carts(carts: list[SimCart], amount: int) -> None:
    coupon = CouponDiscount(
        rule_id="coupon:1", label="券", kind="amount", amount=Money(amount + 1), threshold=yuan(100)
    )
    assert simulate(carts, [LADDER, coupon], NO_FREE) == simulate(CARTS, [LADDER, coupon], NO_FREE)
