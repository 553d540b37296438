"""What a flash-sale session and item must satisfy before they are saved.

Pure functions over plain values: the services load the figures (normal price, cost, stock, the
other sessions selling the same SKU) and raise on the problems these answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

MAX_PER_CUSTOMER = 99
MAX_PAY_WINDOW_MINUTES = 120


@dataclass(frozen=True)
class Problem:
    field: str
    code: str  # a stable token the services turn into a translated message


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Window) -> bool:
        """Half-open windows [start, end): one ending when the other starts does not overlap."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@dataclass(frozen=True)
class ItemFigures:
    sale_price_fen: int
    normal_price_fen: int
    cost_fen: int
    pool: int
    sold: int  # units already taken (0 for a new item)
    available_stock: int  # what stock could still cover: available (on hand − reserved) + the item's pool held
    per_customer_limit: int
    pay_window_minutes: int


def window_problems(window: Window) -> list[Problem]:
    if window.ends_at <= window.starts_at:
        return [Problem("ends_at", "ends_before_start")]
    return []


def floor_price_fen(cost_fen: int, min_margin_percent: int) -> int:
    """The lowest flash price the margin floor allows: cost plus the margin, rounded up to the fen."""
    return -(-cost_fen * (100 + min_margin_percent) // 100)


def item_problems(figures: ItemFigures, *, min_margin_percent: int) -> list[Problem]:
    found: list[Problem] = []
    if figures.per_customer_limit <= 0:
        found.append(Problem("per_customer_limit", "limit_not_positive"))
    elif figures.per_customer_limit > MAX_PER_CUSTOMER:
        found.append(Problem("per_customer_limit", "limit_too_high"))
    if figures.pool <= 0:
        found.append(Problem("pool", "pool_not_positive"))
    elif figures.pool < figures.sold:
        found.append(Problem("pool", "pool_below_sold"))
    elif figures.pool - figures.sold > figures.available_stock:
        # The units still to sell must be covered by stock (units already taken hold their
        # reservations on their orders; what the item's pool holds already counts as covered).
        found.append(Problem("pool", "pool_above_stock"))
    if figures.sale_price_fen <= 0:
        found.append(Problem("sale_price", "price_not_positive"))
    elif figures.sale_price_fen >= figures.normal_price_fen:
        found.append(Problem("sale_price", "price_not_below_normal"))
    elif figures.sale_price_fen < floor_price_fen(figures.cost_fen, min_margin_percent):
        found.append(Problem("sale_price", "price_below_floor"))
    if not 1 <= figures.pay_window_minutes <= MAX_PAY_WINDOW_MINUTES:
        found.append(Problem("pay_window_minutes", "pay_window_out_of_range"))
    return found


def overlapping(window: Window, others: Iterable[Window]) -> list[Window]:
    """The other sessions selling the same SKU whose time overlaps this one."""
    return [other for other in others if window.overlaps(other)]
