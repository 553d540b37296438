"""Amounts on the wire: gateways speak yuan as text with two decimals ("199.00"); we hold fen."""

from __future__ import annotations

import re

from shopkeeper.core.domain.money import FEN_PER_YUAN

_YUAN = re.compile(r"(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?")


class AmountInvalid(ValueError):
    """Text that is not a plain non-negative yuan amount with at most two decimals."""


def yuan_text(fen: int) -> str:
    """199 yuan → "199.00"; never a float on the way."""
    if isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
        raise AmountInvalid(f"Not an amount in fen: {fen!r}")
    return f"{fen // FEN_PER_YUAN}.{fen % FEN_PER_YUAN:02d}"


def yuan_parse(text: str) -> int:
    """ "199.00" → 19900 fen. Refuses signs, exponents, spaces, commas and a third decimal."""
    match = _YUAN.fullmatch(text)
    if match is None:
        raise AmountInvalid(f"Not a yuan amount: {text!r}")
    whole = int(match.group(1))
    decimals = (match.group(2) or ".")[1:].ljust(2, "0")
    return whole * FEN_PER_YUAN + int(decimals)
