"""Coupon templates (what the campaign operator sets up) and coupons (one claimed by one customer).

A template's `claimed_count` is the total handed out; claims raise it with a conditional update,
so the total limit holds under concurrency, and each coupon carries the customer's claim number
(`seq`, 1 … per-customer limit) under a unique constraint, so the per-customer limit holds too.
A coupon moves available → locked (in an unpaid order) → used (the order was paid), back to
available when the order is cancelled, and to expired once its validity ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopkeeper.promotions.coupons.enums import (
    ClaimChannel,
    CouponKind,
    CouponState,
    TemplateStatus,
    ValidityKind,
)

NAME_MAX_LENGTH = 40
CODE_MAX_LENGTH = 32


def default_channels() -> list[str]:
    return [ClaimChannel.CLAIM_CENTRE.value]


class CouponTemplate(models.Model):
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, help_text=_("What shoppers see, e.g. “满199减20”."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CouponKind.choices)
    amount_fen = models.BigIntegerField(_("amount off (fen)"), null=True, blank=True)
    percent_off = models.PositiveSmallIntegerField(_("percent off"), null=True, blank=True)
    cap_fen = models.BigIntegerField(_("cap (fen)"), null=True, blank=True)
    threshold_fen = models.BigIntegerField(_("threshold (fen)"), default=0)
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    claim_starts_at = models.DateTimeField(_("claimable from"))
    claim_ends_at = models.DateTimeField(_("claimable until"), null=True, blank=True)
    validity_kind = models.CharField(
        _("validity"), max_length=12, choices=ValidityKind.choices, default=ValidityKind.FIXED
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(_("valid for (days after claiming)"), null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(pgettext_lazy("coupon", "limit per customer"), default=1)
    total_limit = models.PositiveIntegerField(_("total limit"), null=True, blank=True)
    claimed_count = models.PositiveIntegerField(_("claimed"), default=0)
    channels = models.JSONField(_("claim channels"), default=default_channels)
    stacks_with_promotions = models.BooleanField(_("stacks with promotions"), default=True)
    max_per_order = models.PositiveSmallIntegerField(_("coupons per order"), default=1)
    code = models.CharField(_("claim code"), max_length=CODE_MAX_LENGTH, blank=True, db_index=True)
    first_order_only = models.BooleanField(_("first order only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.ACTIVE, db_index=True
    )
    min_margin_percent = models.PositiveSmallIntegerField(_("minimum margin (%)"), null=True, blank=True)
    min_price_fen = models.BigIntegerField(_("minimum price (fen)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-claim_starts_at", "-id"]
        verbose_name = _("coupon template")
        permissions = [
            ("view_coupons", "Can see coupon templates and their counters"),
            ("manage_coupons", "Can create, change and pause coupon templates"),
            ("issue_coupons", "Can issue coupons to customers (customer service)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_limit__isnull=True) | Q(claimed_count__lte=F("total_limit")),
                name="coupons_template_total_limit_held",
            ),
            models.CheckConstraint(condition=Q(per_customer_limit__gte=1), name="coupons_template_per_customer_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> int | None:
        """How many are left to claim (None: no total limit)."""
        return None if self.total_limit is None else max(0, self.total_limit - self.claimed_count)


class Coupon(models.Model):
    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="coupons"
    )
    seq = models.PositiveIntegerField(_("claim number"))  # the customer's n-th coupon of this template
    channel = models.CharField(_("channel"), max_length=20, choices=ClaimChannel.choices)
    claimed_at = models.DateTimeField(_("claimed at"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    state = models.CharField(_("state"), max_length=10, choices=CouponState.choices, default=CouponState.AVAILABLE)
    order_reference = models.CharField(_("order"), max_length=64, blank=True, db_index=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    discount_fen = models.BigIntegerField(_("discount (fen)"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["valid_until", "id"]
        verbose_name = _("coupon")
        constraints = [
            models.UniqueConstraint(fields=["template", "customer", "seq"], name="coupons_coupon_one_per_claim"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="coupons_coupon_window_valid"),
        ]
        indexes = [
            models.Index(fields=["customer", "state", "valid_until"], name="coupons_coupon_wallet"),
            models.Index(fields=["state", "valid_until"], name="coupons_coupon_expiry"),
            models.Index(fields=["template", "state"], name="coupons_coupon_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id}/{self.customer_id}/{self.seq}"

    @property
    def rule_id(self) -> str:
        return f"coupon:{self.pk}"
