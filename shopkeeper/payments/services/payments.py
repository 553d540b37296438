"""Payments: open one with a gateway, believe (or refuse) its notifications, ask it when unsure.

`payment_start` reuses the open payment of a reference and amount, so a double click is one
trade. `payment_notification_handle` verifies the signature, refuses unknown trades and amount
mismatches without changing anything, locks the payment row, and on the first success marks it
paid and publishes `PaymentSucceeded` in the same transaction; repeats are no-ops.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.events import publish
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.payments.domain.amounts import yuan_text
from shopkeeper.payments.domain.gateway import (
    GatewayError,
    GatewayRefusal,
    NoticeProblem,
    NoticeRejected,
    PaymentNotice,
    PaymentOrder,
    TradeState,
)
from shopkeeper.payments.domain.numbers import trade_number
from shopkeeper.payments.domain.states import CHANGES, Effect, PaymentState, payment_effect
from shopkeeper.payments.enums import NotificationKind, NotificationResult, PaymentStatus
from shopkeeper.payments.errors import GatewayUnavailable, PaymentRefused
from shopkeeper.payments.events import PaymentFailed, PaymentSucceeded
from shopkeeper.payments.gateways import gateway_get
from shopkeeper.payments.models import Payment
from shopkeeper.payments.selectors import payment_status
from shopkeeper.payments.services.notifications import CallbackRecord, NotificationOutcome

logger = logging.getLogger(__name__)

DEFAULT_GATEWAY = "sandbox"
RESULT_BY_EFFECT = {
    Effect.SUCCEED: NotificationResult.APPLIED,
    Effect.CLOSE: NotificationResult.APPLIED,
    Effect.DUPLICATE: NotificationResult.DUPLICATE,
    Effect.IGNORE: NotificationResult.IGNORED,
}


@dataclass(frozen=True)
class PaymentStart:
    payment_id: int
    out_trade_no: str
    pay_url: str  # send the customer's browser here


def notify_url(gateway: str) -> str:
    return settings.SITE_URL + reverse("payments:notify", args=[gateway])


def refund_notify_url(gateway: str) -> str:
    return settings.SITE_URL + reverse("payments:notify_refund", args=[gateway])


def _new_out_trade_no() -> str:
    return trade_number("P", timezone.now(), secrets.token_hex(5).upper())


def _snapshot(payment: Payment) -> dict[str, Any]:
    return {
        "status": payment.status,
        "trade_no": payment.trade_no,
        "amount": yuan_text(payment.amount_fen),
        "paid_at": payment.paid_at,
    }


def _check_start(*, reference: str, amount: Money, subject: str, return_url: str) -> None:
    problems: dict[str, str] = {}
    if not reference.strip() or len(reference) > 100:
        problems["reference"] = "1–100 characters"
    if amount.currency != settings.SHOPKEEPER_CURRENCY or amount.fen <= 0:
        problems["amount"] = f"above zero, in {settings.SHOPKEEPER_CURRENCY}"
    if not subject.strip():
        problems["subject"] = "required"
    if not return_url.strip() or len(return_url) > 500:
        problems["return_url"] = "1–500 characters"
    if problems:
        raise ValidationFailed(_("The payment request is incomplete"), details=problems)


def _open_payment(*, reference: str, amount_fen: int, gateway: str, **fields: Any) -> Payment:
    """The open payment of this reference, amount and gateway, or a new one (one even under a race)."""
    wanted = {"reference": reference, "amount_fen": amount_fen, "gateway": gateway, "status": PaymentStatus.PENDING}
    existing = Payment.objects.filter(**wanted).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Payment.objects.create(
                reference=reference, amount_fen=amount_fen, gateway=gateway, out_trade_no=_new_out_trade_no(), **fields
            )
    except IntegrityError:
        # Another request opened it between our read and our insert (payments_payment_one_open).
        return Payment.objects.get(**wanted)


def payment_start(
    *,
    reference: str,
    amount: Money,
    subject: str,
    customer_id: int | None,
    return_url: str,
    gateway: str = DEFAULT_GATEWAY,
) -> PaymentStart:
    """Open (or reuse) the payment and get the URL to send the customer to."""
    _check_start(reference=reference, amount=amount, subject=subject, return_url=return_url)
    adapter = gateway_get(gateway)
    payment = _open_payment(
        reference=reference.strip(),
        amount_fen=amount.fen,
        gateway=gateway,
        subject=subject.strip()[:256],
        customer_id=customer_id,
        return_url=return_url,
    )
    order = PaymentOrder(
        out_trade_no=payment.out_trade_no,
        amount_fen=payment.amount_fen,
        subject=payment.subject,
        return_url=payment.return_url,
        notify_url=notify_url(gateway),
    )
    try:
        pay_url = adapter.payment_start(order)
    except GatewayRefusal as exc:
        with transaction.atomic():
            updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.FAILED, closed_at=timezone.now()
            )
            if updated:
                audit_record(
                    actor=ActorContext.system(),
                    action="payment.fail",
                    target=payment,
                    after={"status": PaymentStatus.FAILED, "gateway_code": exc.code, "message": exc.message},
                )
        raise PaymentRefused(
            _("The payment gateway refused the payment: %(message)s") % {"message": exc.message},
            details={"gateway": gateway, "code": exc.code, "out_trade_no": payment.out_trade_no},
        ) from exc
    except GatewayError as exc:
        raise GatewayUnavailable(
            _("The payment gateway cannot be reached; try again in a moment"),
            details={"gateway": gateway, "error": str(exc)[:200]},
        ) from exc
    if pay_url != payment.pay_url:
        Payment.objects.filter(pk=payment.pk).update(pay_url=pay_url)
    return PaymentStart(payment_id=payment.pk, out_trade_no=payment.out_trade_no, pay_url=pay_url)


def _payment_apply(payment: Payment, notice: PaymentNotice, *, source: str) -> tuple[Effect, str]:
    """Apply the gateway's word to a locked payment; publish the event of a change. Returns what happened."""
    effect = payment_effect(PaymentState(payment.status), notice.state)
    before = _snapshot(payment)
    if effect is Effect.SUCCEED:
        payment.status = PaymentStatus.SUCCEEDED
        payment.trade_no = notice.trade_no[:64]
        payment.paid_at = notice.paid_at or timezone.now()
        payment.save(update_fields=["status", "trade_no", "paid_at", "updated_at"])
        audit_record(
            actor=ActorContext.system(),
            action="payment.succeed",
            target=payment,
            before=before,
            after={**_snapshot(payment), "source": source},
        )
        publish(
            PaymentSucceeded(
                payment_id=payment.pk,
                reference=payment.reference,
                amount_fen=payment.amount_fen,
                gateway=payment.gateway,
                trade_no=payment.trade_no,
                paid_at=payment.paid_at,
            )
        )
        if before["status"] != PaymentStatus.PENDING:
            logger.warning("payment %s was paid after it was %s", payment.out_trade_no, before["status"])
            return effect, f"Paid after it was {before['status']}"
        return effect, "Paid"
    if effect is Effect.CLOSE:
        payment.status = PaymentStatus.CLOSED
        payment.closed_at = timezone.now()
        payment.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=ActorContext.system(),
            action="payment.close",
            target=payment,
            before=before,
            after={**_snapshot(payment), "source": source},
        )
        publish(PaymentFailed(payment_id=payment.pk, reference=payment.reference))
        return effect, "Closed unpaid"
    if effect is Effect.DUPLICATE:
        if notice.trade_no and payment.trade_no and notice.trade_no != payment.trade_no:
            logger.warning(
                "payment %s: paid as %s, now notified as %s", payment.out_trade_no, payment.trade_no, notice.trade_no
            )
            return effect, f"Already {payment.status} (as trade {payment.trade_no}, not {notice.trade_no})"
        return effect, f"Already {payment.status}"
    return effect, f"{notice.state.value} changes nothing for a {payment.status} payment"


def payment_notification_handle(
    *, gateway: str, params: Mapping[str, str], remote_addr: str | None = None
) -> NotificationOutcome:
    """Handle one asynchronous payment notification; every call is recorded in NotificationLog."""
    record = CallbackRecord.received(
        gateway=gateway, kind=NotificationKind.PAYMENT, params=params, remote_addr=remote_addr
    )
    try:
        adapter = gateway_get(gateway)
    except GatewayUnavailable as exc:
        return record.finish(NotificationResult.GATEWAY_UNAVAILABLE, exc.message)
    try:
        notice = adapter.payment_notice_verify(record.params)
    except NoticeRejected as exc:
        record.verified = exc.problem is not NoticeProblem.BAD_SIGNATURE
        result = (
            NotificationResult.BAD_SIGNATURE
            if exc.problem is NoticeProblem.BAD_SIGNATURE
            else NotificationResult.MALFORMED
        )
        return record.finish(result, exc.message)
    record.verified = True
    with transaction.atomic():
        found = Payment.objects.filter(gateway=gateway, out_trade_no=notice.out_trade_no).first()
        if found is None:
            return record.finish(NotificationResult.UNKNOWN_TRADE, f"No payment {notice.out_trade_no}")
        if notice.amount_fen != found.amount_fen:
            return record.finish(
                NotificationResult.AMOUNT_MISMATCH,
                f"Notified {yuan_text(notice.amount_fen)} for a payment of {yuan_text(found.amount_fen)}",
                payment=found,
            )
        payment = Payment.objects.select_for_update().get(pk=found.pk)
        effect, message = _payment_apply(payment, notice, source="notification")
        return record.finish(RESULT_BY_EFFECT[effect], message, payment=payment, changed=effect in CHANGES)


def payment_sync_one(*, payment_id: int) -> str:
    """Ask the gateway about one pending payment and apply its answer; the payment's status after."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != PaymentStatus.PENDING:
        return payment.status
    adapter = gateway_get(payment.gateway)
    try:
        notice = adapter.trade_query(payment.out_trade_no)
    except GatewayError as exc:
        raise GatewayUnavailable(
            _("The payment gateway cannot be reached; try again in a moment"),
            details={"gateway": payment.gateway, "error": str(exc)[:200]},
        ) from exc
    if notice.state in {TradeState.WAITING, TradeState.NOT_FOUND}:
        return payment.status
    if notice.amount_fen != payment.amount_fen:
        logger.error(
            "payment %s: the gateway reports %s, we asked for %s; not applied",
            payment.out_trade_no,
            yuan_text(notice.amount_fen),
            yuan_text(payment.amount_fen),
        )
        return payment.status
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        _payment_apply(locked, notice, source="query")
        return locked.status


def payment_sync(*, reference: str) -> str:
    """For a return page: ask the gateway about the reference's open payments; `payment_status` after.

    A gateway that cannot be reached leaves things as they are (the notification will come).
    """
    for payment_id in Payment.objects.filter(reference=reference, status=PaymentStatus.PENDING).values_list(
        "pk", flat=True
    ):
        try:
            payment_sync_one(payment_id=payment_id)
        except GatewayUnavailable as exc:
            logger.warning("payment sync for %s skipped: %s", reference, exc.message)
    return payment_status(reference)


def payments_reconcile(*, settle_seconds: int = 60, max_age_hours: int = 48, limit: int = 200) -> dict[str, int]:
    """The beat job: ask the gateway about payments still pending after `settle_seconds`."""
    now = timezone.now()
    pending = Payment.objects.filter(
        status=PaymentStatus.PENDING,
        created_at__lte=now - timedelta(seconds=settle_seconds),
        created_at__gte=now - timedelta(hours=max_age_hours),
    ).order_by("created_at")
    counts = {"asked": 0, "changed": 0, "unreachable": 0}
    for payment_id in list(pending.values_list("pk", flat=True)[:limit]):
        counts["asked"] += 1
        try:
            if payment_sync_one(payment_id=payment_id) != PaymentStatus.PENDING:
                counts["changed"] += 1
        except GatewayUnavailable:
            counts["unreachable"] += 1
    return counts
