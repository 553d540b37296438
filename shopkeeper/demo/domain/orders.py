"""Purchase histories that look like a real shop's: who buys, how often, when and what.

Most customers buy once, a loyal few buy again and again (the repurchase curve user-ops
watches); orders follow the day (evening peak), the week (weekends) and the calendar (618 and
Double 11 bring several times a normal day). Popular products sell more. Old orders are mostly
completed, some were never paid (cancelled) and a few were refunded (closed); the last days hold
orders still on their way. Pure: a seeded random source in, order specs out.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

# How many orders a customer places over the history (weights): repeat buyers are the minority.
ORDERS_PER_CUSTOMER: tuple[tuple[int, int], ...] = ((0, 18), (1, 45), (2, 18), (3, 9), (4, 5), (6, 3), (9, 1), (24, 1))
LINES_PER_ORDER: tuple[tuple[int, int], ...] = ((1, 62), (2, 25), (3, 9), (4, 4))
HOUR_WEIGHTS: tuple[int, ...] = (2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 6, 6, 6, 6, 6, 7, 8, 10, 12, 11, 6)
BIG_DAYS: dict[tuple[int, int], int] = {(6, 18): 4, (6, 17): 2, (11, 11): 6, (11, 10): 2, (11, 12): 2, (12, 12): 3}
CANCELLED_SHARE = 8  # % of old orders never paid
CLOSED_SHARE = 3  # % of old paid orders refunded in full


@dataclass(frozen=True)
class Buyer:
    user_id: int
    registered_at: datetime


@dataclass(frozen=True)
class Item:
    sku_id: int
    price_fen: int
    popularity: int  # relative weight, e.g. the product's sales count + 1


@dataclass(frozen=True)
class OrderSpec:
    user_id: int
    placed_at: datetime
    status: str  # an orders status value
    lines: tuple[tuple[int, int], ...]  # (sku_id, quantity), distinct SKUs
    pay_after_minutes: int


def _pick(rng: random.Random, table: Sequence[tuple[int, int]]) -> int:
    values = [value for value, _weight in table]
    weights = [weight for _value, weight in table]
    return rng.choices(values, weights=weights)[0]


def _day_weight(day: date) -> float:
    weight = BIG_DAYS.get((day.month, day.day), 1)
    return weight * (1.25 if day.weekday() >= 5 else 1.0)


def _status(rng: random.Random, age: timedelta) -> str:
    if age < timedelta(minutes=25):
        return "pending_payment" if rng.random() < 0.6 else "paid"
    if age < timedelta(days=1):
        return rng.choice(("allocated", "allocated", "shipped"))
    if age < timedelta(days=4):
        return rng.choice(("shipped", "shipped", "delivered"))
    if age < timedelta(days=10):
        return rng.choice(("delivered", "completed", "completed"))
    roll = rng.randrange(100)
    if roll < CANCELLED_SHARE:
        return "cancelled"
    if roll < CANCELLED_SHARE + CLOSED_SHARE:
        return "closed"
    return "completed"


def order_history(
    rng: random.Random,
    *,
    buyers: Sequence[Buyer],
    items: Sequence[Item],
    now: datetime,
    history_days: int,
) -> Iterator[OrderSpec]:
    """Orders for these buyers between their registration and now, oldest first per buyer."""
    if not items:
        return
    # Cumulative weights once: `choices(weights=…)` would sum every item's weight on each pick.
    cumulative = list(accumulate(item.popularity for item in items))
    start = now - timedelta(days=history_days)
    for buyer in buyers:
        count = _pick(rng, ORDERS_PER_CUSTOMER)
        first = max(buyer.registered_at, start)
        span_days = max((now - first).days, 0)
        if count == 0 or (span_days == 0 and now - first < timedelta(hours=1)):
            continue
        days = [first.date() + timedelta(days=offset) for offset in range(span_days + 1)]
        chosen_days = rng.choices(days, weights=[_day_weight(day) for day in days], k=count)
        for day in sorted(chosen_days):
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            placed = datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=now.tzinfo
            )
            if placed < first:
                placed = first + timedelta(minutes=rng.randrange(1, 60))
            if placed >= now:
                placed = now - timedelta(minutes=rng.randrange(1, 240))
            if placed < first:
                continue
            picked: dict[int, int] = {}
            for _ in range(_pick(rng, LINES_PER_ORDER)):
                item = rng.choices(items, cum_weights=cumulative)[0]
                picked[item.sku_id] = picked.get(item.sku_id, 0) + (1 if rng.random() < 0.85 else 2)
            yield OrderSpec(
                user_id=buyer.user_id,
                placed_at=placed,
                status=_status(rng, now - placed),
                lines=tuple(sorted(picked.items())),
                pay_after_minutes=rng.choice((0, 0, 1, 1, 2, 3, 5, 12)),
            )
