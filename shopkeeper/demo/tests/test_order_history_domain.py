"""Demo purchase histories: deterministic, inside each buyer's life, with repeat buyers and peaks."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from shopkeeper.demo.domain.orders import Buyer, Item, order_history

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def history(seed: int = 7) -> list:  # type: ignore[type-arg]
    rng = random.Random(seed)
    buyers = [Buyer(user_id=i, registered_at=NOW - timedelta(days=rng.randrange(1, 400))) for i in range(400)]
    items = [Item(sku_id=i, price_fen=9900 + i, popularity=1 + (50 if i < 5 else 0)) for i in range(60)]
    return list(order_history(random.Random(seed), buyers=buyers, items=items, now=NOW, history_days=180))


def test_the_same_seed_gives_the_same_history() -> None:
    assert history(3) == history(3)
    assert history(3) != history(4)


def test_orders_fall_inside_the_history_and_after_registration() -> None:
    orders = history()
    assert orders
    assert all(NOW - timedelta(days=181) <= order.placed_at < NOW for order in orders)
    assert all(order.lines and len({sku for sku, _ in order.lines}) == len(order.lines) for order in orders)


def test_some_customers_come_back_and_popular_items_sell_more() -> None:
    orders = history()
    per_buyer = Counter(order.user_id for order in orders)
    assert sum(1 for n in per_buyer.values() if n >= 2) >= len(per_buyer) * 0.25
    sold = Counter(sku for order in orders for sku, _ in order.lines)
    assert sum(sold[i] for i in range(5)) > sum(sold[i] for i in range(5, 10)) * 3


def test_old_orders_are_settled_and_recent_ones_in_flight() -> None:
    orders = history()
    old = Counter(o.status for o in orders if NOW - o.placed_at > timedelta(days=30))
    assert set(old) <= {"completed", "cancelled", "closed"}
    assert old["completed"] > old["cancelled"] > 0


def test_double_eleven_is_busier_than_an_ordinary_day() -> None:
    orders = history()
    by_day = Counter(o.placed_at.date() for o in orders)
    double_eleven = by_day[datetime(2026, 11, 11).date()]
    ordinary = by_day[datetime(2026, 11, 4).date()]
    assert double_eleven > ordinary
