"""Payments enumerations: payment and refund status, notification outcomes, the sandbox's records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shopkeeper.payments.domain.gateway import RefundState, TradeState
from shopkeeper.payments.domain.states import PaymentState, RefundRecordState


class PaymentStatus(models.TextChoices):
    PENDING = PaymentState.PENDING.value, _("Awaiting payment")
    SUCCEEDED = PaymentState.SUCCEEDED.value, _("Paid")
    FAILED = PaymentState.FAILED.value, _("Failed")
    CLOSED = PaymentState.CLOSED.value, _("Closed unpaid")


class RefundStatus(models.TextChoices):
    PENDING = RefundRecordState.PENDING.value, _("Refund pending")
    SUCCEEDED = RefundRecordState.SUCCEEDED.value, _("Refunded")
    FAILED = RefundRecordState.FAILED.value, _("Refund failed")


class NotificationKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class NotificationResult(models.TextChoices):
    """What we did with a gateway callback. The first three answer `success`, the rest `fail`."""

    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Duplicate (no change)")
    IGNORED = "ignored", _("Acknowledged (no change)")
    BAD_SIGNATURE = "bad_signature", _("Rejected: bad signature")
    MALFORMED = "malformed", _("Rejected: malformed")
    UNKNOWN_TRADE = "unknown_trade", _("Rejected: unknown trade")
    AMOUNT_MISMATCH = "amount_mismatch", _("Rejected: amount mismatch")
    GATEWAY_UNAVAILABLE = "gateway_unavailable", _("Rejected: gateway unavailable")
    ERROR = "error", _("Error")


ACKNOWLEDGED_RESULTS = frozenset({NotificationResult.APPLIED, NotificationResult.DUPLICATE, NotificationResult.IGNORED})


class SandboxTradeStatus(models.TextChoices):
    WAITING = TradeState.WAITING.value, _("Waiting for the customer")
    SUCCESS = TradeState.SUCCESS.value, _("Paid")
    CLOSED = TradeState.CLOSED.value, _("Closed")


class SandboxRefundStatus(models.TextChoices):
    SUCCESS = RefundState.SUCCESS.value, _("Refunded")
    CLOSED = RefundState.CLOSED.value, _("Refund closed")


class SandboxDeliveryKind(models.TextChoices):
    PAYMENT = "payment", _("Payment notification")
    REFUND = "refund", _("Refund notification")


class SandboxTamper(models.TextChoices):
    NONE = "none", _("None: a correct notification")
    WRONG_AMOUNT = "wrong_amount", _("Notify with a wrong amount")
    BAD_SIGNATURE = "bad_signature", _("Notify with a bad signature")


class SandboxDeliveryStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    GAVE_UP = "gave_up", _("Gave up")


class SandboxAttemptOutcome(models.TextChoices):
    DROPPED = "dropped", _("Dropped (test knob)")
    ACKNOWLEDGED = "acknowledged", _("Answered success")
    REFUSED = "refused", _("Answered something else")
    UNREACHABLE = "unreachable", _("No answer")
