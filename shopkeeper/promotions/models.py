"""Promotions (one row per rule the campaign operator sets up) and their uses on orders.

A promotion's mechanic lives in `params` (JSON, one shape per kind, checked by the domain's
`rule_problems` on save) and its reach in `scope`; `rules.py` turns a row into the pure rule the
engine evaluates. `PromotionUse` records which promotion took how much off which order line; it
counts as used once the order is paid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopkeeper.promotions.enums import GiftRefundRule, PromotionGroup, PromotionKind, PromotionStatus, UseState


class Promotion(models.Model):
    name = models.CharField(_("name"), max_length=80, help_text=_("For the team, e.g. “Double 12 spend tiers”."))
    label = models.CharField(
        _("label"),
        max_length=40,
        blank=True,
        help_text=_("What shoppers see on badges and in the cart, e.g. “满200减30”; blank: made from the rule."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PromotionKind.choices)
    params = models.JSONField(_("rule"), default=dict, blank=True)
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    group = models.CharField(_("group"), max_length=10, choices=PromotionGroup.choices)
    stacks = models.BooleanField(
        _("stacks"), default=False, help_text=_("Applies together with other promotions of its group.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PromotionStatus.choices, default=PromotionStatus.DRAFT, db_index=True
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
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
        ordering = ["-starts_at", "-id"]
        verbose_name = _("promotion")
        permissions = [
            ("view_promotions", "Can see promotions, their calendar and counters"),
            ("manage_promotions", "Can create, change, pause and end promotions"),
            ("run_simulator", "Can run the campaign simulator"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="promotions_window_valid"),
        ]
        indexes = [models.Index(fields=["status", "starts_at", "ends_at"], name="promotions_running")]

    def __str__(self) -> str:
        return self.name

    @property
    def rule_id(self) -> str:
        return f"promo:{self.pk}"


class PromotionUse(models.Model):
    """What one promotion did on one order line (line null: the order as a whole, e.g. shipping)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="uses")
    order_id = models.BigIntegerField(_("order"), db_index=True)
    order_number = models.CharField(_("order number"), max_length=24)
    line_id = models.BigIntegerField(_("order line"), null=True, blank=True)
    sku_id = models.BigIntegerField(_("SKU"), null=True, blank=True)
    discount_fen = models.BigIntegerField(_("discount (fen)"), default=0)
    units = models.PositiveIntegerField(_("units"), default=0)
    gift_units = models.PositiveIntegerField(_("gift units"), default=0)
    # For a gift line: what happens to the gift on refund (recover, charge, after_receipt).
    gift_refund_rule = models.CharField(
        _("gift on refund"), max_length=16, choices=GiftRefundRule.choices, blank=True, default=""
    )
    state = models.CharField(_("state"), max_length=10, choices=UseState.choices, default=UseState.PLACED)
    placed_at = models.DateTimeField(_("placed at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "id"]
        verbose_name = _("promotion use")
        indexes = [models.Index(fields=["promotion", "state"], name="promotions_use_counter")]
        constraints = [models.CheckConstraint(condition=Q(discount_fen__gte=0), name="promotions_use_discount_valid")]

    def __str__(self) -> str:
        return f"{self.promotion_id} on {self.order_number}"
