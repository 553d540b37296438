"""How a campaign's pool of units is spread over stock lines: pure code, given what each line can
give (its available units when setting units aside, what the pool holds there when giving back).

Each line gives in proportion to what it can give, rounded down; the units the rounding leaves
over go one each to the lines with the largest remainders (ties: the line listed first). So no
line gives more than it can, the shares add up to exactly the quantity asked, and a warehouse with
twice the stock gives about twice the units: every region keeps pool units near its customers.
"""

from __future__ import annotations

from collections.abc import Mapping


class NotEnough(Exception):
    """The lines together can give fewer units than asked."""

    def __init__(self, requested: int, available: int) -> None:
        super().__init__(f"{requested} units asked, {available} can be given")
        self.requested = requested
        self.available = available


def spread(quantity: int, capacities: Mapping[int, int]) -> dict[int, int]:
    """Units each key (a stock line) gives so that they add up to `quantity`; keys that give
    nothing are left out. Negative capacities count as 0. Raises NotEnough (nothing spread) when
    the capacities add up to less than `quantity`, ValueError for a negative quantity."""
    if quantity < 0:
        raise ValueError(f"the quantity must not be negative, not {quantity}")
    usable = {key: capacity for key, capacity in capacities.items() if capacity > 0}
    total = sum(usable.values())
    if total < quantity:
        raise NotEnough(quantity, total)
    if quantity == 0:
        return {}
    shares = {key: quantity * capacity // total for key, capacity in usable.items()}
    left = quantity - sum(shares.values())
    ranked = sorted(enumerate(usable), key=lambda pair: (-(quantity * usable[pair[1]] % total), pair[0]))
    for _position, key in ranked[:left]:
        shares[key] += 1
    return {key: share for key, share in shares.items() if share > 0}
