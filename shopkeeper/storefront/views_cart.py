"""The cart and checkout pages. A guest's cart lives behind a token in the session; a signed-in
customer's cart is theirs, and the guest cart merges into it at sign-in.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout import services as checkout
from shopkeeper.core.domain.regions import province_named
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.storefront.decorators import customer_page

CART_SESSION_KEY = "cart_token"  # the same key checkout.apps reads at sign-in


def _customer(request: HttpRequest) -> User | None:
    user = request.user
    if isinstance(user, User) and user.is_authenticated and customers.customer_profile(user) is not None:
        return user
    return None


def shopper_cart(request: HttpRequest, *, create: bool) -> checkout.Cart | None:
    """This visitor's cart: the customer's own, or the guest cart of the session's token."""
    customer = _customer(request)
    if customer is not None:
        return checkout.cart_for_customer(customer)
    token = request.session.get(CART_SESSION_KEY)
    if not token and not create:
        return None
    cart = checkout.cart_for_guest(token)
    if cart.token != token:
        request.session[CART_SESSION_KEY] = cart.token
    return cart


def _int(value: str | None, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return default


@require_http_methods(["GET"])
@public
def cart(request: HttpRequest) -> HttpResponse:
    found = shopper_cart(request, create=False)
    view = cart_reads.cart_view(found) if found is not None else None
    return render(request, "storefront/cart/cart.html", {"view": view, "priced": view.priced if view else None})


@require_POST
@public
def cart_add(request: HttpRequest) -> HttpResponse:
    sku_id = _int(request.POST.get("sku_id"))
    quantity = _int(request.POST.get("quantity"), 1)
    back = request.POST.get("back") or reverse("storefront:cart")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("storefront:cart")
    if sku_id is None:
        messages.error(request, _("Choose a variant first."))
        return redirect(back)
    found = shopper_cart(request, create=True)
    assert found is not None
    try:
        checkout.cart_add(cart=found, sku_id=sku_id, quantity=quantity or 0)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return redirect(back)
    if request.POST.get("buy_now"):
        return redirect("storefront:checkout")
    messages.success(request, _("Added to your cart."))
    return redirect("storefront:cart")


@require_POST
@public
def cart_update(request: HttpRequest) -> HttpResponse:
    found = shopper_cart(request, create=False)
    sku_id = _int(request.POST.get("sku_id"))
    quantity = _int(request.POST.get("quantity"))
    if found is not None and sku_id is not None:
        try:
            if request.POST.get("remove"):
                checkout.cart_remove(cart=found, sku_id=sku_id)
            else:
                checkout.cart_set_quantity(cart=found, sku_id=sku_id, quantity=quantity if quantity is not None else -1)
        except ShopkeeperError as refused:
            messages.error(request, refused.message)
    return redirect("storefront:cart")


@require_http_methods(["GET", "POST"])
@customer_page
def checkout_page(request: HttpRequest) -> HttpResponse:
    customer = _customer(request)
    if customer is None:  # a staff account: the shop is for customers
        messages.error(request, _("Sign in with a customer account to check out."))
        return redirect("storefront:cart")
    found = checkout.cart_for_customer(customer)
    addresses = customers.address_list(customer)
    if request.method == "POST":
        return _checkout_submit(request, customer, found)
    chosen_id = _int(request.GET.get("address"))
    chosen = next((a for a in addresses if a.pk == chosen_id), None) or next(
        (a for a in addresses if a.is_default), addresses[0] if addresses else None
    )
    province = province_named(chosen.province) if chosen else None
    view = cart_reads.cart_view(found, region=province.region.value if province else None)
    if not view.lines:
        return redirect("storefront:cart")
    return render(
        request,
        "storefront/cart/checkout.html",
        {
            "view": view,
            "priced": view.priced,
            "addresses": addresses,
            "chosen": chosen,
            "idempotency_key": secrets.token_hex(16),
            "problems": view.problems(),
        },
    )


def _checkout_submit(request: HttpRequest, customer: User, found: checkout.Cart) -> HttpResponse:
    address_id = _int(request.POST.get("address_id"))
    if address_id is None:
        messages.error(request, _("Choose a delivery address."))
        return redirect("storefront:checkout")
    try:
        order = checkout.checkout_submit(
            cart=found,
            customer=customer,
            address_id=address_id,
            idempotency_key=request.POST.get("idempotency_key", ""),
            expected_total_fen=_int(request.POST.get("expected_total_fen")),
            note=request.POST.get("note", ""),
            invoice=checkout.InvoiceRequest(
                kind=request.POST.get("invoice_kind", "none"),
                title=request.POST.get("invoice_title", ""),
                tax_number=request.POST.get("invoice_tax_number", ""),
            ),
            channel=str(request.session.get("channel", "direct")),
            actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return HttpResponseRedirect(f"{reverse('storefront:checkout')}?address={address_id}")
    return redirect("storefront:order_detail", number=order.number)
