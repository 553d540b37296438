"""Our numbers for trades and refunds: a letter, the Beijing time to the second, random hex.

Alipay and WeChat Pay accept up to 32 letters and digits in `out_trade_no`; ours have 25.
"""

from __future__ import annotations

import re
from datetime import datetime

from shopkeeper.payments.domain.notices import BEIJING

NUMBER_PATTERN = re.compile(r"^[A-Z][0-9]{14}[0-9A-F]{10}$")


def trade_number(prefix: str, moment: datetime, entropy: str) -> str:
    """e.g. trade_number("P", now, "1A2B3C4D5E") → "P202601011200001A2B3C4D5E"."""
    if len(prefix) != 1 or not prefix.isalpha() or not prefix.isupper():
        raise ValueError("the prefix is one capital letter")
    if not re.fullmatch(r"[0-9A-F]{10}", entropy):
        raise ValueError("entropy is ten capital hex digits")
    return f"{prefix}{moment.astimezone(BEIJING):%Y%m%d%H%M%S}{entropy}"
