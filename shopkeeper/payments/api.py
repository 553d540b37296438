"""Staff payments endpoints: payments, refunds and gateway notifications, read only.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import VIEW_PAYMENTS
from shopkeeper.payments import selectors
from shopkeeper.payments.models import NotificationLog, Payment, Refund
from shopkeeper.payments.schemas import (
    NotificationOut,
    PaymentDetailOut,
    PaymentOut,
    ReferenceSummaryOut,
    RefundOut,
    money_out,
)

router = Router(tags=["payments (staff)"])


@router.get("", response=list[PaymentOut], summary="Payments, newest first, with filters")
@requires(VIEW_PAYMENTS, api=True)
@paginate(LimitOffsetPagination)
def payment_list(
    request: HttpRequest,
    reference: str | None = None,
    status: str | None = None,
    gateway: str | None = None,
    out_trade_no: str | None = None,
    trade_no: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
) -> QuerySet[Payment]:
    return selectors.payment_list_staff(
        selectors.PaymentFilters(
            reference=reference,
            status=status,
            gateway=gateway,
            out_trade_no=out_trade_no,
            trade_no=trade_no,
            created_from=created_from,
            created_to=created_to,
        )
    )


@router.get("/summary", response=ReferenceSummaryOut, summary="What was paid and refunded for a reference")
@requires(VIEW_PAYMENTS, api=True)
def reference_summary(request: HttpRequest, reference: Query[str]) -> dict[str, object]:
    return {
        "reference": reference,
        "status": selectors.payment_status(reference),
        "paid": money_out(selectors.paid_total(reference).fen),
        "refunded": money_out(selectors.refunded_total(reference).fen),
        "refund_pending": money_out(selectors.refund_pending_total(reference).fen),
        "refundable": money_out(selectors.refundable_total(reference).fen),
        "payments": selectors.payments_for(reference),
        "refunds": selectors.refunds_for(reference),
    }


@router.get("/refunds", response=list[RefundOut], summary="Refunds, newest first, with filters")
@requires(VIEW_PAYMENTS, api=True)
@paginate(LimitOffsetPagination)
def refund_list(
    request: HttpRequest,
    reference: str | None = None,
    status: str | None = None,
    request_key: str | None = None,
    payment_id: int | None = None,
) -> QuerySet[Refund]:
    return selectors.refund_list_staff(
        selectors.RefundFilters(reference=reference, status=status, request_key=request_key, payment_id=payment_id)
    )


@router.get("/refunds/{refund_id}", response=RefundOut, summary="One refund")
@requires(VIEW_PAYMENTS, api=True)
def refund_get(request: HttpRequest, refund_id: int) -> Refund:
    return selectors.refund_get(refund_id=refund_id)


@router.get("/notifications", response=list[NotificationOut], summary="Gateway callbacks received, newest first")
@requires(VIEW_PAYMENTS, api=True)
@paginate(LimitOffsetPagination)
def notification_list(
    request: HttpRequest, out_trade_no: str | None = None, result: str | None = None, kind: str | None = None
) -> QuerySet[NotificationLog]:
    return selectors.notification_list(out_trade_no=out_trade_no, result=result, kind=kind)


@router.get("/{payment_id}", response=PaymentDetailOut, summary="One payment with its refunds and callbacks")
@requires(VIEW_PAYMENTS, api=True)
def payment_get(request: HttpRequest, payment_id: int) -> Payment:
    return selectors.payment_get(payment_id=payment_id)
