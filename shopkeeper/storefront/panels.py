"""Panels that features add to storefront pages without editing the page's view.

The order page and the product page each render a list of panels after their own sections. A
feature (fulfilment's tracking, after-sales applications, a presale's balance, a group's share
link, a flash-sale countdown) appends a function at its slot below; the function answers a
`Panel` (its own template and context) or None when it has nothing to show. Panel functions read
through their app's selectors and must stay cheap: a page calls every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from shopkeeper.orders import services as orders


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


OrderPanel = Callable[[HttpRequest, orders.Order], "Panel | None"]
ProductPanel = Callable[[HttpRequest, Any], "Panel | None"]  # (request, the catalog's product page)

ORDER_PANELS: list[OrderPanel] = []
# --- fulfillment order panels (shipments, tracking, confirm receipt) ---
# --- aftersales order panels (apply, applications) ---
# --- presale order panels (deposit, balance) ---
# --- group buy and lottery order panels ---

PRODUCT_PANELS: list[ProductPanel] = []
# --- promotions product panels (badges) ---
# --- coupons product panels (claimable coupons) ---
# --- flash sale product panels (countdown, grab) ---
# --- presale product panels ---
# --- group buy product panels ---


def order_panels(request: HttpRequest, order: orders.Order) -> list[Panel]:
    return [panel for make in ORDER_PANELS if (panel := make(request, order)) is not None]


def product_panels(request: HttpRequest, page: Any) -> list[Panel]:
    return [panel for make in PRODUCT_PANELS if (panel := make(request, page)) is not None]
