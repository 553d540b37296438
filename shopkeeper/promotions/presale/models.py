"""Deposit presales (定金膨胀): the campaign's terms, the orders placed under it, and the
reminders sent to customers who owe their balance (the outbox their order page shows)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.presale.domain.terms import Terms
from shopkeeper.promotions.presale.enums import PresaleReminderKind, PresaleStatus


class Presale(models.Model):
    name = models.CharField(_("name"), max_length=80)
    sku = models.ForeignKey("catalog.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    final_price_fen = models.BigIntegerField(_("presale price (fen)"))
    deposit_fen = models.BigIntegerField(_("deposit (fen)"))
    deposit_value_fen = models.BigIntegerField(_("deposit value (fen)"), help_text=_("e.g. ¥50 counts as ¥100"))
    presale_starts_at = models.DateTimeField(_("deposits from"))
    presale_ends_at = models.DateTimeField(_("deposits until"))
    balance_starts_at = models.DateTimeField(_("balance from"))
    balance_ends_at = models.DateTimeField(_("balance until"))
    limit_per_customer = models.PositiveIntegerField(_("units per customer"), default=1)
    min_margin_percent = models.PositiveSmallIntegerField(_("minimum margin (%)"), null=True, blank=True)
    min_price_fen = models.BigIntegerField(_("minimum price (fen)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PresaleStatus.choices, default=PresaleStatus.ACTIVE, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-presale_starts_at", "-id"]
        verbose_name = _("presale")
        constraints = [
            models.CheckConstraint(
                condition=Q(deposit_fen__gt=0)
                & Q(deposit_fen__lt=F("final_price_fen"))
                & Q(deposit_value_fen__gte=F("deposit_fen"))
                & Q(deposit_value_fen__lte=F("final_price_fen")),
                name="presale_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(presale_ends_at__gt=F("presale_starts_at"))
                & Q(balance_starts_at__gte=F("presale_ends_at"))
                & Q(balance_ends_at__gt=F("balance_starts_at")),
                name="presale_windows_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def terms(self) -> Terms:
        return Terms(
            final_price=Money(self.final_price_fen),
            deposit=Money(self.deposit_fen),
            deposit_value=Money(self.deposit_value_fen),
            presale_starts=self.presale_starts_at,
            presale_ends=self.presale_ends_at,
            balance_starts=self.balance_starts_at,
            balance_ends=self.balance_ends_at,
            limit_per_customer=self.limit_per_customer,
        )


class PresaleOrder(models.Model):
    """An order placed under a presale (its deposit and balance are tracked on the order itself)."""

    presale = models.ForeignKey(Presale, on_delete=models.PROTECT, related_name="orders")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("presale order")
        indexes = [models.Index(fields=["presale", "customer"], name="presale_order_customer")]

    def __str__(self) -> str:
        return f"{self.presale_id} {self.order_id}"


class PresaleReminder(models.Model):
    """One reminder per order and kind (the unique constraint makes sending idempotent)."""

    presale_order = models.ForeignKey(PresaleOrder, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("reminder"), max_length=20, choices=PresaleReminderKind.choices)
    channel = models.CharField(_("channel"), max_length=20)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("presale reminder")
        constraints = [
            models.UniqueConstraint(fields=["presale_order", "kind"], name="presale_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.presale_order_id} {self.kind}"
