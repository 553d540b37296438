"""The presale's pure rules: terms checked field by field, the money split exact to the fen,
phases and reminders by the clock, and when a deposit goes back (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.core.domain.money import Money
from shopkeeper.orders.domain.deposits import DepositState, PresalePayment, deposit_refundable, payment_kind
from shopkeeper.promotions.presale.domain.terms import (
    Phase,
    ProblemCode,
    ReminderKind,
    Terms,
    effective_price,
    floor_price,
    phase_at,
    reminders_due,
    split,
    terms_problems,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


BASE = Terms(
    final_price=Money(39900),
    deposit=Money(5000),
    deposit_value=Money(10000),
    presale_starts=T0,
    presale_ends=T0 + 10 * 24 * HOUR,
    balance_starts=T0 + 10 * 24 * HOUR,
    balance_ends=T0 + 11 * 24 * HOUR,
    limit_per_customer=2,
)


def terms(**overrides: Any) -> Terms:
    return replace(BASE, **overrides)


def codes(found: Terms, floor: Money | None = None) -> set[ProblemCode]:
    return {problem.code for problem in terms_problems(found, floor=floor)}


def test_good_terms_have_no_problems_and_a_unit_costs_final_minus_the_expansion() -> None:
    assert terms_problems(terms()) == []
    assert effective_price(terms()) == Money(34900)  # ¥399 − (¥100 − ¥50)


def test_bad_terms_are_named_field_by_field() -> None:
    assert codes(terms(deposit=Money(0))) == {ProblemCode.DEPOSIT_NOT_POSITIVE}
    assert ProblemCode.DEPOSIT_NOT_BELOW_PRICE in codes(terms(deposit=Money(39900), deposit_value=Money(39900)))
    assert codes(terms(deposit_value=Money(4999))) == {ProblemCode.VALUE_BELOW_DEPOSIT}
    assert codes(terms(deposit_value=Money(39901))) == {ProblemCode.VALUE_ABOVE_PRICE}
    assert ProblemCode.PRESALE_WINDOW_REVERSED in codes(terms(presale_ends=T0))
    assert codes(terms(balance_ends=T0 + 10 * 24 * HOUR)) == {ProblemCode.BALANCE_WINDOW_REVERSED}
    assert codes(terms(balance_starts=T0 + 9 * 24 * HOUR)) == {ProblemCode.WINDOWS_OVERLAP}
    assert codes(terms(limit_per_customer=0)) == {ProblemCode.LIMIT_NOT_POSITIVE}
    assert codes(terms(), floor=Money(34901)) == {ProblemCode.BELOW_FLOOR}
    assert codes(terms(), floor=Money(34900)) == set()


def test_the_floor_is_cost_plus_margin_rounded_up_or_the_minimum_price_never_below_cost() -> None:
    assert floor_price(cost=Money(10001), min_margin_percent=None, min_price=None) == Money(10001)
    assert floor_price(cost=Money(10001), min_margin_percent=10, min_price=None) == Money(11002)  # 11001.1 up
    assert floor_price(cost=Money(10000), min_margin_percent=10, min_price=Money(12000)) == Money(12000)


amounts = st.integers(min_value=1, max_value=10_000_00)


@given(
    final=amounts,
    deposit_share=st.integers(min_value=1, max_value=99),
    value_share=st.integers(min_value=0, max_value=100),
    quantity=st.integers(min_value=1, max_value=20),
    shipping=st.integers(min_value=0, max_value=5000),
)
def test_the_deposit_value_is_applied_exactly_once_and_the_two_payments_sum_to_the_total(
    final: int, deposit_share: int, value_share: int, quantity: int, shipping: int
) -> None:
    deposit = max(1, min(final - 1, final * deposit_share // 100)) if final > 1 else 1
    value = deposit + (final - deposit) * value_share // 100
    found = terms(final_price=Money(final), deposit=Money(deposit), deposit_value=Money(value))
    if final <= 1:
        assert terms_problems(found)  # no deposit can be below a one-fen price
        return
    assert terms_problems(found) == []
    money = split(found, quantity=quantity, shipping=Money(shipping))
    assert money.deposit + money.balance == money.total
    assert money.total == money.goods + money.shipping - (money.deposit_value - money.deposit)
    assert money.balance == money.goods + money.shipping - money.deposit_value  # the value, once
    assert money.balance.fen >= 0
    assert money.total.fen >= money.deposit.fen
    assert money.total == effective_price(found) * quantity + money.shipping


@given(
    total=st.integers(min_value=2, max_value=10_000_00),
    deposit_share=st.integers(min_value=1, max_value=99),
    wrong=st.integers(min_value=1, max_value=10_000_00),
)
def test_an_arriving_amount_is_the_deposit_then_the_balance_and_nothing_else(
    total: int, deposit_share: int, wrong: int
) -> None:
    deposit = max(1, total * deposit_share // 100)
    if deposit >= total:
        deposit = total - 1
    before = DepositState(total, deposit, 0, False, T0, T0 + HOUR)
    assert payment_kind(before, amount_fen=deposit, at=T0 - HOUR) is PresalePayment.DEPOSIT
    if wrong != deposit:
        assert payment_kind(before, amount_fen=wrong, at=T0) is PresalePayment.NONE
    after = DepositState(total, deposit, deposit, True, T0, T0 + HOUR)
    balance = total - deposit
    assert payment_kind(after, amount_fen=balance, at=T0) is PresalePayment.BALANCE
    assert payment_kind(after, amount_fen=balance, at=T0 - HOUR) is PresalePayment.NONE  # window not open
    if wrong != balance:
        assert payment_kind(after, amount_fen=wrong, at=T0) is PresalePayment.NONE
    assert deposit + balance == total  # both payments together: exactly the order's total


def test_the_deposit_goes_back_before_the_balance_window_closes_or_when_the_shop_cancels() -> None:
    end = T0 + HOUR
    assert deposit_refundable(by_shop=False, now=end - timedelta(seconds=1), balance_until=end)
    assert not deposit_refundable(by_shop=False, now=end, balance_until=end)
    assert deposit_refundable(by_shop=True, now=end + 24 * HOUR, balance_until=end)


def test_phases_follow_the_clock() -> None:
    found = terms()
    assert phase_at(found, T0 - HOUR) is Phase.UPCOMING
    assert phase_at(found, T0) is Phase.DEPOSIT
    assert phase_at(found, found.balance_starts) is Phase.BALANCE
    assert phase_at(found, found.balance_ends) is Phase.ENDED
    gap = terms(balance_starts=T0 + 10 * 24 * HOUR + HOUR, balance_ends=T0 + 12 * 24 * HOUR)
    assert phase_at(gap, gap.presale_ends) is Phase.WAITING


def test_reminders_come_before_the_window_opens_and_before_it_closes_never_after() -> None:
    opens, closes, lead = T0, T0 + 48 * HOUR, 24 * HOUR
    assert reminders_due(now=opens - 25 * HOUR, balance_starts=opens, balance_ends=closes, lead=lead) == ()
    assert reminders_due(now=opens - 23 * HOUR, balance_starts=opens, balance_ends=closes, lead=lead) == (
        ReminderKind.BALANCE_OPENS,
    )
    assert reminders_due(now=closes - HOUR, balance_starts=opens, balance_ends=closes, lead=lead) == (
        ReminderKind.BALANCE_OPENS,
        ReminderKind.BALANCE_CLOSES,
    )
    assert reminders_due(now=closes, balance_starts=opens, balance_ends=closes, lead=lead) == ()
