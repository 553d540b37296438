"""The flash sale's pure rules, without a database: overlapping windows and the item checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.promotions.flash.domain.rules import (
    ItemFigures,
    Window,
    floor_price_fen,
    item_problems,
    overlapping,
    window_problems,
)

BASE = datetime(2026, 11, 11, tzinfo=UTC)
minutes = st.integers(min_value=0, max_value=24 * 60)


def window(start: int, length: int) -> Window:
    return Window(BASE + timedelta(minutes=start), BASE + timedelta(minutes=start + length))


@given(minutes, st.integers(1, 600), minutes, st.integers(1, 600))
def test_overlap_is_symmetric_and_matches_shared_minutes(a: int, la: int, b: int, lb: int) -> None:
    first, second = window(a, la), window(b, lb)
    shared = min(a + la, b + lb) - max(a, b)
    assert first.overlaps(second) == second.overlaps(first) == (shared > 0)


@given(minutes, st.integers(1, 600))
def test_back_to_back_sessions_do_not_overlap(start: int, length: int) -> None:
    first = window(start, length)
    assert overlapping(window(start + length, 30), [first]) == []
    assert overlapping(window(start, length), [first]) == [first]


def test_a_window_ending_before_it_starts_is_a_problem() -> None:
    assert [p.code for p in window_problems(Window(BASE, BASE))] == ["ends_before_start"]
    assert window_problems(window(0, 1)) == []


def figures(**overrides: int) -> ItemFigures:
    values = {
        "sale_price_fen": 3900, "normal_price_fen": 5900, "cost_fen": 2000, "pool": 10, "sold": 0,
        "available_stock": 100, "per_customer_limit": 1, "pay_window_minutes": 10,
    }  # fmt: skip
    values.update(overrides)
    return ItemFigures(**values)


def test_each_bad_figure_is_named() -> None:
    assert item_problems(figures(), min_margin_percent=0) == []
    cases = {
        "limit_not_positive": figures(per_customer_limit=0),
        "pool_not_positive": figures(pool=0),
        "pool_above_stock": figures(pool=101),
        "pool_below_sold": figures(pool=3, sold=4),
        "price_not_below_normal": figures(sale_price_fen=5900),
        "price_below_floor": figures(sale_price_fen=1999),
        "pay_window_out_of_range": figures(pay_window_minutes=0),
    }
    for code, bad in cases.items():
        assert code in [p.code for p in item_problems(bad, min_margin_percent=0)], code


@given(st.integers(0, 10**7), st.integers(0, 300))
def test_the_floor_is_the_smallest_price_with_the_margin(cost: int, margin: int) -> None:
    floor = floor_price_fen(cost, margin)
    assert floor * 100 >= cost * (100 + margin)
    assert floor == 0 or (floor - 1) * 100 < cost * (100 + margin)


@given(st.integers(1, 500), st.integers(0, 500), st.integers(0, 500))
def test_the_units_left_to_sell_must_be_covered_by_stock(pool: int, sold: int, stock: int) -> None:
    problems = [
        p.code for p in item_problems(figures(pool=pool, sold=sold, available_stock=stock), min_margin_percent=0)
    ]
    if sold <= pool:
        assert ("pool_above_stock" in problems) == (pool - sold > stock)
