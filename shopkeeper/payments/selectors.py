"""Payments reads: what the orders app asks about a reference, and the staff lists.

`payment_status(reference)` is "succeeded" when any payment of it was paid, else "pending" when
one is open, else the latest payment's status ("closed", "failed"), or "none" without payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet, Sum

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound
from shopkeeper.payments.enums import PaymentStatus, RefundStatus
from shopkeeper.payments.models import (
    NotificationLog,
    Payment,
    Refund,
    SandboxDelivery,
    SandboxDeliveryAttempt,
    SandboxTrade,
)

NO_PAYMENT = "none"


def payments_for(reference: str) -> list[Payment]:
    return list(Payment.objects.filter(reference=reference).order_by("created_at", "pk"))


def payment_status(reference: str) -> str:
    statuses = list(
        Payment.objects.filter(reference=reference).order_by("-created_at", "-pk").values_list("status", flat=True)
    )
    if not statuses:
        return NO_PAYMENT
    for wanted in (PaymentStatus.SUCCEEDED, PaymentStatus.PENDING):
        if wanted in statuses:
            return str(wanted)
    return statuses[0]


def refunds_for(reference: str) -> list[Refund]:
    return list(
        Refund.objects.filter(payment__reference=reference).select_related("payment").order_by("created_at", "pk")
    )


def _sum(queryset: QuerySet[Payment] | QuerySet[Refund]) -> Money:
    return Money(int(queryset.aggregate(total=Sum("amount_fen"))["total"] or 0))


def paid_total(reference: str) -> Money:
    return _sum(Payment.objects.filter(reference=reference, status=PaymentStatus.SUCCEEDED))


def refunded_total(reference: str) -> Money:
    """Refunds the gateway carried out."""
    return _sum(Refund.objects.filter(payment__reference=reference, status=RefundStatus.SUCCEEDED))


def refund_pending_total(reference: str) -> Money:
    return _sum(Refund.objects.filter(payment__reference=reference, status=RefundStatus.PENDING))


def refundable_total(reference: str) -> Money:
    """What a new refund may still take: paid minus pending and succeeded refunds."""
    left = paid_total(reference) - refunded_total(reference) - refund_pending_total(reference)
    return left.max(Money.zero())


# --- staff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFilters:
    reference: str | None = None
    status: str | None = None
    gateway: str | None = None
    out_trade_no: str | None = None
    trade_no: str | None = None
    created_from: date | None = None
    created_to: date | None = None


def payment_list_staff(filters: PaymentFilters) -> QuerySet[Payment]:
    queryset = Payment.objects.select_related("customer").order_by("-created_at", "-pk")
    if filters.reference:
        queryset = queryset.filter(reference=filters.reference)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.gateway:
        queryset = queryset.filter(gateway=filters.gateway)
    if filters.out_trade_no:
        queryset = queryset.filter(out_trade_no=filters.out_trade_no)
    if filters.trade_no:
        queryset = queryset.filter(trade_no=filters.trade_no)
    if filters.created_from:
        queryset = queryset.filter(created_at__date__gte=filters.created_from)
    if filters.created_to:
        queryset = queryset.filter(created_at__date__lte=filters.created_to)
    return queryset


def payment_get(*, payment_id: int) -> Payment:
    payment = (
        Payment.objects.select_related("customer")
        .prefetch_related(
            Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "pk")),
            Prefetch("notifications", queryset=NotificationLog.objects.order_by("-received_at", "-pk")),
        )
        .filter(pk=payment_id)
        .first()
    )
    if payment is None:
        raise NotFound(f"No payment {payment_id}", details={"payment_id": payment_id})
    return payment


@dataclass(frozen=True)
class RefundFilters:
    reference: str | None = None
    status: str | None = None
    request_key: str | None = None
    payment_id: int | None = None


def refund_list_staff(filters: RefundFilters) -> QuerySet[Refund]:
    queryset = Refund.objects.select_related("payment", "requested_by").order_by("-created_at", "-pk")
    if filters.reference:
        queryset = queryset.filter(payment__reference=filters.reference)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.request_key:
        queryset = queryset.filter(request_key=filters.request_key)
    if filters.payment_id:
        queryset = queryset.filter(payment_id=filters.payment_id)
    return queryset


def refund_get(*, refund_id: int) -> Refund:
    refund = Refund.objects.select_related("payment", "requested_by").filter(pk=refund_id).first()
    if refund is None:
        raise NotFound(f"No refund {refund_id}", details={"refund_id": refund_id})
    return refund


def notification_list(
    *, out_trade_no: str | None = None, result: str | None = None, kind: str | None = None
) -> QuerySet[NotificationLog]:
    queryset = NotificationLog.objects.order_by("-received_at", "-pk")
    if out_trade_no:
        queryset = queryset.filter(out_trade_no=out_trade_no)
    if result:
        queryset = queryset.filter(result=result)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


# --- the sandbox's books (its console page) ----------------------------------------------------


def sandbox_trades(*, out_trade_no: str | None = None) -> QuerySet[SandboxTrade]:
    attempts = SandboxDeliveryAttempt.objects.order_by("number")
    deliveries = SandboxDelivery.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("attempts", queryset=attempts)
    )
    queryset = SandboxTrade.objects.order_by("-created_at", "-pk").prefetch_related(
        Prefetch("deliveries", queryset=deliveries), "refunds"
    )
    if out_trade_no:
        queryset = queryset.filter(out_trade_no=out_trade_no)
    return queryset


def sandbox_deliveries_for(*, out_trade_no: str) -> list[SandboxDelivery]:
    return list(
        SandboxDelivery.objects.filter(trade__out_trade_no=out_trade_no)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("attempts", queryset=SandboxDeliveryAttempt.objects.order_by("number")))
    )
