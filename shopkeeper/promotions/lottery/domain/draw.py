"""The spend-threshold lottery's draw (满额抽奖), fair and re-verifiable.

Each qualifying order's draw is seeded with HMAC-SHA256(server secret, order number): nobody can
choose or predict it without the secret, and anyone holding the secret can recompute it. The seed's
first 64 bits, modulo 10,000, give a roll in basis points; the prizes' odds (integer basis points,
never floats) are laid end to end in prize order, and the roll lands on one of them or on the
remainder, which wins nothing. The modulo bias is below 10⁻¹⁵.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

BASIS_POINTS = 10_000  # 100%


@dataclass(frozen=True)
class Odds:
    prize_id: int
    basis_points: int


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def seed_for(secret: str, order_number: str) -> str:
    """The draw's seed: hex HMAC-SHA256 of the order number under the server's secret."""
    return hmac.new(secret.encode(), order_number.encode(), hashlib.sha256).hexdigest()


def roll_of(seed: str) -> int:
    """Where the draw lands, 0–9999 (basis points)."""
    return int(seed[:16], 16) % BASIS_POINTS


def pick(roll: int, odds: Sequence[Odds]) -> int | None:
    """The prize whose band holds the roll (bands in the given order), or None: no prize."""
    start = 0
    for band in odds:
        if start <= roll < start + band.basis_points:
            return band.prize_id
        start += band.basis_points
    return None


def draw_verifies(
    *, secret: str, order_number: str, seed: str, roll: int, odds: Sequence[Odds], prize_id: int | None
) -> bool:
    """Recompute a logged draw from the secret and the order number: True when everything matches.

    A prize that was sold out at draw time is logged with `prize_id` None although the roll
    picked it; pass the picked prize (the log keeps both)."""
    again = seed_for(secret, order_number)
    return hmac.compare_digest(again, seed) and roll_of(again) == roll and pick(roll, odds) == prize_id


@dataclass(frozen=True)
class PrizeTerms:
    name: str
    basis_points: int
    quantity: int


def lottery_problems(
    *, threshold_fen: int, starts_at: datetime, ends_at: datetime, prizes: Sequence[PrizeTerms]
) -> list[Problem]:
    """What is wrong with a lottery before it is saved (English: callers translate)."""
    problems: list[Problem] = []
    if threshold_fen <= 0:
        problems.append(Problem("threshold", "The threshold must be more than zero."))
    if ends_at <= starts_at:
        problems.append(Problem("ends_at", "The window must end after it starts."))
    if not prizes:
        problems.append(Problem("prizes", "Add at least one prize."))
    for index, prize in enumerate(prizes):
        if not prize.name.strip():
            problems.append(Problem(f"prizes.{index}.name", "Name the prize."))
        if prize.basis_points <= 0:
            problems.append(Problem(f"prizes.{index}.basis_points", "A prize's chance must be more than zero."))
        if prize.quantity < 0:
            problems.append(Problem(f"prizes.{index}.quantity", "A quantity cannot be negative."))
    if sum(max(prize.basis_points, 0) for prize in prizes) > BASIS_POINTS:
        problems.append(Problem("prizes", "The prizes' chances add up to more than 100%."))
    return problems
