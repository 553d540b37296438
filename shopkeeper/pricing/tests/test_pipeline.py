"""The pricing pipeline: exact sums, apportioning, shipping thresholds, order independence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import (
    LineAdjustment,
    LineInput,
    OrderAdjustment,
    PricedLine,
    PricingError,
    ShippingRate,
    ShippingTable,
    price_cart,
)

SHIPPING = ShippingTable(
    default=ShippingRate(Money(1000), free_over=Money(9900)),
    regions={"east": ShippingRate(Money(800), free_over=Money(9900)), "northwest": ShippingRate(Money(1500))},
)
NO_FREE = ShippingTable(default=ShippingRate(Money(800)))


def line(key: str, price_fen: int, quantity: int = 1) -> LineInput:
    return LineInput(
        key=key, sku_id=abs(hash(key)) % 10_000, title=f"商品{key}", unit_price=Money(price_fen), quantity=quantity
    )


@dataclass(frozen=True)
class TakeOff:
    """A test stage: a fixed order discount, optionally on some lines, and item discounts."""

    order_fen: int = 0
    keys: tuple[str, ...] | None = None
    item: tuple[tuple[str, int], ...] = ()

    def adjustments(self, lines: Sequence[PricedLine]) -> list[LineAdjustment | OrderAdjustment]:
        found: list[LineAdjustment | OrderAdjustment] = [
            LineAdjustment(key=key, amount=Money(fen), label="直降") for key, fen in self.item
        ]
        if self.order_fen:
            found.append(OrderAdjustment(amount=Money(self.order_fen), label="满减", line_keys=self.keys))
        return found


def test_subtotal_shipping_and_total_with_explanations() -> None:
    cart = price_cart([line("A", 19900, 2), line("B", 5900)], shipping=NO_FREE, region="east")
    assert cart.subtotal == Money(45700)
    assert cart.shipping == Money(800)
    assert cart.total == Money(46500)
    assert cart.line("A").explanation == ("¥199.00 × 2 = ¥398.00",)
    assert cart.explanation[-1] == "Total ¥465.00"


def test_shipping_by_region_and_free_over_the_threshold() -> None:
    assert price_cart([line("A", 5000)], shipping=SHIPPING, region="northwest").shipping == Money(1500)
    assert price_cart([line("A", 99000)], shipping=SHIPPING, region="northwest").shipping == Money(1500)
    assert price_cart([line("A", 5000)], shipping=SHIPPING, region="south").shipping == Money(1000)
    cheap = price_cart([line("A", 5000)], shipping=SHIPPING, region="east")
    assert cheap.free_shipping_gap == Money(4900)
    free = price_cart([line("A", 9900)], shipping=SHIPPING, region="east")
    assert free.shipping == Money(0)
    assert free.free_shipping_gap is None
    assert "free over ¥99.00" in free.explanation[-2]


def test_free_shipping_counts_goods_after_discounts() -> None:
    cart = price_cart([line("A", 10000)], shipping=SHIPPING, region="east", stages=[TakeOff(order_fen=500)])
    assert cart.goods_total == Money(9500)
    assert cart.shipping == Money(800)


def test_order_discount_is_apportioned_with_the_remainder_on_the_last_line() -> None:
    cart = price_cart(
        [line("A", 100), line("B", 100), line("C", 100)], shipping=NO_FREE, region=None, stages=[TakeOff(order_fen=100)]
    )
    assert [cart.line(k).discount.fen for k in "ABC"] == [33, 33, 34]
    assert cart.discount == Money(100)
    assert cart.line("C").explanation[-1] == "− ¥0.34 满减 (¥1.00)"


def test_a_rounding_remainder_the_last_line_cannot_take_moves_to_earlier_lines() -> None:
    cart = price_cart(
        [line("A", 1), line("B", 1), line("C", 1)], shipping=NO_FREE, region=None, stages=[TakeOff(order_fen=2)]
    )
    assert [cart.line(k).total.fen for k in "ABC"] == [1, 0, 0]
    assert cart.discount == Money(2)


def test_discount_never_takes_a_line_below_zero() -> None:
    cart = price_cart(
        [line("A", 500)], shipping=NO_FREE, region=None, stages=[TakeOff(order_fen=900, item=(("A", 300),))]
    )
    assert cart.line("A").total == Money(0)
    assert cart.discount == Money(500)


def test_an_empty_cart_costs_nothing() -> None:
    cart = price_cart([], shipping=SHIPPING, region="east")
    assert (cart.total, cart.shipping) == (Money(0), Money(0))


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([line("A", 100, 0)], "at least 1"),
        ([line("A", -1)], "negative"),
        ([line("A", 100), line("A", 200)], "own key"),
    ],
)
def test_a_cart_that_cannot_be_priced_is_refused(lines: list[LineInput], message: str) -> None:
    with pytest.raises(PricingError, match=message):
        price_cart(lines, shipping=NO_FREE, region=None)


carts = st.lists(
    st.tuples(st.integers(min_value=0, max_value=500_000), st.integers(min_value=1, max_value=20)),
    min_size=1,
    max_size=12,
)


@given(carts, st.integers(min_value=0, max_value=10_000_000), st.randoms(use_true_random=False))
def test_invariants(spec: list[tuple[int, int]], order_fen: int, rnd: object) -> None:
    lines = [line(f"K{i:02d}", price, quantity) for i, (price, quantity) in enumerate(spec)]
    stage = TakeOff(order_fen=order_fen, item=(("K00", order_fen // 3),))
    cart = price_cart(lines, shipping=SHIPPING, region="east", stages=[stage])
    assert cart.total.fen >= 0
    assert 0 <= cart.discount.fen <= cart.subtotal.fen
    assert sum(pl.total.fen for pl in cart.lines) == cart.goods_total.fen
    assert all(pl.total.fen >= 0 for pl in cart.lines)
    assert cart.total == cart.goods_total + cart.shipping
    shuffled = list(lines)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]  # hypothesis's Random
    assert price_cart(shuffled, shipping=SHIPPING, region="east", stages=[stage]) == cart
