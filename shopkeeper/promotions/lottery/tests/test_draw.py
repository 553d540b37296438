"""The pure draw: seeded by HMAC, re-verifiable, odds in basis points, bad prize tables refused."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.promotions.lottery.domain.draw import (
    BASIS_POINTS,
    Odds,
    PrizeTerms,
    draw_verifies,
    lottery_problems,
    pick,
    roll_of,
    seed_for,
)

START = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_seed_is_the_hmac_of_the_order_number_and_verifies() -> None:
    seed = seed_for("secret", "20261201123456")
    assert seed == seed_for("secret", "20261201123456")
    assert seed != seed_for("other secret", "20261201123456")
    assert len(seed) == 64
    odds = [Odds(1, 500), Odds(2, 2000)]
    roll = roll_of(seed)
    prize = pick(roll, odds)
    facts = {"order_number": "20261201123456", "seed": seed, "roll": roll, "odds": odds, "prize_id": prize}
    assert draw_verifies(secret="secret", **facts)  # type: ignore[arg-type]
    assert not draw_verifies(secret="guess", **facts)  # type: ignore[arg-type]
    assert not draw_verifies(
        secret="secret", order_number="20261201123457", seed=seed, roll=roll, odds=odds, prize_id=prize
    )


def test_bands_are_laid_end_to_end_and_the_rest_wins_nothing() -> None:
    odds = [Odds(7, 100), Odds(8, 900)]
    assert [pick(r, odds) for r in (0, 99, 100, 999, 1000, 9999)] == [7, 7, 8, 8, None, None]


@given(points=st.lists(st.integers(1, 3000), min_size=1, max_size=3))
def test_each_prize_holds_exactly_its_band_of_rolls(points: list[int]) -> None:
    odds = [Odds(index + 1, p) for index, p in enumerate(points)]
    start = 0
    for band in odds:
        assert pick(start, odds) == band.prize_id
        assert pick(start + band.basis_points - 1, odds) == band.prize_id
        start += band.basis_points
    assert pick(start, odds) is None  # the rest of the 10,000 wins nothing


def test_every_roll_counts_once_over_the_whole_range() -> None:
    odds = [Odds(1, 50), Odds(2, 450), Odds(3, 2500)]
    wins = Counter(pick(roll, odds) for roll in range(BASIS_POINTS))
    assert wins == {1: 50, 2: 450, 3: 2500, None: 7000}


@given(number=st.text(alphabet="0123456789", min_size=14, max_size=20))
def test_rolls_stay_within_the_basis_points(number: str) -> None:
    assert 0 <= roll_of(seed_for("k", number)) < BASIS_POINTS


def test_bad_prize_tables_are_named() -> None:
    def fields(**kwargs: object) -> set[str]:
        args: dict[str, object] = {
            "threshold_fen": 29900,
            "starts_at": START,
            "ends_at": START + timedelta(days=1),
            "prizes": [PrizeTerms("保温杯", 500, 10)],
        }
        args.update(kwargs)
        return {p.field for p in lottery_problems(**args)}  # type: ignore[arg-type]

    assert fields() == set()
    assert fields(prizes=[PrizeTerms("a", 6000, 1), PrizeTerms("b", 4001, 1)]) == {"prizes"}  # over 100%
    assert fields(prizes=[PrizeTerms("a", 100, -1)]) == {"prizes.0.quantity"}
    assert fields(prizes=[PrizeTerms("a", 0, 1)]) == {"prizes.0.basis_points"}
    assert fields(threshold_fen=0) == {"threshold"}
    assert fields(ends_at=START) == {"ends_at"}
    assert fields(prizes=[]) == {"prizes"}
