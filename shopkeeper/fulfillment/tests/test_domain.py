"""The pure parts: the shipment state machine, tracking-number formats and signatures, and the
surge drill's simulation (property tests: the backlog is never negative, no more ships than
arrived, the capacity is respected, nothing is lost)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.fulfillment.domain.states import (
    IllegalShipmentMove,
    ShipmentAction,
    ShipmentStatus,
    allowed_actions,
    next_status,
)
from shopkeeper.fulfillment.domain.surge import MAX_DRAIN_DAYS, drill, factor_percent, scaled, simulate
from shopkeeper.fulfillment.domain.tracking import (
    BadNotice,
    TrackingKind,
    TrackingNotice,
    notice_params,
    parse_notice,
    pattern_problem,
    signed,
    tracking_number_ok,
    verified,
)

SECRET = "test-secret"


def test_the_happy_path_and_exceptions() -> None:
    status = ShipmentStatus.TO_PICK
    for action in (ShipmentAction.PICK, ShipmentAction.PACK, ShipmentAction.SHIP):
        status = next_status(status, action)
    assert status is ShipmentStatus.SHIPPED
    assert next_status(status, ShipmentAction.FAIL) is ShipmentStatus.EXCEPTION
    assert next_status(ShipmentStatus.EXCEPTION, ShipmentAction.RESUME) is ShipmentStatus.SHIPPED
    assert next_status(ShipmentStatus.EXCEPTION, ShipmentAction.DELIVER) is ShipmentStatus.DELIVERED
    assert allowed_actions(ShipmentStatus.DELIVERED) == []
    assert next_status(ShipmentStatus.PACKED, ShipmentAction.CANCEL) is ShipmentStatus.CANCELLED
    with pytest.raises(IllegalShipmentMove):
        next_status(ShipmentStatus.SHIPPED, ShipmentAction.CANCEL)  # a parcel on its way comes back by after-sales


@given(st.sampled_from(list(ShipmentStatus)), st.sampled_from(list(ShipmentAction)))
def test_every_move_is_either_in_the_table_or_refused(status: ShipmentStatus, action: ShipmentAction) -> None:
    if action in allowed_actions(status):
        assert isinstance(next_status(status, action), ShipmentStatus)
    else:
        with pytest.raises(IllegalShipmentMove):
            next_status(status, action)


def test_nothing_ships_before_it_is_packed() -> None:
    for status in (ShipmentStatus.TO_PICK, ShipmentStatus.PICKED, ShipmentStatus.DELIVERED):
        with pytest.raises(IllegalShipmentMove):
            next_status(status, ShipmentAction.SHIP)


def test_tracking_formats() -> None:
    assert tracking_number_ok(r"^SF\d{12}$", "SF123456789012")
    assert not tracking_number_ok(r"SF\d{12}", "SF1234567890123")  # the whole number must match
    assert not tracking_number_ok("^(", "x")
    assert pattern_problem("^(") is not None
    assert pattern_problem("") == "empty"
    assert pattern_problem(r"^\d+$") is None


def _notice(**changes: str) -> dict[str, str]:
    notice = TrackingNotice(
        event_id="E1",
        tracking_no="SF123456789012",
        kind=TrackingKind.DELIVERED,
        occurred_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        location="上海",
        description="已签收",
    )
    return {**signed(notice_params(notice), SECRET), **changes}


def test_signed_notices_verify_and_read_back() -> None:
    params = _notice()
    assert verified(params, SECRET)
    assert parse_notice(params).kind is TrackingKind.DELIVERED
    assert not verified(params, "another-secret")
    assert not verified(_notice(kind="exception"), SECRET)  # changed after signing
    assert not verified({k: v for k, v in params.items() if k != "sign"}, SECRET)
    with pytest.raises(BadNotice):
        parse_notice({**params, "occurred_at": "yesterday"})
    with pytest.raises(BadNotice):
        parse_notice({**params, "kind": "teleported"})


def test_factor_and_scaling() -> None:
    assert [factor_percent(t) for t in ("3", "2.5", "1.25", "0.1")] == [300, 250, 125, 10]
    for bad in ("", "x", "-1", "3.333", "0", "101"):
        with pytest.raises(ValueError, match="factor"):
            factor_percent(bad)
    assert scaled(7, 300) == 21
    assert scaled(3, 250) == 8


def test_a_3x_surge_over_capacity_builds_a_backlog_and_ships_late() -> None:
    result = simulate([100] * 5, capacity=250, deadline_hours=48)
    assert [day.arrivals for day in result.days[:5]] == [300] * 5
    assert [day.backlog for day in result.days[:5]] == [50, 100, 150, 200, 250]
    assert result.days[-1].backlog == 0
    assert result.shipped == result.arrivals == 1500
    assert result.late == 0 or not result.on_time
    slow = simulate([100] * 14, capacity=200, deadline_hours=24)
    assert slow.late > 0
    assert not slow.on_time


def test_within_capacity_every_order_ships_the_same_day() -> None:
    result = simulate([10, 0, 30], capacity=100, deadline_hours=48, factor_percent=300)
    assert [(d.arrivals, d.shipped, d.backlog, d.late) for d in result.days] == [
        (30, 30, 0, 0),
        (0, 0, 0, 0),
        (90, 90, 0, 0),
    ]
    assert result.on_time
    assert result.max_backlog == 0


def test_a_same_day_deadline_makes_anything_left_overnight_late() -> None:
    result = simulate([3], capacity=100, deadline_hours=12, factor_percent=100)
    assert result.on_time
    result = simulate([150], capacity=100, deadline_hours=12, factor_percent=100)
    assert [(d.shipped, d.late) for d in result.days] == [(100, 0), (50, 50)]


@given(
    st.lists(st.integers(min_value=0, max_value=500), max_size=30),
    st.integers(min_value=1, max_value=600),
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=10, max_value=600),
)
def test_simulation_invariants(arrivals: list[int], capacity: int, hours: int, factor: int) -> None:
    result = simulate(arrivals, capacity=capacity, deadline_hours=hours, factor_percent=factor)
    arrived = shipped = 0
    for day in result.days:
        arrived += day.arrivals
        shipped += day.shipped
        assert day.backlog >= 0
        assert day.shipped <= capacity
        assert shipped <= arrived
        assert arrived - shipped == day.backlog  # nothing is lost or invented
        assert 0 <= day.late <= day.shipped
        assert 0 <= day.overdue <= day.backlog
        if day.backlog:
            assert day.shipped == capacity  # a warehouse with work never idles
    assert len([d for d in result.days if not d.drain]) == len(arrivals)
    drained = [d for d in result.days if d.drain]
    assert result.unshipped == 0 or len(drained) == MAX_DRAIN_DAYS  # the drain days work the queue down
    assert result.on_time == (result.late == 0 and result.unshipped == 0)


def test_the_drill_covers_each_warehouse() -> None:
    report = drill({1: [10, 10], 2: [100, 100]}, {1: 100, 2: 100}, deadline_hours=48)
    assert report.results[1].on_time
    assert report.results[2].max_backlog == 400
    assert report.arrivals == 660
    assert report.max_backlog == 400
    assert not report.on_time
