"""Recording payments and refunds that already happened (demo data, a move from another system):
written in bulk as the gateway confirmed them, without asking the gateway again."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from shopkeeper.payments.enums import PaymentStatus, RefundStatus
from shopkeeper.payments.models import Payment, Refund


@dataclass(frozen=True)
class PaidRecord:
    reference: str
    amount_fen: int
    paid_at: datetime
    trade_no: str
    customer_id: int | None = None
    subject: str = ""
    gateway: str = "sandbox"
    refunded_at: datetime | None = None  # refunded in full at this moment
    refund_request_key: str = ""


def payments_bulk_record(records: Sequence[PaidRecord], *, batch_size: int = 1000) -> int:
    """Write succeeded payments (and their full refunds, when refunded_at is set). Answers how many."""
    with transaction.atomic():
        payments = [
            Payment(
                reference=record.reference,
                out_trade_no=f"H{record.paid_at:%Y%m%d}{secrets.token_hex(10).upper()}",
                gateway=record.gateway,
                amount_fen=record.amount_fen,
                subject=record.subject[:256] or record.reference,
                status=PaymentStatus.SUCCEEDED,
                trade_no=record.trade_no[:64],
                customer_id=record.customer_id,
                return_url="",
                created_at=record.paid_at,
                paid_at=record.paid_at,
            )
            for record in records
        ]
        Payment.objects.bulk_create(payments, batch_size=batch_size)
        by_reference = dict(
            Payment.objects.filter(reference__in=[r.reference for r in records if r.refunded_at]).values_list(
                "reference", "pk"
            )
        )
        Refund.objects.bulk_create(
            [
                Refund(
                    payment_id=by_reference[record.reference],
                    out_refund_no=f"HR{record.refunded_at:%Y%m%d}{secrets.token_hex(10).upper()}",
                    request_key=record.refund_request_key or f"{record.reference}:refund:history",
                    amount_fen=record.amount_fen,
                    reason="退货退款",
                    status=RefundStatus.SUCCEEDED,
                    gateway_refund_no=f"2300{secrets.randbelow(10**20):020d}",
                    created_at=record.refunded_at,
                    submitted_at=record.refunded_at,
                    succeeded_at=record.refunded_at,
                )
                for record in records
                if record.refunded_at is not None and record.reference in by_reference
            ],
            batch_size=batch_size,
        )
    return len(payments)
