"""Presale pages of the shop: the presale listing, paying the deposit and the balance, the
return page that waits for the gateway, and the panels on the product and order pages."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.promotions.presale import selectors as presales
from shopkeeper.promotions.presale import services as presale_services
from shopkeeper.storefront.decorators import customer_page
from shopkeeper.storefront.panels import Panel


def _seconds_until(when: Any) -> int:
    return max(int((when - timezone.now()).total_seconds()), 0)


def _card(presale: Any) -> dict[str, Any]:
    phase = presales.presale_phase(presale)
    deadline = {
        "upcoming": presale.presale_starts_at,
        "deposit": presale.presale_ends_at,
        "waiting": presale.balance_starts_at,
        "balance": presale.balance_ends_at,
    }.get(phase.value)
    return {
        "presale": presale,
        "phase": phase.value,
        "unit_price_fen": presales.presale_unit_price(presale).fen,
        "balance_fen": presale.final_price_fen - presale.deposit_value_fen,
        "seconds_left": _seconds_until(deadline) if deadline else 0,
    }


@public
@require_GET
def presale_list(request: HttpRequest) -> HttpResponse:
    cards = [_card(p) for p in presales.presales_for_shop()]
    return render(request, "storefront/presale/list.html", {"cards": cards})


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_POST
@customer_page
def presale_deposit(request: HttpRequest, presale_id: int) -> HttpResponse:
    presale = presales.presale_get(presale_id)
    if presale is None:
        raise Http404(_("No such presale."))
    back = reverse("storefront:product", args=[presale.sku.product_id])
    address = customers.address_default(_me(request))
    if address is None:
        messages.error(request, _("Add a delivery address first."))
        return redirect("storefront:account_address_new")
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 1
    key = request.POST.get("key", "").strip()[:64] or uuid.uuid4().hex
    try:
        order = presale_services.presale_deposit_place(
            presale_id=presale.pk,
            customer=_me(request),
            quantity=quantity,
            address_id=address.pk,
            idempotency_key=key,
            actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
        )
        return_url = request.build_absolute_uri(
            reverse("storefront:presale_paid", args=[order.number]) + "?pay=deposit"
        )
        pay_url, _amount = presale_services.presale_pay_start(order=order, return_url=return_url)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return redirect(back)
    return redirect(pay_url)


def _my_presale_order(request: HttpRequest, number: str) -> orders.Order:
    order = order_reads.order_for_customer(customer=_me(request), number=number)
    if order is None or order.kind != "presale":
        raise Http404(_("No such order."))
    return order


@require_POST
@customer_page
def presale_balance(request: HttpRequest, number: str) -> HttpResponse:
    order = _my_presale_order(request, number)
    expected = "deposit" if order.deposit_paid_at is None else "balance"
    return_url = request.build_absolute_uri(
        reverse("storefront:presale_paid", args=[order.number]) + f"?pay={expected}"
    )
    try:
        pay_url, _amount = presale_services.presale_pay_start(order=order, return_url=return_url)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return redirect("storefront:order_detail", number=order.number)
    return redirect(pay_url)


def _paid_state(order: orders.Order, expected: str) -> str:
    """What the return page says: waiting until the payment the customer made is booked."""
    if order.status == "cancelled":
        return "cancelled"
    if order.paid_at is not None:
        return "balance"
    return "deposit" if order.deposit_paid_at is not None and expected != "balance" else "waiting"


@require_GET
@customer_page
def presale_paid(request: HttpRequest, number: str) -> HttpResponse:
    """Where the cashier sends the customer back; polls until the gateway's notification lands."""
    order = _my_presale_order(request, number)
    expected = request.GET.get("pay", "deposit")
    state = _paid_state(order, expected)
    return render(request, "storefront/presale/paid.html", {"order": order, "state": state, "expected": expected})


@require_GET
@customer_page
def presale_paid_status(request: HttpRequest, number: str) -> HttpResponse:
    order = _my_presale_order(request, number)
    state = _paid_state(order, request.GET.get("pay", "deposit"))
    response = render(request, "storefront/presale/_paid_status.html", {"order": order, "state": state})
    if state != "waiting":
        response.status_code = 286  # HTMX: stop polling
    return response


# --- panels ------------------------------------------------------------------------------------


def presale_product_panel(request: HttpRequest, page: Any) -> Panel | None:
    presale = presales.presale_for_product(page.product.pk)
    if presale is None:
        return None
    # A fresh key per page view: a double click on "pay deposit" is one order, a new visit another.
    return Panel("storefront/presale/_product_panel.html", {**_card(presale), "key": uuid.uuid4().hex})


def presale_order_panel(request: HttpRequest, order: orders.Order) -> Panel | None:
    if order.kind != "presale" or not order.deposit_fen:
        return None
    row = presales.presale_order_of(order.pk)
    now = timezone.now()
    balance_open = bool(
        order.status == "pending_payment"
        and order.deposit_paid_at is not None
        and order.balance_due_from is not None
        and order.balance_due_from <= now < order.pay_deadline
    )
    return Panel(
        "storefront/presale/_order_panel.html",
        {
            "order": order,
            "presale": row.presale if row else None,
            "balance_fen": order.balance_fen,
            "expansion_fen": order.deposit_value_fen - order.deposit_fen,
            "deposit_due": order.status == "pending_payment" and order.deposit_paid_at is None,
            "balance_open": balance_open,
            "balance_upcoming": bool(
                order.status == "pending_payment"
                and order.deposit_paid_at is not None
                and order.balance_due_from is not None
                and now < order.balance_due_from
            ),
            "seconds_left": _seconds_until(order.pay_deadline) if balance_open else 0,
            "reminders": presales.reminders_of(row.pk) if row else [],
        },
    )
