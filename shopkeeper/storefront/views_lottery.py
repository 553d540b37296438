"""The order page's lottery panel (满额抽奖): the draw an order paid over the threshold received,
with its seed so the customer can have it re-verified."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from shopkeeper.orders import services as orders
from shopkeeper.promotions.lottery import selectors

if TYPE_CHECKING:
    from shopkeeper.storefront.panels import Panel


def order_panel(request: HttpRequest, order: orders.Order) -> Panel | None:
    """One query; nothing for orders that drew nothing."""
    from shopkeeper.storefront.panels import Panel  # panels.py imports this module at its slot

    if order.paid_at is None:
        return None
    draw = selectors.draw_of_order(order.pk)
    if draw is None:
        return None
    return Panel("storefront/lottery/_order_panel.html", {"draw": draw, "lottery": draw.lottery})
