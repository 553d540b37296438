"""Money: an exact amount of CNY held in fen (integer minor units). Never a float.

`Money.allocate` splits an amount in proportion to weights so the parts always sum to the whole;
the rounding remainder goes to the last part with a non-zero weight, the rule every discount
apportionment in Shopkeeper follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Self

FEN_PER_YUAN = 100


class MoneyError(ValueError):
    """An amount that cannot be money: a float, a fraction of a fen, a different currency."""


@dataclass(frozen=True, order=True, slots=True)
class Money:
    fen: int
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise MoneyError(f"Money holds whole fen as int, got {type(self.fen).__name__}")

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str = "CNY") -> Self:
        return cls(0, currency)

    @classmethod
    def from_yuan(cls, amount: Decimal | int | str, currency: str = "CNY") -> Self:
        """Parse yuan exactly: "12.5" and Decimal("12.50") are 1250 fen; 0.001 yuan is refused."""
        if isinstance(amount, float | bool):
            raise MoneyError("Money is never built from a float; pass a str or Decimal")
        try:
            value = Decimal(str(amount).strip().replace(",", ""))
        except InvalidOperation:
            raise MoneyError(f"Not an amount: {amount!r}") from None
        if not value.is_finite():
            raise MoneyError(f"Not a finite amount: {amount!r}")
        fen = value * FEN_PER_YUAN
        if fen != fen.to_integral_value():
            raise MoneyError(f"{amount} has a fraction of a fen")
        return cls(int(fen), currency)

    # --- views --------------------------------------------------------------------------------
    @property
    def yuan(self) -> Decimal:
        return (Decimal(self.fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))

    def __str__(self) -> str:
        sign = "-" if self.fen < 0 else ""
        return f"{sign}¥{abs(self.yuan):,.2f}"

    def is_zero(self) -> bool:
        return self.fen == 0

    # --- arithmetic ---------------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise MoneyError(f"Cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"Cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.fen - other.fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise MoneyError("Money multiplies only by a whole quantity; use .scale for rates")
        return Money(self.fen * quantity, self.currency)

    __rmul__ = __mul__

    def scale(self, rate: Decimal) -> Money:
        """Multiply by an exact rate (e.g. Decimal("0.85")), rounding half up to the fen."""
        if not isinstance(rate, Decimal):
            raise MoneyError("Rates are Decimals, never floats")
        fen = (Decimal(self.fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return Money(int(fen), self.currency)

    def min(self, other: Money) -> Money:
        self._same(other)
        return self if self.fen <= other.fen else other

    def max(self, other: Money) -> Money:
        self._same(other)
        return self if self.fen >= other.fen else other

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split in proportion to integer weights; parts sum exactly to self.

        Each part is rounded down toward zero; what is left goes to the last non-zero weight.
        """
        if not weights:
            raise MoneyError("Nothing to allocate to")
        if any(isinstance(w, bool) or not isinstance(w, int) or w < 0 for w in weights):
            raise MoneyError("Weights are non-negative whole numbers")
        total_weight = sum(weights)
        if total_weight == 0:
            raise MoneyError("At least one weight must be positive")
        sign = -1 if self.fen < 0 else 1
        magnitude = abs(self.fen)
        parts = [magnitude * w // total_weight for w in weights]
        last = max(i for i, w in enumerate(weights) if w > 0)
        parts[last] += magnitude - sum(parts)
        return [Money(sign * part, self.currency) for part in parts]


def money_sum(amounts: Iterable[Money], currency: str = "CNY") -> Money:
    total = Money.zero(currency)
    for amount in amounts:
        total = total + amount
    return total
