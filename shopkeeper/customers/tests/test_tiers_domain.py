"""The spend bands of a tier ladder, without a database: they cover every spend once, a customer
who spent more never holds a lower tier, and a ladder that does not rise is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.customers.domain.tiers import Band, ladder_problems, tier_bands, tier_for_spend

LADDER = [("silver", 50_000), ("gold", 200_000), ("platinum", 500_000)]
RANK = {"regular": 0, "silver": 1, "gold": 2, "platinum": 3}


@st.composite
def ladders(draw: st.DrawFn) -> list[tuple[str, int]]:
    tiers = draw(st.lists(st.sampled_from(["silver", "gold", "platinum"]), unique=True, max_size=3))
    tiers.sort(key=RANK.__getitem__)
    lows = sorted(draw(st.lists(st.integers(1, 10**9), unique=True, min_size=len(tiers), max_size=len(tiers))))
    return list(zip(tiers, lows, strict=True))


def test_the_demo_ladder_makes_four_half_open_bands() -> None:
    assert tier_bands("regular", LADDER) == [
        Band("regular", 0, 50_000),
        Band("silver", 50_000, 200_000),
        Band("gold", 200_000, 500_000),
        Band("platinum", 500_000, None),
    ]
    assert [tier_for_spend(fen, "regular", LADDER) for fen in (0, 49_999, 50_000, 499_999, 500_000)] == [
        "regular",
        "regular",
        "silver",
        "gold",
        "platinum",
    ]


@given(ladder=ladders(), spend=st.integers(0, 2 * 10**9))
def test_every_spend_falls_in_exactly_one_band_the_one_of_its_tier(ladder: list[tuple[str, int]], spend: int) -> None:
    bands = tier_bands("regular", ladder)
    holding = [band for band in bands if band.low_fen <= spend and (band.high_fen is None or spend < band.high_fen)]
    assert len(holding) == 1
    assert holding[0].tier == tier_for_spend(spend, "regular", ladder)


@given(ladder=ladders(), spend=st.integers(0, 2 * 10**9), more=st.integers(0, 10**9))
def test_spending_more_never_lowers_the_tier(ladder: list[tuple[str, int]], spend: int, more: int) -> None:
    assert RANK[tier_for_spend(spend + more, "regular", ladder)] >= RANK[tier_for_spend(spend, "regular", ladder)]


@pytest.mark.parametrize(
    "ladder",
    [
        [("silver", 50_000), ("gold", 50_000)],  # not rising
        [("gold", 200_000), ("silver", 50_000)],  # falling
        [("silver", 0)],  # from nothing: that is the lowest tier's band
        [("silver", 50_000), ("silver", 90_000)],  # twice
    ],
)
def test_a_ladder_that_does_not_rise_is_refused(ladder: list[tuple[str, int]]) -> None:
    assert ladder_problems(ladder)
    with pytest.raises(ValueError, match=r"threshold|once"):
        tier_bands("regular", ladder)
