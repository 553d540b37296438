"""Order numbers customers can read out on the phone: SK + date + 8 digits, e.g. SK2026120112345678."""

from __future__ import annotations

import secrets
from datetime import date

PREFIX = "SK"


def order_number(day: date, *, randbelow: int | None = None) -> str:
    value = secrets.randbelow(10**8) if randbelow is None else randbelow
    return f"{PREFIX}{day:%Y%m%d}{value:08d}"


def order_reference(number: str) -> str:
    """The key other apps (stock, payments) file this order's records under."""
    return f"order:{number}"
