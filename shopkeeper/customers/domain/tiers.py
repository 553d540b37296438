"""Membership tiers by spend, as pure rules: the spend bands a ladder of thresholds makes.

A ladder names, for each tier above the lowest, the spend (in fen) from which a customer holds
it, e.g. silver from ¥500, gold from ¥2,000, platinum from ¥5,000. `tier_bands` turns it into
half-open bands [low, high) that cover every spend from 0 exactly once, so a bulk update can set
each band's tier with one statement; `tier_for_spend` answers one customer. The demo assigns
tiers this way; the loyalty system (growth value) will use its own ladder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    tier: str
    low_fen: int  # inclusive
    high_fen: int | None  # exclusive; None: no upper end


def ladder_problems(ladder: Sequence[tuple[str, int]]) -> list[str]:
    """What is wrong with a ladder (empty when it can be used): thresholds above 0, strictly rising,
    each tier named once."""
    problems: list[str] = []
    tiers = [tier for tier, _low in ladder]
    if len(set(tiers)) != len(tiers):
        problems.append("Each tier appears once in the ladder.")
    previous = 0
    for tier, low in ladder:
        if low <= previous:
            problems.append(f"The threshold of {tier} must be above {previous} fen.")
        previous = max(previous, low)
    return problems


def tier_bands(lowest: str, ladder: Sequence[tuple[str, int]]) -> list[Band]:
    """The bands of spend for `lowest` (from 0) and each tier of the ladder, lowest first."""
    problems = ladder_problems(ladder)
    if problems:
        raise ValueError("; ".join(problems))
    lows = [(lowest, 0), *ladder]
    return [
        Band(tier=tier, low_fen=low, high_fen=lows[index + 1][1] if index + 1 < len(lows) else None)
        for index, (tier, low) in enumerate(lows)
    ]


def tier_for_spend(spend_fen: int, lowest: str, ladder: Sequence[tuple[str, int]]) -> str:
    """The tier a customer who spent `spend_fen` holds on this ladder (negative spend: the lowest)."""
    found = lowest
    for band in tier_bands(lowest, ladder):
        if spend_fen >= band.low_fen:
            found = band.tier
    return found
