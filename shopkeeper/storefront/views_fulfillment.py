"""The order page's shipment panel: each parcel with its carrier, tracking number and tracking
events, and "confirm receipt" for a parcel on its way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.fulfillment import selectors as shipments
from shopkeeper.fulfillment import services as fulfilment
from shopkeeper.orders import services as orders
from shopkeeper.storefront.decorators import customer_page

if TYPE_CHECKING:
    from shopkeeper.storefront.panels import Panel

RECEIVABLE = ("shipped", "exception")


def shipments_panel(request: HttpRequest, order: orders.Order) -> Panel | None:
    """The parcels of the order (none before it is paid)."""
    from shopkeeper.storefront.panels import Panel  # the slot list imports this module

    found = shipments.order_shipments(order.pk)
    if not found:
        return None
    return Panel(
        "storefront/fulfillment/shipments_panel.html",
        {"order": order, "shipments": found, "receivable": RECEIVABLE},
    )


@require_POST
@customer_page
def confirm_receipt(request: HttpRequest, number: str, shipment_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        fulfilment.shipment_confirm_receipt(
            shipment_id=shipment_id,
            customer=request.user,
            actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Thank you: the parcel is marked as received."))
    return redirect("storefront:order_detail", number=number)
