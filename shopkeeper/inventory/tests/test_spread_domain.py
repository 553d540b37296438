"""Spreading a pool over stock lines as pure code: the shares add up to the quantity, no line gives
more than it can, and lines give in proportion to what they have. No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.inventory.domain.spread import NotEnough, spread

capacities = st.dictionaries(st.integers(1, 10_000), st.integers(-5, 500), max_size=8)


def test_lines_give_in_proportion_with_the_odd_units_to_the_largest_remainders() -> None:
    assert spread(5, {1: 50, 2: 50}) == {1: 3, 2: 2}  # a tie: the line listed first
    assert spread(10, {1: 30, 2: 60, 3: 10}) == {1: 3, 2: 6, 3: 1}
    assert spread(4, {1: 1, 2: 0, 3: 9}) == {3: 4}  # 0.4 and 3.6: the larger remainder wins
    assert spread(0, {1: 5}) == {}


def test_too_few_units_or_a_negative_quantity_are_refused() -> None:
    with pytest.raises(NotEnough) as short:
        spread(11, {1: 4, 2: 6, 3: -2})
    assert (short.value.requested, short.value.available) == (11, 10)
    with pytest.raises(ValueError, match="negative"):
        spread(-1, {1: 4})


@given(capacities, st.data())
def test_the_shares_add_up_and_never_exceed_a_line(caps: dict[int, int], data: st.DataObject) -> None:
    total = sum(max(capacity, 0) for capacity in caps.values())
    quantity = data.draw(st.integers(0, total))
    shares = spread(quantity, caps)
    assert sum(shares.values()) == quantity
    assert all(0 < share <= caps[key] for key, share in shares.items())
    for key, capacity in caps.items():  # within one unit of the exact proportion
        if capacity > 0:
            assert abs(shares.get(key, 0) - quantity * capacity / total) < 1


@given(capacities, st.data())
def test_the_spread_does_not_depend_on_anything_but_the_figures(caps: dict[int, int], data: st.DataObject) -> None:
    total = sum(max(capacity, 0) for capacity in caps.values())
    quantity = data.draw(st.integers(0, total))
    assert spread(quantity, caps) == spread(quantity, dict(caps))
