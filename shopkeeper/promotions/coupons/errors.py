"""Refusals of the coupons app (all are `ShopkeeperError`s the API shows as 4xx)."""

from __future__ import annotations

from shopkeeper.core.errors import Conflict


class CouponsGone(Conflict):
    """Every coupon of the template has been claimed."""


class ClaimLimitReached(Conflict):
    """The customer already holds as many of this template as allowed."""


class CouponUnavailable(Conflict):
    """A coupon asked for at checkout cannot be used: used, expired, locked by another order, not theirs."""
