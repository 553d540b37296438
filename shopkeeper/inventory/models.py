"""Inventory models: warehouses, stock per SKU per warehouse, the movement ledger, reservations
and low-stock alerts.

A stock line's `on_hand` and `reserved` change only through `inventory.services`, and every change
writes a `StockMovement` in the same transaction, so `on_hand` is always the sum of the line's
`on_hand_delta`s and `reserved` the sum of its `reserved_delta`s (`selectors.ledger_imbalances`
checks it). The database refuses `reserved < 0` and `reserved > on_hand`: there is no oversell.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.models import TimeStampedModel
from shopkeeper.inventory.enums import REGION_CHOICES, MovementKind, ReservationState


class Warehouse(TimeStampedModel):
    """A regional warehouse (华东仓, 华南仓 …): the provinces it serves first, and its place in lists."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    region = models.CharField(_("region"), max_length=16, choices=REGION_CHOICES)
    # Province names exactly as in core.domain.regions.PROVINCES, e.g. "上海市".
    provinces = models.JSONField(_("provinces served"), default=list, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("warehouse")
        default_permissions = ()

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """One SKU in one warehouse. Available = on hand − reserved; alerts compare it with safety stock."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stocks"
    )
    sku = models.ForeignKey("catalog.Sku", verbose_name=_("SKU"), on_delete=models.CASCADE, related_name="stocks")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["warehouse", "sku"]
        verbose_name = _("stock line")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "sku"], name="inventory_stock_one_line_per_sku"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("on_hand")), name="inventory_stock_reserved_in_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.sku_id}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.safety_stock > 0 and self.available < self.safety_stock


class StockMovement(models.Model):
    """One change of one stock line: what, by how much, why, who, and the line's balance after it."""

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        default_permissions = ()
        indexes = [models.Index(fields=["stock", "-id"], name="inventory_movement_ledger")]

    def __str__(self) -> str:
        return f"{self.kind} {self.on_hand_delta:+}/{self.reserved_delta:+} {self.reference}"


class StockReservation(models.Model):
    """Units held for an order (`reference`, e.g. "order:SK2026…") in one warehouse until shipped or released."""

    reference = models.CharField(_("reference"), max_length=100, db_index=True)
    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"))
    state = models.CharField(
        _("state"), max_length=12, choices=ReservationState.choices, default=ReservationState.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["reference", "stock"]
        verbose_name = _("stock reservation")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_quantity_positive"),
            models.UniqueConstraint(
                fields=["reference", "stock"],
                condition=Q(state="active"),
                name="inventory_reservation_one_active_per_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.quantity}× {self.stock_id} ({self.state})"


class LowStockAlert(models.Model):
    """Opened when a stock line's available units fall under its safety stock; resolved when they recover."""

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="alerts")
    available = models.IntegerField(_("available when opened"))
    safety_stock = models.PositiveIntegerField(_("safety stock when opened"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("low-stock alert")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["stock"], condition=Q(resolved_at__isnull=True), name="inventory_alert_one_open_per_line"
            ),
        ]

    def __str__(self) -> str:
        return f"low stock {self.stock_id}: {self.available} < {self.safety_stock}"


class InventoryAccess(models.Model):
    """Holds inventory permissions that belong to no single table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_inventory", "Can view warehouses, stock, the ledger and low-stock alerts"),
            ("manage_stock", "Can receive, adjust, count, write off and import stock"),
            ("set_safety_stock", "Can set safety stock"),
        ]

    def __str__(self) -> str:
        return "inventory access"
