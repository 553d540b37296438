"""Catalog refusals, with the details an operator needs to fix them."""

from __future__ import annotations

from shopkeeper.core.errors import ErrorCode, ShopkeeperError


class ComplianceRefused(ShopkeeperError):
    """Copy contains banned advertising words; details list each word and position."""

    code = ErrorCode.VALIDATION


class ListingRefused(ShopkeeperError):
    code = ErrorCode.VALIDATION


class ImportRejected(ShopkeeperError):
    """An import file with at least one bad row: nothing was imported; details list every bad row."""

    code = ErrorCode.VALIDATION
