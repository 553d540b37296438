"""Fulfilment models: shipments (one per order and warehouse, or a replacement), their lines,
tracking events, carriers, bin locations, warehouse capacity and the sandbox carrier's pushes.

A shipment's status changes only through `fulfillment.services`, by the pure state machine in
`domain/states.py`. The database keeps one order shipment per order, warehouse and stock
reference, so opening shipments twice (a duplicated event) opens them once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.fulfillment.enums import DeliveredBy, PushStatus, ShipmentKind, ShipmentStatus, TrackingKind

DEFAULT_CAPACITY = 2000  # orders a warehouse ships per day, until someone measures it
NO_BIN = "—"


class FulfillmentAccess(models.Model):
    """Holds fulfilment permissions that belong to no single table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_shipments", "Can view shipments and their tracking"),
            ("run_warehouse_desk", "Can pick, pack and ship, and set bins, carriers and capacity"),
            ("view_overdue", "Can view overdue shipments and run the surge drill"),
        ]

    def __str__(self) -> str:
        return "fulfilment access"


class Carrier(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=40)
    tracking_pattern = models.CharField(_("tracking number format"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("carrier")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class BinLocation(models.Model):
    """Where a SKU sits in a warehouse (a shelf bin such as A-03-2), for the picking list."""

    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("bin"), max_length=32, default=NO_BIN)

    class Meta:
        verbose_name = _("bin location")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["warehouse", "sku"], name="fulfillment_bin_one_per_sku")]

    def __str__(self) -> str:
        return self.code


class WarehouseCapacity(models.Model):
    warehouse = models.OneToOneField("inventory.Warehouse", on_delete=models.CASCADE, related_name="+")
    orders_per_day = models.PositiveIntegerField(_("orders shipped per day"), default=DEFAULT_CAPACITY)

    class Meta:
        verbose_name = _("warehouse capacity")
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=Q(orders_per_day__gt=0), name="fulfillment_capacity_positive")]

    def __str__(self) -> str:
        return f"{self.warehouse_id}: {self.orders_per_day}"


class Shipment(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    order_number = models.CharField(_("order number"), max_length=24, db_index=True)
    customer_id = models.BigIntegerField(_("customer"), db_index=True)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=ShipmentKind.choices, default=ShipmentKind.ORDER)
    reference = models.CharField(_("stock reference"), max_length=100)  # whose reservation it ships
    status = models.CharField(
        _("status"), max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.TO_PICK
    )
    priority = models.BooleanField(_("priority"), default=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    dispatch_deadline = models.DateTimeField(_("dispatch by"))
    recipient = models.CharField(_("recipient"), max_length=40, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    picked_at = models.DateTimeField(_("picked at"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.CharField(_("delivery confirmed"), max_length=10, choices=DeliveredBy.choices, blank=True)
    exception_note = models.CharField(_("exception"), max_length=200, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-priority", "dispatch_deadline", "id"]
        verbose_name = _("shipment")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["order", "warehouse", "reference"], name="fulfillment_shipment_one_per_warehouse"
            ),
            models.UniqueConstraint(
                fields=["carrier", "tracking_no"],
                condition=~Q(tracking_no=""),
                name="fulfillment_shipment_tracking_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "status", "-priority", "dispatch_deadline"], name="fulfillment_queue"),
            models.Index(fields=["status", "shipped_at"], name="fulfillment_in_transit"),
        ]

    def __str__(self) -> str:
        return f"{self.order_number}/{self.pk}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", null=True, on_delete=models.SET_NULL, related_name="+")
    sku_code = models.CharField(_("SKU code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    spec_label = models.CharField(_("variant"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    packed_quantity = models.PositiveIntegerField(_("scanned"), default=0)

    class Meta:
        ordering = ["shipment", "id"]
        verbose_name = _("shipment line")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(packed_quantity__lte=F("quantity")),
                name="fulfillment_line_scans_within_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_code} × {self.quantity}"

    @property
    def scanned(self) -> bool:
        return self.packed_quantity >= self.quantity


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking")
    carrier_code = models.CharField(max_length=16)
    event_id = models.CharField(max_length=64)
    kind = models.CharField(_("event"), max_length=20, choices=TrackingKind.choices)
    occurred_at = models.DateTimeField(_("at"))
    location = models.CharField(_("where"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["carrier_code", "event_id"], name="fulfillment_tracking_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.carrier_code} {self.event_id} {self.kind}"


class SandboxPush(models.Model):
    """A tracking event the sandbox carrier posts to our callback (a development tool)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=300)
    params = models.JSONField(default=dict)
    tamper = models.BooleanField(default=False)  # sent with a broken signature (to test the refusal)
    status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.SCHEDULED)
    http_status = models.IntegerField(null=True, blank=True)
    answer = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox tracking push")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.params.get('kind', '')}"
