"""Refusals of the flash sale, in the platform's error shape (see core.errors)."""

from __future__ import annotations

from shopkeeper.core.errors import Conflict, ErrorCode, ShopkeeperError


class SoldOut(Conflict):
    """The session's pool has no unit left (units may come back when unpaid orders lapse)."""


class LimitReached(Conflict):
    """The customer already holds or bought as many units as the item allows."""


class NotLive(Conflict):
    """The session has not started, has ended, or its sale is not live."""


class TooManyAttempts(ShopkeeperError):
    """Rate limit per customer or per address reached; details.retry_after_seconds."""

    code = ErrorCode.RATE_LIMITED

    @property
    def retry_after_seconds(self) -> int:
        return int(self.details.get("retry_after_seconds", 1))
