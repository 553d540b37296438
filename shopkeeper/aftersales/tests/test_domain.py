"""The after-sales domain without a database: the state machine per kind, exact unit shares that
always sum to the line's paid share, the automatic rules and the after-sales window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.aftersales.domain.amounts import AmountError, gift_deductions, refund_amount, units_share
from shopkeeper.aftersales.domain.gifts import SETTLED as GIFT_SETTLED
from shopkeeper.aftersales.domain.gifts import GiftOutcome, GiftReturn, GiftRule, GiftState, gift_outcome
from shopkeeper.aftersales.domain.rules import (
    AutoRule,
    RuleStage,
    Stage,
    WindowRefusal,
    auto_approves,
    review_deadline,
    seconds_left,
    window_check,
)
from shopkeeper.aftersales.domain.states import (
    FINAL,
    OPEN,
    Action,
    IllegalTransition,
    Kind,
    Status,
    allowed_actions,
    next_status,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@st.composite
def partitions(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    quantity = draw(st.integers(min_value=1, max_value=50))
    total = draw(st.integers(min_value=0, max_value=10_000_000))
    parts: list[int] = []
    left = quantity
    while left:
        take = draw(st.integers(min_value=1, max_value=left))
        parts.append(take)
        left -= take
    return total, quantity, parts


@given(partitions())
def test_the_shares_of_any_split_of_a_lines_units_sum_to_its_total(case: tuple[int, int, list[int]]) -> None:
    total, quantity, parts = case
    before, paid = 0, 0
    for units in parts:
        share = units_share(total, quantity, before=before, units=units)
        assert share >= 0
        paid += share
        before += units
    assert paid == total


@given(partitions())
def test_no_unit_is_worth_more_than_a_fen_more_than_another(case: tuple[int, int, list[int]]) -> None:
    total, quantity, _parts = case
    shares = [units_share(total, quantity, before=i, units=1) for i in range(quantity)]
    assert max(shares) - min(shares) <= 1
    assert sum(shares) == total


@given(partitions(), st.integers(min_value=0, max_value=1_000_000))
def test_refunds_never_exceed_what_is_left_and_the_last_units_take_the_rest(
    case: tuple[int, int, list[int]], taken_elsewhere: int
) -> None:
    total, quantity, parts = case
    left = max(total - min(taken_elsewhere, total), 0)
    before = 0
    for units in parts:
        amount = refund_amount(total, quantity, before=before, units=units, left_fen=left)
        assert 0 <= amount <= left
        left -= amount
        before += units
    assert left == 0


def test_units_out_of_range_are_refused() -> None:
    with pytest.raises(AmountError):
        units_share(100, 2, before=1, units=2)
    with pytest.raises(AmountError):
        units_share(100, 2, before=0, units=0)


def test_refund_only_goes_applied_approved_refunding_refunded() -> None:
    status = Status.APPLIED
    for action in (Action.APPROVE, Action.REFUND, Action.REFUND_SUCCEED):
        status = next_status(Kind.REFUND_ONLY, status, action)
    assert status is Status.REFUNDED
    with pytest.raises(IllegalTransition):
        next_status(Kind.REFUND_ONLY, Status.APPROVED, Action.SHIP_RETURN)  # nothing to send back


def test_a_return_needs_the_goods_inspected_before_the_money() -> None:
    with pytest.raises(IllegalTransition):
        next_status(Kind.RETURN_REFUND, Status.APPROVED, Action.REFUND)
    status = Status.APPLIED
    for action in (Action.APPROVE, Action.SHIP_RETURN, Action.RECEIVE, Action.INSPECT, Action.REFUND):
        status = next_status(Kind.RETURN_REFUND, status, action)
    assert status is Status.REFUNDING
    assert next_status(Kind.RETURN_REFUND, status, Action.REFUND_FAIL) is Status.REFUND_FAILED
    assert next_status(Kind.RETURN_REFUND, Status.REFUND_FAILED, Action.REFUND) is Status.REFUNDING


def test_an_exchange_never_refunds() -> None:
    for status in Status:
        assert Action.REFUND not in allowed_actions(Kind.EXCHANGE, status)
    assert next_status(Kind.EXCHANGE, Status.INSPECTED, Action.SHIP_EXCHANGE) is Status.EXCHANGE_SHIPPED


@given(st.sampled_from(list(Kind)), st.lists(st.sampled_from(list(Action)), max_size=12))
def test_final_statuses_are_final_and_cancel_only_before_the_goods_move(kind: Kind, actions: list[Action]) -> None:
    status = Status.APPLIED
    for action in actions:
        try:
            after = next_status(kind, status, action)
        except IllegalTransition:
            continue
        assert status not in FINAL
        if action is Action.CANCEL:
            assert status in (Status.APPLIED, Status.APPROVED)
        status = after
    assert (status in OPEN) != (status in FINAL)


def test_rules_approve_only_their_kind_stage_and_ceiling() -> None:
    rules = [AutoRule(kind=Kind.REFUND_ONLY, stage=RuleStage.BEFORE_SHIPMENT, max_fen=5000)]
    assert auto_approves(rules, kind=Kind.REFUND_ONLY, stage=Stage.BEFORE_SHIPMENT, amount_fen=5000) == rules[0]
    assert auto_approves(rules, kind=Kind.REFUND_ONLY, stage=Stage.BEFORE_SHIPMENT, amount_fen=5001) is None
    assert auto_approves(rules, kind=Kind.REFUND_ONLY, stage=Stage.DELIVERED, amount_fen=100) is None
    assert auto_approves(rules, kind=Kind.RETURN_REFUND, stage=Stage.BEFORE_SHIPMENT, amount_fen=100) is None
    anywhere = [AutoRule(kind=Kind.RETURN_REFUND, stage=RuleStage.ANY, max_fen=100)]
    assert auto_approves(anywhere, kind=Kind.RETURN_REFUND, stage=Stage.DELIVERED, amount_fen=99) is not None
    assert auto_approves([], kind=Kind.REFUND_ONLY, stage=Stage.BEFORE_SHIPMENT, amount_fen=0) is None


def test_the_window() -> None:
    delivered = NOW - timedelta(days=7)
    assert (
        window_check(kind=Kind.RETURN_REFUND, stage=Stage.DELIVERED, delivered_at=delivered, now=NOW, window_days=7)
        is None
    )
    late = NOW + timedelta(seconds=1)
    assert (
        window_check(kind=Kind.RETURN_REFUND, stage=Stage.DELIVERED, delivered_at=delivered, now=late, window_days=7)
        is WindowRefusal.WINDOW_CLOSED
    )
    old = NOW - timedelta(days=365)
    assert (
        window_check(kind=Kind.REFUND_ONLY, stage=Stage.BEFORE_SHIPMENT, delivered_at=old, now=NOW, window_days=7)
        is None
    )
    assert (
        window_check(kind=Kind.EXCHANGE, stage=Stage.BEFORE_SHIPMENT, delivered_at=None, now=NOW, window_days=7)
        is WindowRefusal.NOT_SHIPPED_ONLY_REFUND
    )
    assert (
        window_check(kind=Kind.RETURN_REFUND, stage=Stage.IN_TRANSIT, delivered_at=None, now=NOW, window_days=7)
        is WindowRefusal.IN_TRANSIT_ONLY_REFUND
    )


def test_review_deadline_and_countdown() -> None:
    deadline = review_deadline(NOW, 24)
    assert seconds_left(deadline, NOW) == 24 * 3600
    assert seconds_left(deadline, NOW + timedelta(hours=25)) == -3600


# --- gifts on refund --------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10_000_000), st.lists(st.integers(min_value=0, max_value=5_000_000)))
def test_gift_deductions_never_take_a_refund_below_zero_nor_more_than_a_gifts_value(
    refund: int, values: list[int]
) -> None:
    taken = gift_deductions(refund, values)
    assert len(taken) == len(values)
    assert all(0 <= fen <= value for fen, value in zip(taken, values, strict=True))
    assert sum(taken) == min(refund, sum(values))
    assert refund - sum(taken) >= 0


def test_gift_deductions_refuse_negative_amounts() -> None:
    with pytest.raises(AmountError):
        gift_deductions(-1, [100])
    with pytest.raises(AmountError):
        gift_deductions(100, [-1])


def outcome(**kw: object) -> GiftOutcome | None:
    case: dict[str, object] = {
        "rule": GiftRule.RECOVER,
        "state": GiftState.KEPT,
        "earned": False,
        "kind": Kind.RETURN_REFUND,
        "stage": Stage.DELIVERED,
        "units": 2,
    }
    case.update(kw)
    return gift_outcome(**case)  # type: ignore[arg-type]


def test_recover_a_gift_back_intact_costs_nothing_and_one_missing_or_damaged_is_charged() -> None:
    assert outcome(returned=GiftReturn.INTACT) == GiftOutcome(GiftState.RETURNED)
    assert outcome(returned=GiftReturn.MISSING) == GiftOutcome(GiftState.CHARGED, charged_units=2)
    assert outcome(returned=GiftReturn.DAMAGED) == GiftOutcome(GiftState.CHARGED, charged_units=2)
    assert outcome() == GiftOutcome(GiftState.CHARGED, charged_units=2)  # the inspection found nothing


def test_recover_a_refund_only_before_shipment_takes_the_unshipped_gift_out() -> None:
    before = {"kind": Kind.REFUND_ONLY, "stage": Stage.BEFORE_SHIPMENT}
    assert outcome(**before, unshipped=5) == GiftOutcome(GiftState.CANCELLED, take_out=2)
    assert outcome(**before, unshipped=1) == GiftOutcome(GiftState.CANCELLED, charged_units=1, take_out=1)
    assert outcome(**before, unshipped=0) == GiftOutcome(GiftState.CHARGED, charged_units=2)  # already on its way
    assert outcome(kind=Kind.REFUND_ONLY, stage=Stage.IN_TRANSIT, unshipped=2) == GiftOutcome(
        GiftState.CHARGED, charged_units=2
    )


def test_charge_keeps_the_gift_and_charges_it_unless_it_came_back() -> None:
    assert outcome(rule=GiftRule.CHARGE) == GiftOutcome(GiftState.CHARGED, charged_units=2)
    assert outcome(rule=GiftRule.CHARGE, kind=Kind.REFUND_ONLY, stage=Stage.BEFORE_SHIPMENT, unshipped=2) == (
        GiftOutcome(GiftState.CHARGED, charged_units=2)
    )
    assert outcome(rule=GiftRule.CHARGE, returned=GiftReturn.INTACT) == GiftOutcome(GiftState.RETURNED)


def test_after_receipt_a_held_gift_is_withheld_and_a_sent_one_is_charged() -> None:
    held = outcome(rule=GiftRule.AFTER_RECEIPT, state=GiftState.HELD, kind=Kind.REFUND_ONLY)
    assert held == GiftOutcome(GiftState.WITHHELD, release=True)
    assert outcome(rule=GiftRule.AFTER_RECEIPT, state=GiftState.SENT) == GiftOutcome(GiftState.CHARGED, charged_units=2)


@given(
    st.sampled_from(GiftRule),
    st.sampled_from(GiftState),
    st.booleans(),
    st.sampled_from(Kind),
    st.sampled_from(Stage),
    st.integers(min_value=1, max_value=5),
    st.one_of(st.none(), st.sampled_from(GiftReturn)),
    st.integers(min_value=0, max_value=6),
)
def test_a_gift_is_settled_once_and_never_charged_more_than_its_units(
    rule: GiftRule,
    state: GiftState,
    earned: bool,
    kind: Kind,
    stage: Stage,
    units: int,
    returned: GiftReturn | None,
    unshipped: int,
) -> None:
    found = gift_outcome(
        rule=rule,
        state=state,
        earned=earned,
        kind=kind,
        stage=stage,
        units=units,
        returned=returned,
        unshipped=unshipped,
    )
    if state in GIFT_SETTLED or kind is Kind.EXCHANGE:
        assert found is None  # settled gifts stay settled; an exchange keeps the order whole
        return
    if earned and returned not in (GiftReturn.INTACT, GiftReturn.DAMAGED):
        assert found is None  # the order still earns it: nothing changes
        return
    assert found is not None
    assert found.state in GIFT_SETTLED
    assert 0 <= found.charged_units <= units
    assert 0 <= found.take_out <= min(units, unshipped)
    assert found.release == (found.state is GiftState.WITHHELD)
    if earned:
        assert (found.state, found.charged_units) == (GiftState.RETURNED, 0)
