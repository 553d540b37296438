"""Payments refusals."""

from __future__ import annotations

from shopkeeper.core.errors import ErrorCode, ShopkeeperError


class GatewayUnavailable(ShopkeeperError):
    """No such gateway, it is switched off here, or it cannot be reached right now."""

    code = ErrorCode.CONFLICT


class PaymentRefused(ShopkeeperError):
    """The gateway refused to open the trade (the payment is marked failed)."""

    code = ErrorCode.CONFLICT


class RefundRefused(ShopkeeperError):
    """Refunds would exceed what was paid, nothing was paid, or the request key was used differently."""

    code = ErrorCode.CONFLICT
