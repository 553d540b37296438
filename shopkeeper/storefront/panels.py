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
from shopkeeper.storefront.views_fulfillment import shipments_panel  # noqa: E402

ORDER_PANELS.append(shipments_panel)
# --- aftersales order panels (apply, applications) ---
from shopkeeper.storefront.views_aftersales import order_panel as aftersales_panel  # noqa: E402

ORDER_PANELS.append(aftersales_panel)
# --- presale order panels (deposit, balance) ---
from shopkeeper.storefront.views_presale import presale_order_panel  # noqa: E402

ORDER_PANELS.append(presale_order_panel)
# --- group buy and lottery order panels ---
from shopkeeper.storefront import views_groupbuy, views_lottery  # noqa: E402

ORDER_PANELS.append(views_groupbuy.order_panel)
ORDER_PANELS.append(views_lottery.order_panel)

PRODUCT_PANELS: list[ProductPanel] = []
# --- promotions product panels (badges) ---
from shopkeeper.storefront.views_promotions import member_price_panel, promotion_badges_panel  # noqa: E402

PRODUCT_PANELS.append(promotion_badges_panel)
PRODUCT_PANELS.append(member_price_panel)
# --- coupons product panels (claimable coupons) ---
from shopkeeper.storefront.views_coupons import coupon_product_panel  # noqa: E402

PRODUCT_PANELS.append(coupon_product_panel)
# --- flash sale product panels (countdown, grab) ---
from shopkeeper.storefront.views_flash import flash_panel  # noqa: E402

PRODUCT_PANELS.append(flash_panel)
# --- presale product panels ---
from shopkeeper.storefront.views_presale import presale_product_panel  # noqa: E402

PRODUCT_PANELS.append(presale_product_panel)
# --- group buy product panels ---
PRODUCT_PANELS.append(views_groupbuy.product_panel)


def order_panels(request: HttpRequest, order: orders.Order) -> list[Panel]:
    return [panel for make in ORDER_PANELS if (panel := make(request, order)) is not None]


def product_panels(request: HttpRequest, page: Any) -> list[Panel]:
    return [panel for make in PRODUCT_PANELS if (panel := make(request, page)) is not None]
