"""Events of the customers app (published inside the service's transaction; see core.events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CustomerRegistered:
    """A shopper created an account (CRM and coupons react: welcome message, new-customer coupon)."""

    user_id: int
    mobile: str
    channel: str
    registered_at: datetime
