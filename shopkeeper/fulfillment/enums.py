"""Shipment statuses, kinds and tracking event kinds, as the console and API show them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopkeeper.fulfillment.domain.states import ShipmentStatus as Status
from shopkeeper.fulfillment.domain.tracking import TrackingKind as Kind


class ShipmentStatus(models.TextChoices):
    TO_PICK = Status.TO_PICK.value, _("To pick")
    PICKED = Status.PICKED.value, _("Picked")
    PACKED = Status.PACKED.value, _("Packed")
    SHIPPED = Status.SHIPPED.value, _("Shipped")
    DELIVERED = Status.DELIVERED.value, pgettext_lazy("fulfilment", "Delivered")
    EXCEPTION = Status.EXCEPTION.value, _("Exception")
    CANCELLED = Status.CANCELLED.value, _("Cancelled")


class ShipmentKind(models.TextChoices):
    ORDER = "order", _("Order")
    REPLACEMENT = "replacement", _("Replacement")


class TrackingKind(models.TextChoices):
    COLLECTED = Kind.COLLECTED.value, _("Collected")
    IN_TRANSIT = Kind.IN_TRANSIT.value, _("In transit")
    OUT_FOR_DELIVERY = Kind.OUT_FOR_DELIVERY.value, _("Out for delivery")
    DELIVERED = Kind.DELIVERED.value, pgettext_lazy("fulfilment", "Delivered")
    EXCEPTION = Kind.EXCEPTION.value, _("Exception")


class DeliveredBy(models.TextChoices):
    CUSTOMER = "customer", _("Confirmed by the customer")
    CARRIER = "carrier", _("Reported by the carrier")
    AUTO = "auto", _("Confirmed automatically")
    STAFF = "staff", _("Confirmed by staff")


class PushStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("fulfilment", "Scheduled")
    DELIVERED = "delivered", _("Acknowledged")
    FAILED = "failed", _("Failed")
