"""Chinese mobile numbers: how a shopper may type one, and the 11 digits we keep.

Every carrier's numbers are 11 digits starting 13–19 (`^1[3-9]\\d{9}$`). Shoppers type them with
spaces or dashes ("138 0013 8000"), with the country code (+86, 0086), or with full-width digits
from a Chinese input method; all of those are the same number.
"""

from __future__ import annotations

import re
import unicodedata

MOBILE_PATTERN = re.compile(r"1[3-9][0-9]{9}")  # [0-9], not \d: \d also matches other scripts' digits
_SEPARATORS = re.compile(r"[\s\-]+")
_COUNTRY_CODES = ("+86", "0086")
MAX_TYPED_LENGTH = 24  # longer than any way of typing a number; refuses pasted essays early


def mobile_normalize(raw: str) -> str | None:
    """The 11-digit number the shopper meant, or None when it is not a Chinese mobile number."""
    if not isinstance(raw, str) or len(raw) > MAX_TYPED_LENGTH:
        return None
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    for prefix in _COUNTRY_CODES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    else:
        if len(text) == 13 and text.startswith("86"):
            text = text[2:]
    return text if MOBILE_PATTERN.fullmatch(text) else None


def mobile_is_valid(raw: str) -> bool:
    """True when `raw` is a Chinese mobile number (after stripping spaces, dashes and +86)."""
    return mobile_normalize(raw) is not None


def mobile_mask(mobile: str) -> str:
    """138****8000: how a number shows where others may look over the shopper's shoulder."""
    if len(mobile) != 11:
        return mobile
    return f"{mobile[:3]}****{mobile[7:]}"
