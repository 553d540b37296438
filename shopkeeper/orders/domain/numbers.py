"""Order numbers customers can read out on the phone: SK + date + 10 digits, e.g. SK202612011234567890.

Ten random digits make two equal numbers on one day unlikely (about 1 in 700 days at 5,000 orders a
day); the unique constraint catches the rare clash and the order is numbered again.
"""

from __future__ import annotations

import secrets
from datetime import date

PREFIX = "SK"


def order_number(day: date, *, randbelow: int | None = None) -> str:
    value = secrets.randbelow(10**10) if randbelow is None else randbelow
    return f"{PREFIX}{day:%Y%m%d}{value:010d}"


def order_reference(number: str) -> str:
    """The key other apps (stock, payments) file this order's records under."""
    return f"order:{number}"
