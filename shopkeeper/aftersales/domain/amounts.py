"""How much goes back for k of a line's n units: exact, and summing to the line's paid share;
and what comes off a refund for a gift the customer keeps.

Units are refunded in the order they are claimed: the share of units [a, a + k) of n is
floor(total × (a + k) / n) − floor(total × a / n). However a line's units are split over several
applications, the shares add up to exactly its total; no unit is worth more than one fen more
than another.

A gift the refund costs the order (see `gifts.py`) comes off the units' share gift by gift, each at
most its value and all together at most the share: the refund never goes below zero.
"""

from __future__ import annotations


class AmountError(ValueError):
    pass


def cumulative_share(total_fen: int, quantity: int, units: int) -> int:
    """What the first `units` of the line's `quantity` units are worth together."""
    if quantity <= 0 or total_fen < 0:
        raise AmountError("a line has at least one unit and a paid share of at least zero")
    if not 0 <= units <= quantity:
        raise AmountError(f"{units} units of a line of {quantity}")
    return total_fen * units // quantity


def units_share(total_fen: int, quantity: int, *, before: int, units: int) -> int:
    """The paid share of `units` units of a line, after `before` of its units were refunded."""
    if units <= 0:
        raise AmountError("at least one unit")
    return cumulative_share(total_fen, quantity, before + units) - cumulative_share(total_fen, quantity, before)


def refund_amount(total_fen: int, quantity: int, *, before: int, units: int, left_fen: int) -> int:
    """What to refund now: the units' share, never more than is left on the line; the last units
    take everything left (so refunds made by amount elsewhere still end the line at zero)."""
    if left_fen <= 0:
        return 0
    if before + units >= quantity:
        return left_fen
    return min(units_share(total_fen, quantity, before=before, units=units), left_fen)


def gift_deductions(refund_fen: int, values_fen: list[int]) -> list[int]:
    """What comes off a refund for gifts the customer keeps (or did not send back), gift by gift in
    the order given: each at most its value, all together at most the refund (a refund never goes
    below zero; a gift worth more than what is left of the refund takes only what is left)."""
    if refund_fen < 0 or any(value < 0 for value in values_fen):
        raise AmountError("a refund and a gift's value are at least zero")
    left = refund_fen
    taken: list[int] = []
    for value in values_fen:
        take = min(value, left)
        taken.append(take)
        left -= take
    return taken
