"""The pure rules of a group buy: what terms can be saved, the margin floor, and what the clock
does to a group (property tests for the invariants)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.groupbuy.domain.terms import Outcome, Terms, expiry_outcome, floor_price, terms_problems

START = datetime(2026, 12, 1, tzinfo=UTC)


def good(**overrides: object) -> Terms:
    values: dict[str, object] = {
        "group_price": Money(3900),
        "normal_price": Money(5900),
        "cost": Money(1966),
        "min_margin_percent": 50,
        "group_size": 3,
        "time_limit_hours": 24,
        "per_customer_limit": 1,
        "starts_at": START,
        "ends_at": START + timedelta(days=7),
        "virtual_max_missing": 1,
    }
    values.update(overrides)
    return Terms(**values)  # type: ignore[arg-type]


def fields(terms: Terms) -> set[str]:
    return {problem.field for problem in terms_problems(terms)}


def test_good_terms_have_no_problem() -> None:
    assert terms_problems(good()) == []


def test_each_bad_term_is_named() -> None:
    assert fields(good(group_size=1)) == {"group_size", "virtual_max_missing"}
    assert fields(good(time_limit_hours=0)) == {"time_limit_hours"}
    assert fields(good(per_customer_limit=0)) == {"per_customer_limit"}
    assert fields(good(group_price=Money(5900))) == {"group_price"}  # not below the normal price
    assert fields(good(group_price=Money(2948))) == {"group_price"}  # under cost + 50%
    assert fields(good(ends_at=START)) == {"ends_at"}
    assert fields(good(virtual_max_missing=3)) == {"virtual_max_missing"}


def test_the_floor_keeps_the_margin_rounded_up_to_the_fen() -> None:
    assert floor_price(Money(1966), 50) == Money(2949)
    assert floor_price(Money(1000), 0) == Money(1000)
    assert floor_price(Money(1), 50) == Money(2)


@given(cost=st.integers(0, 10**7), margin=st.integers(0, 1000))
def test_the_floor_is_the_lowest_price_with_the_margin(cost: int, margin: int) -> None:
    lowest = floor_price(Money(cost), margin).fen
    assert lowest * 100 >= cost * (100 + margin)
    assert (lowest - 1) * 100 < cost * (100 + margin)


@given(
    size=st.integers(2, 100),
    paid=st.integers(0, 100),
    allowed=st.booleans(),
    most=st.integers(0, 99),
)
def test_an_expired_group_forms_only_when_full_or_completed_within_the_allowance(
    size: int, paid: int, allowed: bool, most: int
) -> None:
    paid = min(paid, size)
    decided = expiry_outcome(paid=paid, group_size=size, virtual_allowed=allowed, virtual_max_missing=most)
    if decided.outcome is Outcome.FORM:
        assert paid + decided.virtual_members == size
        assert decided.virtual_members == 0 or (allowed and paid >= 1 and decided.virtual_members <= most)
    else:
        assert paid < size
        assert decided.virtual_members == 0
        assert not allowed or paid == 0 or size - paid > most
