"""Inventory refusals, with the details a caller needs to tell the shopper or the operator why."""

from __future__ import annotations

from shopkeeper.core.errors import ErrorCode, ShopkeeperError


class OutOfStock(ShopkeeperError):
    """Too few units available; details `{"skus": [{"sku_id", "requested", "available"}]}`."""

    code = ErrorCode.CONFLICT


class NotDeliverable(ShopkeeperError):
    """No warehouse ships to the province (or the province is unknown); details `{"province"}`."""

    code = ErrorCode.VALIDATION


class StockRefused(ShopkeeperError):
    """A stock change that would break the books: on hand below zero or below the reserved units."""

    code = ErrorCode.VALIDATION


class StockImportRejected(ShopkeeperError):
    """A stock sheet with at least one bad row: nothing changed; details list every bad row and column."""

    code = ErrorCode.VALIDATION
