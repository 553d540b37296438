"""Payments API schemas. Amounts come out as {"fen": 19900, "yuan": "199.00"}."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from shopkeeper.payments.domain.amounts import yuan_text


class MoneyOut(Schema):
    fen: int
    yuan: str


def money_out(fen: int) -> MoneyOut:
    return MoneyOut(fen=fen, yuan=yuan_text(fen) if fen >= 0 else f"-{yuan_text(-fen)}")


class PaymentOut(Schema):
    id: int
    reference: str
    out_trade_no: str
    gateway: str
    amount: MoneyOut
    subject: str
    status: str
    status_label: str
    trade_no: str
    customer_id: int | None
    created_at: datetime
    paid_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_amount(obj: Any) -> MoneyOut:
        return money_out(obj.amount_fen)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())


class RefundOut(Schema):
    id: int
    reference: str
    payment_id: int
    out_trade_no: str
    out_refund_no: str
    request_key: str
    amount: MoneyOut
    reason: str
    status: str
    status_label: str
    gateway_refund_no: str
    failure_reason: str
    requested_by: str | None
    created_at: datetime
    submitted_at: datetime | None
    succeeded_at: datetime | None
    failed_at: datetime | None

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        return str(obj.payment.reference)

    @staticmethod
    def resolve_out_trade_no(obj: Any) -> str:
        return str(obj.payment.out_trade_no)

    @staticmethod
    def resolve_amount(obj: Any) -> MoneyOut:
        return money_out(obj.amount_fen)

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_requested_by(obj: Any) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by else None


class NotificationOut(Schema):
    id: int
    gateway: str
    kind: str
    received_at: datetime
    verified: bool
    result: str
    answer: str
    message: str
    out_trade_no: str
    out_refund_no: str
    notify_id: str
    payment_id: int | None
    refund_id: int | None
    remote_addr: str | None
    params: dict[str, Any]


class PaymentDetailOut(PaymentOut):
    refunds: list[RefundOut]
    notifications: list[NotificationOut]

    @staticmethod
    def resolve_refunds(obj: Any) -> list[Any]:
        return list(obj.refunds.all())

    @staticmethod
    def resolve_notifications(obj: Any) -> list[Any]:
        return list(obj.notifications.all())


class ReferenceSummaryOut(Schema):
    reference: str
    status: str
    paid: MoneyOut
    refunded: MoneyOut
    refund_pending: MoneyOut
    refundable: MoneyOut
    payments: list[PaymentOut]
    refunds: list[RefundOut]
