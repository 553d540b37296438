"""Coupon kinds, claim channels, validity kinds, template statuses and coupon states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CouponKind(models.TextChoices):
    """What a coupon takes off (the values are `CouponDiscount.kind`)."""

    AMOUNT = "amount", _("Amount off")
    PERCENT = "percent", _("Percent off (with a cap)")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class ClaimChannel(models.TextChoices):
    """Where a coupon may be claimed or issued; each template lists the channels it allows."""

    CLAIM_CENTRE = "claim_centre", _("Claim centre")
    NEW_CUSTOMER = "new_customer", _("New-customer gift")
    MEMBER_TIER = "member_tier", _("Member-tier gift")
    CAMPAIGN = "campaign", _("Campaign page")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service issuance")
    API = "api", _("API")


# Channels a shopper claims through themselves (the others are issued to them).
SELF_SERVICE_CHANNELS = frozenset({ClaimChannel.CLAIM_CENTRE, ClaimChannel.CAMPAIGN, ClaimChannel.API})


class ValidityKind(models.TextChoices):
    FIXED = "fixed", _("A fixed window")
    AFTER_CLAIM = "after_claim", _("A number of days after claiming")


class TemplateStatus(models.TextChoices):
    """Paused: no new claims (coupons already claimed stay usable until they expire)."""

    ACTIVE = "active", pgettext_lazy("coupon", "Active")
    PAUSED = "paused", _("Paused")


class CouponState(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("coupon", "Available")
    LOCKED = "locked", _("In an unpaid order")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
