"""API schemas of after-sales (staff and customer), and the one way to turn an application into one.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from shopkeeper.aftersales import selectors
from shopkeeper.core.schemas import MoneyOut, money_out


class EventOut(Schema):
    kind: str
    label: str
    from_status: str
    to_status: str
    actor: str
    note: str
    at: datetime


class GiftOut(Schema):
    label: str = Field(..., description="The gift's promotion as shoppers saw it")
    title: str
    sku_code: str
    units: int
    rule: str = Field(..., description="recover | charge | after_receipt: what the promotion does on refund")
    rule_label: str
    state: str = Field(
        ..., description="kept | held | sent | returned | charged | cancelled | withheld (see docs/after-sales.md)"
    )
    state_label: str
    value: MoneyOut = Field(..., description="What the gift units are worth: the list price when the order was placed")
    charged: MoneyOut = Field(
        ..., description="What comes off this refund for the gift (expected while the refund has not started)"
    )
    returned: str = Field(..., description="What the warehouse found of it in the return: pass | damaged | missing")
    settled: bool
    notice: str = Field(..., description="What it means for the customer, in a sentence")


class ApplicationOut(Schema):
    number: str
    order_number: str
    line_id: int
    sku_code: str
    title: str
    kind: str
    status: str
    status_label: str
    stage: str
    reason: str
    description: str
    photos: list[str]
    quantity: int
    amount: MoneyOut = Field(..., description="What goes back (zero for an exchange): share less gift deduction")
    share: MoneyOut = Field(..., description="The units' paid share, before anything comes off for gifts")
    gift_deduction: MoneyOut = Field(..., description="What comes off the share for gifts (itemised in `gifts`)")
    gifts: list[GiftOut] = Field(
        default_factory=list, description="Gifts this refund takes the order below what earned them"
    )
    refunded: MoneyOut
    applied_at: datetime
    review_deadline: datetime
    review_seconds_left: int | None = Field(None, description="Negative: overdue; null once reviewed")
    auto_approved: bool
    decision_note: str
    return_carrier: str
    return_tracking_no: str
    inspection: str
    next_actions: list[str]
    events: list[EventOut]


class ApplicationPageOut(Schema):
    items: list[ApplicationOut]
    count: int


class ApplyIn(Schema):
    order_number: str = Field(..., max_length=24)
    line_id: int
    kind: str = Field(..., description="refund_only | return_refund | exchange")
    reason: str = Field(
        ...,
        description="not_wanted | wrong_size | quality | damaged | not_as_described | wrong_item | not_received"
        " | other",
    )
    quantity: int
    description: str = Field("", max_length=500)
    photos: list[str] = Field(default_factory=list, description="http(s) links to pictures, at most 6")


class ShipReturnIn(Schema):
    carrier: str = Field(..., max_length=40)
    tracking_no: str = Field(..., max_length=40)


class NoteIn(Schema):
    note: str = Field("", max_length=300)


class ReceiveIn(Schema):
    warehouse_id: int


class InspectIn(Schema):
    result: str = Field(..., description="pass | damaged")
    note: str = Field("", max_length=300)
    gift_result: str = Field(
        "",
        description="What came back of the order's gift: pass | damaged | missing (required when the return must "
        "bring the gift back)",
    )


class RuleIn(Schema):
    kind: str
    stage: str = Field(..., description="any | before_shipment | in_transit | delivered")
    max_amount: str = Field(..., description='yuan, e.g. "50.00"')


class RuleOut(Schema):
    id: int
    kind: str
    stage: str
    max_amount: MoneyOut


class RateOut(Schema):
    key: str
    label: str
    sold_units: int
    sold: MoneyOut
    refunded_units: int
    refunded: MoneyOut
    unit_rate: str | None = Field(None, description="percent, two decimals, as a string")
    amount_rate: str | None = None


def application_out(app: Any, *, with_events: bool = True) -> ApplicationOut:
    return ApplicationOut(
        number=app.number,
        order_number=app.order.number,
        line_id=app.line_id,
        sku_code=app.line.sku_code,
        title=app.line.title,
        kind=app.kind,
        status=app.status,
        status_label=str(app.get_status_display()),
        stage=app.stage,
        reason=app.reason,
        description=app.description,
        photos=list(app.photos),
        quantity=app.quantity,
        amount=money_out(app.amount_fen),
        share=money_out(app.share_fen),
        gift_deduction=money_out(app.gift_deduction_fen),
        gifts=[gift_out(gift) for gift in selectors.application_gifts(app)],
        refunded=money_out(app.refunded_fen),
        applied_at=app.created_at,
        review_deadline=app.review_deadline,
        review_seconds_left=selectors.review_seconds_left(app),
        auto_approved=app.auto_approved,
        decision_note=app.decision_note,
        return_carrier=app.return_carrier,
        return_tracking_no=app.return_tracking_no,
        inspection=app.inspection,
        next_actions=selectors.next_actions(app),
        events=[
            EventOut(
                kind=event.kind,
                label=event.label,
                from_status=event.from_status,
                to_status=event.to_status,
                actor=event.actor_label,
                note=event.note,
                at=event.created_at,
            )
            for event in app.events.all()
        ]
        if with_events
        else [],
    )


def gift_out(gift: selectors.GiftView) -> GiftOut:
    return GiftOut(
        label=gift.label,
        title=gift.title,
        sku_code=gift.sku_code,
        units=gift.units,
        rule=gift.rule,
        rule_label=gift.rule_label,
        state=gift.state,
        state_label=gift.state_label,
        value=money_out(gift.value_fen),
        charged=money_out(gift.charged_fen),
        returned=gift.returned,
        settled=gift.settled,
        notice=gift.notice,
    )


def rate_out(row: selectors.RateRow) -> RateOut:
    return RateOut(
        key=row.key,
        label=row.label,
        sold_units=row.sold_units,
        sold=money_out(row.sold_fen),
        refunded_units=row.refunded_units,
        refunded=money_out(row.refunded_fen),
        unit_rate=None if row.unit_rate is None else str(row.unit_rate),
        amount_rate=None if row.amount_rate is None else str(row.amount_rate),
    )
