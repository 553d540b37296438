"""Flash-sale statuses, as the console and the API show them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_PAY_WINDOW_MINUTES = 10  # a flash order's payment window unless the item says otherwise


class SaleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")  # its sessions run at their times
    PAUSED = "paused", _("Paused")  # nobody can grab until it is live again


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Admitted, order being placed")
    HELD = "held", _("Order placed, awaiting payment")
    PAID = "paid", _("Paid")
    RELEASED = "released", _("Returned to the pool")  # order cancelled or payment window ran out
    FAILED = "failed", _("Order not placed")  # admitted, but the order could not be placed


# Claims that count against the pool and the customer's limit.
TAKING = (ClaimStatus.PENDING, ClaimStatus.HELD, ClaimStatus.PAID)
