"""Membership tiers (会员等级), lowest first. Member prices are set per tier; the loyalty system
(growth value) will move customers between tiers, today user operations sets them by hand."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class MemberTier(models.TextChoices):
    REGULAR = "regular", pgettext_lazy("member tier", "Regular member")
    SILVER = "silver", pgettext_lazy("member tier", "Silver member")
    GOLD = "gold", pgettext_lazy("member tier", "Gold member")
    PLATINUM = "platinum", pgettext_lazy("member tier", "Platinum member")


# Lowest first: a tier enjoys what the tiers below it enjoy (a platinum member gets a gold price
# when the promotion names no platinum price, or a lower one).
TIER_ORDER: tuple[str, ...] = tuple(MemberTier.values)


def tier_rank(tier: str) -> int:
    """0 for regular up to 3 for platinum; -1 for a value that is no tier."""
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else -1
