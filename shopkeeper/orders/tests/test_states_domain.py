"""The order state machine refuses every move it does not list."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.orders.domain.numbers import order_number, order_reference
from shopkeeper.orders.domain.states import (
    FINAL,
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    allowed_actions,
    next_status,
)


def test_the_happy_path_runs_from_pending_payment_to_completed() -> None:
    status = Status.PENDING_PAYMENT
    for action in (Action.PAY, Action.ALLOCATE, Action.SHIP, Action.DELIVER, Action.COMPLETE):
        status = next_status(status, action)
    assert status is Status.COMPLETED


def test_an_unpaid_order_cancels_and_a_paid_one_closes() -> None:
    assert next_status(Status.PENDING_PAYMENT, Action.CANCEL) is Status.CANCELLED
    assert next_status(Status.PAID, Action.CLOSE) is Status.CLOSED
    with pytest.raises(IllegalTransition, match="An order that is paid cannot cancel"):
        next_status(Status.PAID, Action.CANCEL)


@given(st.sampled_from(list(Status)), st.sampled_from(list(Action)))
def test_every_move_is_either_listed_or_refused(status: Status, action: Action) -> None:
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) is TRANSITIONS[(status, action)]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransition):
            next_status(status, action)


def test_final_states_allow_nothing() -> None:
    assert all(allowed_actions(status) == [] for status in FINAL)


def test_order_numbers_carry_the_date_and_ten_digits() -> None:
    assert order_number(date(2026, 12, 1), randbelow=42) == "SK202612010000000042"
    assert len(order_number(date(2026, 12, 1))) == 20
    assert order_reference("SK1") == "order:SK1"
