"""Inventory enumerations: the kinds of stock movement and the states of a reservation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.domain.regions import REGION_NAMES, Region


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    RESERVATION = "reservation", _("Reservation")
    RELEASE = "release", _("Release")
    SHIPMENT = "shipment", _("Shipment")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE = "stocktake", _("Stocktake")
    WRITE_OFF = "write_off", _("Write-off")


class ReservationState(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")
    DEDUCTED = "deducted", _("Shipped")


# The warehouse's region, stored as core.domain.regions.Region's value and shown by its Chinese name.
REGION_CHOICES: list[tuple[str, str]] = [(region.value, REGION_NAMES[region]) for region in Region]
