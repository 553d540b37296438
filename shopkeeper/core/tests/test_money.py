"""Money is exact: built from yuan strings/Decimals, never floats; allocation sums to the whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.core.domain.money import Money, MoneyError, money_sum


class TestConstruction:
    def test_yuan_strings_and_decimals_become_fen(self) -> None:
        assert Money.from_yuan("12.5").fen == 1250
        assert Money.from_yuan(Decimal("0.01")).fen == 1
        assert Money.from_yuan("1,299.00").fen == 129900
        assert Money.from_yuan(7).fen == 700

    @pytest.mark.parametrize("bad", [0.1, "0.001", "abc", "NaN", "Infinity", True])
    def test_refuses_what_is_not_money(self, bad: object) -> None:
        with pytest.raises(MoneyError):
            Money.from_yuan(bad)  # type: ignore[arg-type]

    def test_fen_must_be_int(self) -> None:
        with pytest.raises(MoneyError):
            Money(10.0)  # type: ignore[arg-type]

    def test_display_in_yuan(self) -> None:
        assert str(Money(123456)) == "¥1,234.56"
        assert str(Money(-50)) == "-¥0.50"


class TestArithmetic:
    def test_add_subtract_multiply(self) -> None:
        assert Money(100) + Money(250) == Money(350)
        assert Money(100) - Money(250) == Money(-150)
        assert Money(199) * 3 == Money(597)
        assert 3 * Money(199) == Money(597)

    def test_rates_are_decimals_rounded_half_up(self) -> None:
        assert Money(999).scale(Decimal("0.85")) == Money(849)  # 849.15
        assert Money(10).scale(Decimal("0.05")) == Money(1)  # 0.5 rounds up
        with pytest.raises(MoneyError):
            Money(100).scale(0.5)  # type: ignore[arg-type]

    def test_currencies_do_not_mix(self) -> None:
        with pytest.raises(MoneyError):
            Money(1) + Money(1, "USD")

    def test_sum(self) -> None:
        assert money_sum([Money(1), Money(2), Money(3)]) == Money(6)
        assert money_sum([]) == Money.zero()


class TestAllocate:
    def test_remainder_goes_to_last_weighted_part(self) -> None:
        assert Money(100).allocate([1, 1, 1]) == [Money(33), Money(33), Money(34)]
        assert Money(100).allocate([1, 1, 0]) == [Money(50), Money(50), Money(0)]

    def test_refuses_empty_or_zero_weights(self) -> None:
        with pytest.raises(MoneyError):
            Money(100).allocate([])
        with pytest.raises(MoneyError):
            Money(100).allocate([0, 0])
        with pytest.raises(MoneyError):
            Money(100).allocate([1, -1])

    @given(
        total=st.integers(min_value=-(10**12), max_value=10**12),
        weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40).filter(any),
    )
    def test_parts_sum_to_the_whole_and_keep_its_sign(self, total: int, weights: list[int]) -> None:
        parts = Money(total).allocate(weights)
        assert sum(part.fen for part in parts) == total
        assert all((part.fen >= 0) if total >= 0 else (part.fen <= 0) for part in parts)
        for part, weight in zip(parts, weights, strict=True):
            if weight == 0:
                assert part.fen == 0

    @given(
        total=st.integers(min_value=0, max_value=10**10),
        weights=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=30),
    )
    def test_each_part_is_within_a_fen_per_line_of_its_exact_share(self, total: int, weights: list[int]) -> None:
        parts = Money(total).allocate(weights)
        exact = [Decimal(total) * w / sum(weights) for w in weights]
        for part, share in zip(parts[:-1], exact[:-1], strict=True):
            assert 0 <= share - part.fen < 1
        assert abs(parts[-1].fen - exact[-1]) <= len(weights)
