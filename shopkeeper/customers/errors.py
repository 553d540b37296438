"""Refusals of the customers app, in the platform's error shape (see core.errors)."""

from __future__ import annotations

from shopkeeper.core.errors import Conflict, ErrorCode, PermissionDenied, ShopkeeperError


class NotACustomer(PermissionDenied):
    """A signed-in account without a customer profile (a staff member) asked for a customer's thing."""


class SignInFailed(ShopkeeperError):
    """Wrong mobile number or password (never says which)."""

    code = ErrorCode.UNAUTHENTICATED


class TooManySignInAttempts(ShopkeeperError):
    """Too many failed sign-ins for this mobile number or from this address; details.retry_after_seconds."""

    code = ErrorCode.RATE_LIMITED

    @property
    def retry_after_seconds(self) -> int:
        return int(self.details.get("retry_after_seconds", 0))


class MobileTaken(Conflict):
    """An account with this mobile number exists already."""


class AddressBookFull(Conflict):
    """The customer already has the most addresses a book holds."""
