"""Payments records: our payments and refunds, every gateway callback we received, and the
sandbox gateway's own books (its trades, refunds, and the notifications it delivers).

Amounts are fen. A payment belongs to a `reference` such as "order:SK2026…"; one reference may
have several payments (a retry after a closed trade), of which the paid ones count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.payments.enums import (
    ACKNOWLEDGED_RESULTS,
    NotificationKind,
    NotificationResult,
    PaymentStatus,
    RefundStatus,
    SandboxAttemptOutcome,
    SandboxDeliveryKind,
    SandboxDeliveryStatus,
    SandboxRefundStatus,
    SandboxTamper,
    SandboxTradeStatus,
)


class PaymentsAccess(models.Model):
    """Holds payments permissions that belong to no single table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_payments", "Can see payments, refunds and the gateway notifications received"),
            ("view_sandbox", "Can see the sandbox gateway's trades and delivery log"),
        ]

    def __str__(self) -> str:
        return "payments access"


class Payment(models.Model):
    reference = models.CharField(_("reference"), max_length=100, db_index=True)
    out_trade_no = models.CharField(_("our trade number"), max_length=64, unique=True)
    gateway = models.CharField(_("gateway"), max_length=32)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    subject = models.CharField(_("subject"), max_length=256)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    trade_no = models.CharField(_("gateway transaction number"), max_length=64, blank=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    return_url = models.CharField(_("return URL"), max_length=500)
    pay_url = models.CharField(_("pay URL"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_payment_amount_positive"),
            # A double click must not open two trades: one open payment per reference, amount and gateway.
            models.UniqueConstraint(
                fields=["reference", "gateway", "amount_fen"],
                condition=Q(status="pending"),
                name="payments_payment_one_open",
            ),
        ]

    def __str__(self) -> str:
        return self.out_trade_no


class Refund(models.Model):
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(_("our refund number"), max_length=64, unique=True)
    request_key = models.CharField(_("request key"), max_length=128, unique=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING, db_index=True
    )
    gateway_refund_no = models.CharField(_("gateway refund number"), max_length=64, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    submitted_at = models.DateTimeField(_("sent to the gateway at"), null=True, blank=True)
    succeeded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payments_refund_amount_positive")]

    def __str__(self) -> str:
        return self.out_refund_no

    @property
    def reference(self) -> str:
        return self.payment.reference


class NotificationLog(models.Model):
    """One callback as received, whether we believed it, and what we did with it."""

    gateway = models.CharField(_("gateway"), max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    params = models.JSONField(_("parameters"), default=dict)
    remote_addr = models.GenericIPAddressField(_("sender IP"), null=True, blank=True)
    verified = models.BooleanField(_("signature verified"), default=False)
    result = models.CharField(_("outcome"), max_length=24, choices=NotificationResult.choices, db_index=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    out_trade_no = models.CharField(_("our trade number"), max_length=64, blank=True, db_index=True)
    out_refund_no = models.CharField(_("our refund number"), max_length=64, blank=True)
    notify_id = models.CharField(_("notification id"), max_length=64, blank=True)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("gateway notification")

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind} {self.out_trade_no} {self.result}"

    @property
    def answer(self) -> str:
        return "success" if self.result in ACKNOWLEDGED_RESULTS else "fail"


# --- the sandbox gateway's own books ------------------------------------------------------------


class SandboxTrade(models.Model):
    """A trade as the sandbox gateway keeps it; `token` opens its cashier page."""

    token = models.CharField(max_length=64, unique=True)
    out_trade_no = models.CharField(_("merchant trade number"), max_length=64, unique=True)
    trade_no = models.CharField(_("sandbox transaction number"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=256)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    return_url = models.CharField(_("return URL"), max_length=500)
    notify_url = models.CharField(_("notify URL"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=SandboxTradeStatus.choices, default=SandboxTradeStatus.WAITING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox trade")

    def __str__(self) -> str:
        return self.trade_no


class SandboxRefund(models.Model):
    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="refunds")
    out_refund_no = models.CharField(_("merchant refund number"), max_length=64, unique=True)
    refund_no = models.CharField(_("sandbox refund number"), max_length=64, unique=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    notify_url = models.CharField(_("notify URL"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=SandboxRefundStatus.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox refund")

    def __str__(self) -> str:
        return self.refund_no


class SandboxDelivery(models.Model):
    """One notification the sandbox must deliver (a duplicate is a second delivery of the same params)."""

    kind = models.CharField(_("kind"), max_length=16, choices=SandboxDeliveryKind.choices)
    trade = models.ForeignKey(SandboxTrade, on_delete=models.CASCADE, related_name="deliveries")
    refund = models.ForeignKey(
        SandboxRefund, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    url = models.CharField(_("URL"), max_length=500)
    params = models.JSONField(_("parameters"), default=dict)
    copy_number = models.PositiveSmallIntegerField(_("copy"), default=1)
    tamper = models.CharField(_("tampering"), max_length=16, choices=SandboxTamper.choices, default=SandboxTamper.NONE)
    delay_seconds = models.PositiveIntegerField(_("delay (s)"), default=0)
    drop_first = models.PositiveSmallIntegerField(_("first deliveries dropped"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=SandboxDeliveryStatus.choices, default=SandboxDeliveryStatus.SCHEDULED
    )
    attempts_made = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox delivery")

    def __str__(self) -> str:
        return f"{self.kind} {self.trade_id} #{self.copy_number}"


class SandboxDeliveryAttempt(models.Model):
    delivery = models.ForeignKey(SandboxDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=16, choices=SandboxAttemptOutcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("sandbox delivery attempt")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="payments_sandbox_attempt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {self.outcome}"
