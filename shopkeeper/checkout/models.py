"""Carts and their lines, and the shop's shipping fee rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    """A guest's cart (found by the token in their session) or a customer's (one each)."""

    token = models.CharField(max_length=32, unique=True)
    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # The coupons the customer picked for this cart: null lets the engine pick the best one,
    # [] means no coupon.
    coupon_choice = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("cart")

    def __str__(self) -> str:
        return self.token


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("cart line")
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="checkout_cartline_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="checkout_cartline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} × {self.quantity}"


class ShippingRule(models.Model):
    """The shipping fee for a region (blank region: everywhere else), free over a goods total."""

    region = models.CharField(_("region"), max_length=20, blank=True, unique=True)
    fee_fen = models.BigIntegerField(_("fee (fen)"))
    free_over_fen = models.BigIntegerField(_("free over (fen)"), null=True, blank=True)

    class Meta:
        ordering = ["region"]
        verbose_name = _("shipping rule")
        permissions = [("manage_shipping", "Can change shipping fee rules")]
        constraints = [models.CheckConstraint(condition=Q(fee_fen__gte=0), name="checkout_shipping_fee_valid")]

    def __str__(self) -> str:
        return self.region or "default"
