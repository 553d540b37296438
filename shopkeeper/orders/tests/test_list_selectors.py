"""The staff order list's selectors: line counts per order, the channel filter's choices, and
the queries they cost (the list is read at a million orders: nothing in it may read them all)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.orders import selectors
from shopkeeper.orders.models import Order
from shopkeeper.orders.tests.conftest import CUPS, DRESS, Line


def test_each_order_counts_its_own_lines_and_the_page_costs_one_query(make_order: Callable[..., Order]) -> None:
    now = timezone.now()
    three = make_order(lines=[DRESS, CUPS, Line("HAT-1", "帽子", 5900, 1)], placed_at=now)
    one = make_order(lines=[CUPS], placed_at=now - timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        page = list(selectors.order_list_staff(selectors.OrderFilters())[:50])
    assert [(order.number, order.line_count) for order in page] == [(three.number, 3), (one.number, 1)]  # type: ignore[attr-defined]
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert 'GROUP BY "orders_order"."id"' not in sql  # counted per order, not grouped over the join of all lines
    assert 'JOIN "orders_orderline"' not in sql


def test_filters_keep_the_count_and_the_newest_first_order(make_order: Callable[..., Order]) -> None:
    now = timezone.now()
    older = make_order(channel="抖音直播", status="shipped", placed_at=now - timedelta(days=2))
    newer = make_order(channel="抖音直播", status="shipped", placed_at=now - timedelta(days=1))
    make_order(channel="天猫", status="shipped", placed_at=now)
    found = selectors.order_list_staff(selectors.OrderFilters(status="shipped", channel="抖音直播"))
    assert found.count() == 2
    assert [order.number for order in found] == [newer.number, older.number]


def test_the_channel_filter_offers_every_channel_once_in_order(make_order: Callable[..., Order]) -> None:
    assert selectors.order_channels() == []
    for channel in ("自然流量", "天猫", "抖音直播", "天猫", "direct"):
        make_order(channel=channel)
    expected = sorted({"自然流量", "天猫", "抖音直播", "direct"})
    assert selectors.order_channels() == expected
    assert selectors.order_channels() == list(
        Order.objects.order_by("channel").values_list("channel", flat=True).distinct()
    )
