"""Flash sales in the shop: the panel on a product page (countdown, flash price, units left, the
grab button), the day's flash-sale page at /flash/, and the grab itself (POST, signed in)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.promotions.flash import selectors as flash
from shopkeeper.promotions.flash import services as flash_services
from shopkeeper.storefront.decorators import customer_page


def _millis(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


def _offer_rows(offers: list[flash.Offer], now: Any) -> list[dict[str, Any]]:
    return [
        {
            "offer": offer,
            "running": offer.running(now),
            "starts_ms": _millis(offer.starts_at),
            "ends_ms": _millis(offer.ends_at),
            "key": uuid.uuid4().hex,  # one idempotency key per rendered button: a double click grabs once
        }
        for offer in offers
    ]


def flash_panel(request: HttpRequest, page: Any) -> Any:
    """The product page's flash-sale panel, when one of its SKUs is in a session today."""
    from shopkeeper.storefront.panels import Panel  # panels imports this module at its slot

    now = timezone.now()
    offers = flash.product_offers(sku_ids=[sku.id for sku in page.skus], now=now)
    if not offers:
        return None
    return Panel(
        "storefront/flash/_panel.html",
        {"rows": _offer_rows(offers, now), "server_now_ms": _millis(now), "back": request.path},
    )


@public
@require_GET
def flash_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    offers = flash.offers_today(now=now)
    return render(
        request,
        "storefront/flash/list.html",
        {
            "running": _offer_rows([o for o in offers if o.running(now)], now),
            "upcoming": _offer_rows([o for o in offers if not o.running(now)], now),
            "server_now_ms": _millis(now),
        },
    )


def _back(request: HttpRequest) -> str:
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return "/flash/"


@customer_page
@require_POST
def flash_grab(request: HttpRequest, item_id: int) -> HttpResponse:
    """抢购: the order at the flash price opens for payment; a refusal says why on the page before."""
    customer = request.user
    assert isinstance(customer, User)
    address = customers.address_default(customer)
    if address is None:
        messages.error(request, _("Add a delivery address first, then grab again."))
        return redirect("storefront:account_addresses")
    try:
        done = flash_services.flash_attempt(
            item_id=item_id,
            customer=customer,
            address_id=address.pk,
            idempotency_key=request.POST.get("idempotency_key", "") or uuid.uuid4().hex,
            actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return redirect(_back(request))
    if not done.order_number:
        messages.error(request, _("This attempt did not place an order."))
        return redirect(_back(request))
    messages.success(request, _("You got it! Pay within the payment window, or the unit goes back to the sale."))
    return redirect("storefront:order_detail", number=done.order_number)
