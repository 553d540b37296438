"""Staff API schemas for orders. Amounts go in as yuan strings ("12.30") and come out as
{"fen": 1230, "yuan": "12.30"}: money never passes through a float."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from ninja import Field, Schema

from shopkeeper.core.domain.money import Money


class MoneyOut(Schema):
    fen: int
    yuan: str


def money_out(fen: int) -> MoneyOut:
    return MoneyOut(fen=fen, yuan=f"{Money(fen).yuan:.2f}")


class OrderFiltersIn(Schema):
    status: str | None = Field(None, description="An order status, e.g. pending_payment, paid, shipped")
    placed_from: date | None = Field(None, description="Placed on or after this day (Asia/Shanghai)")
    placed_to: date | None = Field(None, description="Placed on or before this day (Asia/Shanghai)")
    channel: str | None = None
    region: str | None = Field(None, description="A region: east, south, north, central, southwest, …")
    province: str | None = Field(None, description="A province as written on the address, e.g. 上海市")
    min_total: str | None = Field(None, description='Order total at least this many yuan, e.g. "100"')
    max_total: str | None = Field(None, description='Order total at most this many yuan, e.g. "299.90"')
    q: str | None = Field(None, description="Exact order number, recipient name or mobile")


class PageIn(Schema):
    limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
    offset: int = Field(0, ge=0)


class OrderRowOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    customer: str
    recipient: str
    mobile: str
    province: str
    city: str
    region: str
    line_count: int
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    paid: MoneyOut
    refunded: MoneyOut
    placed_at: datetime
    pay_deadline: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None


class OrderPageOut(Schema):
    items: list[OrderRowOut]
    count: int


class LineOut(Schema):
    id: int
    sku_id: int | None
    product_id: int
    sku_code: str
    title: str
    spec_label: str
    image: str
    unit_price: MoneyOut
    quantity: int
    subtotal: MoneyOut
    discount: MoneyOut
    paid_share: MoneyOut = Field(..., description="What the customer paid for this line (after discounts)")
    refunded: MoneyOut
    refundable: MoneyOut = Field(..., description="What can still go back: paid share less refunds made or under way")
    explanation: list[str]


class EventOut(Schema):
    kind: str = Field(..., description="placed, pay, allocate, cancel, refund_requested, refunded, close, …")
    from_status: str
    to_status: str
    actor: str
    note: str
    data: dict[str, Any]
    at: datetime


class PaymentOut(Schema):
    out_trade_no: str
    gateway: str
    amount: MoneyOut
    status: str
    trade_no: str = Field(..., description="The gateway's transaction number")
    created_at: datetime
    paid_at: datetime | None


class RefundLineOut(Schema):
    line_id: int = Field(..., description="0 stands for the shipping fee")
    amount: MoneyOut


class RefundOut(Schema):
    request_key: str
    amount: MoneyOut
    reason: str
    status: str
    lines: list[RefundLineOut]
    requested_by: str
    created_at: datetime | None
    succeeded_at: datetime | None
    out_refund_no: str
    gateway_refund_no: str = Field(..., description="The gateway's refund number, once it has one")
    gateway_status: str


class ReservationOut(Schema):
    sku_id: int
    warehouse_code: str
    warehouse_name: str
    quantity: int


class InvoiceOut(Schema):
    kind: str = Field(..., description="none, personal or company")
    kind_label: str
    title: str
    tax_number: str


class OrderOut(OrderRowOut):
    district: str
    address_detail: str
    note: str
    cancel_reason: str
    invoice: InvoiceOut
    explanation: list[str]
    lines: list[LineOut]
    events: list[EventOut]
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    reservations: list[ReservationOut]


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class RefundLineIn(Schema):
    line_id: int = Field(..., ge=1)
    amount: str | None = Field(None, description='Yuan, e.g. "12.30"; null refunds all that is left on the line')


class RefundIn(Schema):
    lines: list[RefundLineIn] = Field(..., min_length=1)
    reason: str = Field(..., min_length=1, max_length=200)
    request_key: str = Field(
        ..., min_length=1, max_length=64, description="Your idempotency key: the same key answers the same refund"
    )
