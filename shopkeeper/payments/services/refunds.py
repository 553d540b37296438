"""Refunds: never more than was paid, one per request key, carried out by the gateway.

`refund_start` locks the reference's paid payments (in primary-key order), counts the refunds
that are pending or done, and records the new one as pending; after commit a task asks the
gateway. The gateway's signed refund notification marks it succeeded (`RefundSucceeded`); a
refusal marks it failed (`RefundFailed`) and its amount becomes refundable again.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    RefundNotice,
    RefundOrder,
    RefundState,
)
from shopkeeper.payments.domain.numbers import trade_number
from shopkeeper.payments.domain.refunds import PaidTrade, RefundRefusal, refund_decide
from shopkeeper.payments.domain.states import CHANGES, Effect, RefundRecordState, refund_effect
from shopkeeper.payments.enums import NotificationKind, NotificationResult, PaymentStatus, RefundStatus
from shopkeeper.payments.errors import GatewayUnavailable, RefundRefused
from shopkeeper.payments.events import RefundFailed, RefundSucceeded
from shopkeeper.payments.gateways import gateway_get
from shopkeeper.payments.models import Payment, Refund
from shopkeeper.payments.services.notifications import CallbackRecord, NotificationOutcome
from shopkeeper.payments.services.payments import refund_notify_url

logger = logging.getLogger(__name__)

REQUEST_KEY_MAX = 128
REASON_MAX = 200
COMMITTED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
RESULT_BY_EFFECT = {
    Effect.SUCCEED: NotificationResult.APPLIED,
    Effect.FAIL: NotificationResult.APPLIED,
    Effect.DUPLICATE: NotificationResult.DUPLICATE,
    Effect.IGNORE: NotificationResult.IGNORED,
}
_REFUSALS = {
    RefundRefusal.NOT_POSITIVE: gettext_lazy("A refund must be above zero"),
    RefundRefusal.NOTHING_PAID: gettext_lazy("Nothing has been paid for %(reference)s"),
    RefundRefusal.EXCEEDS_PAID: gettext_lazy("Refunds would exceed what was paid for %(reference)s"),
    RefundRefusal.NO_SINGLE_PAYMENT: gettext_lazy("No single payment of %(reference)s has that much left to refund"),
}


def _snapshot(refund: Refund) -> dict[str, Any]:
    return {
        "status": refund.status,
        "amount": yuan_text(refund.amount_fen),
        "reference": refund.payment.reference,
        "request_key": refund.request_key,
        "out_refund_no": refund.out_refund_no,
        "gateway_refund_no": refund.gateway_refund_no,
    }


def _same_request(existing: Refund, *, reference: str, amount: Money) -> Refund:
    if existing.payment.reference != reference or existing.amount_fen != amount.fen:
        raise RefundRefused(
            _("The request key “%(key)s” was already used for another refund") % {"key": existing.request_key},
            details={
                "reason": "request_key_reused",
                "request_key": existing.request_key,
                "reference": existing.payment.reference,
                "amount": yuan_text(existing.amount_fen),
            },
        )
    return existing


def _by_key(request_key: str) -> Refund | None:
    return Refund.objects.select_related("payment").filter(request_key=request_key).first()


def refund_start(*, reference: str, request_key: str, amount: Money, reason: str, actor: ActorContext) -> Refund:
    """Record a refund of `amount` for `reference` and have the gateway carry it out.

    The same request key returns the same refund (never a second one). Refused (RefundRefused,
    409) when pending + succeeded refunds would exceed what was paid.
    """
    request_key = request_key.strip()
    reason = reason.strip()
    problems: dict[str, str] = {}
    if not request_key or len(request_key) > REQUEST_KEY_MAX:
        problems["request_key"] = f"1–{REQUEST_KEY_MAX} characters"
    if len(reason) > REASON_MAX:
        problems["reason"] = f"at most {REASON_MAX} characters"
    if amount.fen <= 0:
        problems["amount"] = "above zero"
    if problems:
        raise ValidationFailed(_("The refund request is invalid"), details=problems)
    existing = _by_key(request_key)
    if existing is not None:
        return _same_request(existing, reference=reference, amount=amount)
    try:
        with transaction.atomic():
            payments = list(
                Payment.objects.select_for_update()
                .filter(reference=reference, status=PaymentStatus.SUCCEEDED)
                .order_by("pk")
            )
            existing = _by_key(request_key)  # again, under the lock: a concurrent call may have won
            if existing is not None:
                return _same_request(existing, reference=reference, amount=amount)
            committed = dict(
                Refund.objects.filter(payment__in=payments, status__in=COMMITTED)
                .values("payment_id")
                .annotate(total=Sum("amount_fen"))
                .values_list("payment_id", "total")
            )
            decision = refund_decide(
                [PaidTrade(p.pk, p.amount_fen, committed.get(p.pk, 0)) for p in payments], amount.fen
            )
            if decision.refusal is not None:
                raise RefundRefused(
                    str(_REFUSALS[decision.refusal]) % {"reference": reference},
                    details={
                        "reason": str(decision.refusal),
                        "reference": reference,
                        "paid": yuan_text(decision.paid_fen),
                        "refunded_or_pending": yuan_text(decision.committed_fen),
                        "refundable": yuan_text(decision.refundable_fen),
                        "requested": yuan_text(amount.fen),
                    },
                )
            payment = next(p for p in payments if p.pk == decision.payment_id)
            with transaction.atomic():
                refund = Refund.objects.create(
                    payment=payment,
                    out_refund_no=trade_number("R", timezone.now(), secrets.token_hex(5).upper()),
                    request_key=request_key,
                    amount_fen=amount.fen,
                    reason=reason,
                    requested_by=actor.user,
                )
            audit_record(actor=actor, action="refund.start", target=refund, after=_snapshot(refund))
            transaction.on_commit(partial(_queue_submit, refund.pk))
    except IntegrityError:
        # The same key for another reference was committed meanwhile (its lock was not ours).
        existing = _by_key(request_key)
        if existing is None:
            raise
        return _same_request(existing, reference=reference, amount=amount)
    return refund


def _queue_submit(refund_id: int) -> None:
    from shopkeeper.payments.tasks import refund_submit as task

    task.delay(refund_id)


def refund_submit(*, refund_id: int) -> str:
    """Ask the gateway to carry out a pending refund (the task; idempotent by out_refund_no)."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.submitted_at is not None:
        return refund.status
    payment = refund.payment
    adapter = gateway_get(payment.gateway)
    order = RefundOrder(
        out_trade_no=payment.out_trade_no,
        trade_no=payment.trade_no,
        out_refund_no=refund.out_refund_no,
        amount_fen=refund.amount_fen,
        total_fen=payment.amount_fen,
        reason=refund.reason,
        notify_url=refund_notify_url(payment.gateway),
    )
    try:
        accepted = adapter.refund_start(order)
    except GatewayRefusal as exc:
        _refund_fail(refund_id=refund.pk, reason=f"{exc.code}: {exc.message}")
        return RefundStatus.FAILED
    except GatewayError as exc:
        raise GatewayUnavailable(
            _("The payment gateway cannot be reached; try again in a moment"),
            details={"gateway": payment.gateway, "error": str(exc)[:200]},
        ) from exc
    Refund.objects.filter(pk=refund.pk, submitted_at__isnull=True).update(submitted_at=timezone.now())
    if accepted.gateway_refund_no:
        Refund.objects.filter(pk=refund.pk, gateway_refund_no="").update(
            gateway_refund_no=accepted.gateway_refund_no[:64]
        )
    return Refund.objects.values_list("status", flat=True).get(pk=refund.pk)


def _locked(refund_id: int) -> Refund:
    """Lock the payment, then the refund: the order refund_start locks in, so no deadlock."""
    payment_id = Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id)
    Payment.objects.select_for_update().filter(pk=payment_id).first()
    return Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)


def _refund_apply(
    refund: Refund, *, gateway_state: RefundState, when: datetime | None, gateway_refund_no: str, reason: str
) -> Effect:
    """Apply the gateway's word to a locked refund; publish the event of a change."""
    state = RefundRecordState(refund.status)
    effect = refund_effect(state, gateway_state)
    before = _snapshot(refund)
    if effect is Effect.SUCCEED:
        refund.status = RefundStatus.SUCCEEDED
        refund.succeeded_at = when or timezone.now()
        refund.gateway_refund_no = gateway_refund_no[:64] or refund.gateway_refund_no
        refund.save(update_fields=["status", "succeeded_at", "gateway_refund_no"])
        if state is RefundRecordState.FAILED:
            logger.warning("refund %s succeeded at the gateway after it was marked failed", refund.out_refund_no)
        audit_record(
            actor=ActorContext.system(), action="refund.succeed", target=refund, before=before, after=_snapshot(refund)
        )
        publish(
            RefundSucceeded(
                refund_id=refund.pk,
                reference=refund.payment.reference,
                request_key=refund.request_key,
                amount_fen=refund.amount_fen,
            )
        )
    elif effect is Effect.FAIL:
        refund.status = RefundStatus.FAILED
        refund.failed_at = timezone.now()
        refund.failure_reason = reason[:200]
        refund.save(update_fields=["status", "failed_at", "failure_reason"])
        audit_record(
            actor=ActorContext.system(), action="refund.fail", target=refund, before=before, after=_snapshot(refund)
        )
        publish(
            RefundFailed(
                refund_id=refund.pk,
                reference=refund.payment.reference,
                request_key=refund.request_key,
                amount_fen=refund.amount_fen,
                reason=refund.failure_reason,
            )
        )
    return effect


def _refund_fail(*, refund_id: int, reason: str) -> None:
    with transaction.atomic():
        refund = _locked(refund_id)
        _refund_apply(refund, gateway_state=RefundState.CLOSED, when=None, gateway_refund_no="", reason=reason)


def refund_notification_handle(
    *, gateway: str, params: Mapping[str, str], remote_addr: str | None = None
) -> NotificationOutcome:
    """Handle one asynchronous refund notification; every call is recorded in NotificationLog."""
    record = CallbackRecord.received(
        gateway=gateway, kind=NotificationKind.REFUND, params=params, remote_addr=remote_addr
    )
    try:
        adapter = gateway_get(gateway)
    except GatewayUnavailable as exc:
        return record.finish(NotificationResult.GATEWAY_UNAVAILABLE, exc.message)
    try:
        notice: RefundNotice = adapter.refund_notice_verify(record.params)
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
        found = (
            Refund.objects.select_related("payment")
            .filter(
                out_refund_no=notice.out_refund_no,
                payment__gateway=gateway,
                payment__out_trade_no=notice.out_trade_no,
            )
            .first()
        )
        if found is None:
            return record.finish(
                NotificationResult.UNKNOWN_TRADE, f"No refund {notice.out_refund_no} of {notice.out_trade_no}"
            )
        if notice.amount_fen != found.amount_fen:
            return record.finish(
                NotificationResult.AMOUNT_MISMATCH,
                f"Notified {yuan_text(notice.amount_fen)} for a refund of {yuan_text(found.amount_fen)}",
                payment=found.payment,
                refund=found,
            )
        refund = _locked(found.pk)
        effect = _refund_apply(
            refund,
            gateway_state=notice.state,
            when=notice.refunded_at,
            gateway_refund_no=notice.gateway_refund_no,
            reason=f"{notice.state.value} notified by the gateway",
        )
        message = {
            Effect.SUCCEED: "Refunded",
            Effect.FAIL: "Refund closed by the gateway",
            Effect.DUPLICATE: f"Already {refund.status}",
        }.get(effect, f"{notice.state.value} changes nothing for a {refund.status} refund")
        return record.finish(
            RESULT_BY_EFFECT[effect], message, payment=refund.payment, refund=refund, changed=effect in CHANGES
        )


def payments_lock(*, reference: str) -> None:
    """Lock the payments of `reference` in the caller's transaction (primary-key order).

    Callers that will then lock their own rows for the same reference (orders refunding lines)
    take this lock first, so they lock in the order the gateway's notifications do: payment, then
    the order. Two paths that lock alike cannot deadlock.
    """
    list(Payment.objects.select_for_update().filter(reference=reference).order_by("pk").values_list("pk", flat=True))
