"""Automatic approval: the operator's small rule table, and whether an application passes it.

A rule names a kind, an order stage and a ceiling; an application of that kind, at that stage,
asking at most the ceiling back is approved at once. No rule, no automatic approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shopkeeper.aftersales.domain.states import Kind


class Stage(StrEnum):
    """Where the order's goods are when the customer applies."""

    BEFORE_SHIPMENT = "before_shipment"  # 未发货
    IN_TRANSIT = "in_transit"  # 已发货未收到
    DELIVERED = "delivered"  # 已收货


class RuleStage(StrEnum):
    ANY = "any"
    BEFORE_SHIPMENT = "before_shipment"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


@dataclass(frozen=True)
class AutoRule:
    kind: Kind
    stage: RuleStage
    max_fen: int  # the most an application may ask back to pass


def auto_approves(rules: Iterable[AutoRule], *, kind: Kind, stage: Stage, amount_fen: int) -> AutoRule | None:
    """The first rule that approves this application at once, or None."""
    for rule in rules:
        if rule.kind is not kind:
            continue
        if rule.stage is not RuleStage.ANY and rule.stage.value != stage.value:
            continue
        if 0 <= amount_fen <= rule.max_fen:
            return rule
    return None


class WindowRefusal(StrEnum):
    NOT_SHIPPED_ONLY_REFUND = "not_shipped_only_refund"  # nothing to return yet
    IN_TRANSIT_ONLY_REFUND = "in_transit_only_refund"  # not received: refund only (refuse the parcel)
    WINDOW_CLOSED = "window_closed"


def window_check(
    *, kind: Kind, stage: Stage, delivered_at: datetime | None, now: datetime, window_days: int
) -> WindowRefusal | None:
    """May the customer apply for this kind now? Refund only before shipment is always allowed;
    goods in transit can only be refunded (refused at the door); after delivery every kind, within
    the window."""
    if stage is Stage.BEFORE_SHIPMENT:
        return None if kind is Kind.REFUND_ONLY else WindowRefusal.NOT_SHIPPED_ONLY_REFUND
    if stage is Stage.IN_TRANSIT:
        return None if kind is Kind.REFUND_ONLY else WindowRefusal.IN_TRANSIT_ONLY_REFUND
    if delivered_at is not None and now > delivered_at + timedelta(days=window_days):
        return WindowRefusal.WINDOW_CLOSED
    return None


def review_deadline(applied_at: datetime, hours: int) -> datetime:
    return applied_at + timedelta(hours=hours)


def seconds_left(deadline: datetime, now: datetime) -> int:
    """Whole seconds until the deadline; negative when it has passed (overdue)."""
    return int((deadline - now).total_seconds() // 1)
