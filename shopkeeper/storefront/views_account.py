"""The customer's account pages: sign in, register, sign out, the user centre and the address book.

Rules live in the customers services; these views bind forms, call them, and show refusals on
the fields. `?next=` is followed only to a path on this site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.customers import services as customer_services
from shopkeeper.customers.errors import NotACustomer, TooManySignInAttempts
from shopkeeper.storefront.decorators import customer_page
from shopkeeper.storefront.forms_account import AddressForm, RegisterForm, SignInForm, show_refusal

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _customer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # customer_page let only a customer through
    return user


def _next_path(request: HttpRequest) -> str:
    """The `next` the shopper came with, when it is a path on this site; "" otherwise."""
    raw = request.POST.get("next") or request.GET.get("next") or ""
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw or len(raw) > 2000:
        return ""
    if not url_has_allowed_host_and_scheme(raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return raw


def _ip_address(request: HttpRequest) -> str | None:
    return ActorContext.from_request(request, AuditChannel.API).ip_address


def _with_next(url: str, next_path: str) -> str:
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


# --- signing in and out ---------------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_path = _next_path(request)
    if customers.is_customer(request.user):
        return redirect(next_path or "storefront:account_home")
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = customer_services.customer_sign_in(
                    mobile=form.cleaned_data["mobile"],
                    password=form.cleaned_data["password"],
                    ip_address=_ip_address(request),
                )
            except ShopkeeperError as exc:
                form.add_error(None, exc.message)
                # 429 while locked, 403 for a staff account; a wrong password is a form to correct (422).
                if isinstance(exc, TooManySignInAttempts | NotACustomer):
                    status = exc.status
            else:
                login(request, user)  # fires user_logged_in: checkout merges the guest cart on it
                return redirect(next_path or "storefront:account_home")
    context = {
        "form": form,
        "next": next_path,
        "register_url": _with_next(reverse("storefront:account_register"), next_path),
        "staff_session": request.user.is_authenticated,  # signed in, but not as a customer
    }
    return render(request, "storefront/account/login.html", context, status=status)


@public
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    next_path = _next_path(request)
    if customers.is_customer(request.user):
        return redirect(next_path or "storefront:account_home")
    channel = customer_services.channel_clean(request.GET.get("channel") or request.GET.get("utm_source"))
    form = RegisterForm(request.POST if request.method == "POST" else None, initial={"channel": channel})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = customer_services.customer_register(
                    mobile=form.cleaned_data["mobile"],
                    password=form.cleaned_data["password"],
                    nickname=form.cleaned_data["nickname"],
                    channel=customer_services.channel_clean(form.cleaned_data["channel"]),
                )
            except ShopkeeperError as exc:
                show_refusal(form, exc)
                status = exc.status
            else:
                login(request, user, backend=MODEL_BACKEND)
                if not next_path:  # shown by the account centre; elsewhere it would linger
                    messages.success(request, _("Welcome! Your account is ready."))
                return redirect(next_path or "storefront:account_home")
    context = {
        "form": form,
        "next": next_path,
        "login_url": _with_next(reverse("storefront:account_login"), next_path),
    }
    return render(request, "storefront/account/register.html", context, status=status)


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("storefront:home")


# --- user centre ----------------------------------------------------------------------------


@customer_page
@require_GET
def account_home(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    context = {
        "profile": customers.customer_profile(user),
        "default_address": customers.address_default(user),
        "address_count": customers.address_count(user),
    }
    return render(request, "storefront/account/home.html", context)


# --- address book ---------------------------------------------------------------------------


@customer_page
@require_GET
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = customers.address_list(_customer(request))
    context = {
        "addresses": addresses,
        "limit": customers.MAX_ADDRESSES,
        "full": len(addresses) >= customers.MAX_ADDRESSES,
    }
    return render(request, "storefront/account/addresses.html", context)


def _own_address(request: HttpRequest, address_id: int) -> Any:
    try:
        return customers.address_get(user=_customer(request), address_id=address_id)
    except NotFound:
        raise Http404(_("No such address")) from None


def _address_form_page(request: HttpRequest, *, address_id: int | None) -> HttpResponse:
    user = _customer(request)
    next_path = _next_path(request)
    if address_id is None:
        profile = customers.customer_profile(user)
        initial: dict[str, Any] = {"mobile": profile.mobile if profile else ""}
    else:
        address = _own_address(request, address_id)
        initial = {
            name: getattr(address, name)
            for name in ("recipient", "mobile", "province", "city", "district", "detail", "is_default")
        }
    form = AddressForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if address_id is None:
                    customer_services.address_create(user=user, **form.service_fields())
                    messages.success(request, _("Address added."))
                else:
                    customer_services.address_update(user=user, address_id=address_id, **form.service_fields())
                    messages.success(request, _("Address saved."))
            except NotFound:
                raise Http404(_("No such address")) from None
            except ShopkeeperError as exc:
                show_refusal(form, exc)
                status = exc.status
            else:
                return redirect(next_path or "storefront:account_addresses")
    context = {
        "form": form,
        "editing": address_id is not None,
        "address_id": address_id,
        "next": next_path,
        "is_default": bool(initial.get("is_default")),
    }
    return render(request, "storefront/account/address_form.html", context, status=status)


@customer_page
@require_http_methods(["GET", "POST"])
def address_new(request: HttpRequest) -> HttpResponse:
    return _address_form_page(request, address_id=None)


@customer_page
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int) -> HttpResponse:
    return _address_form_page(request, address_id=address_id)


@customer_page
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        customer_services.address_delete(user=_customer(request), address_id=address_id)
    except NotFound:
        raise Http404(_("No such address")) from None
    messages.success(request, _("Address deleted."))
    return redirect("storefront:account_addresses")


@customer_page
@require_POST
def address_make_default(request: HttpRequest, address_id: int) -> HttpResponse:
    try:
        customer_services.address_set_default(user=_customer(request), address_id=address_id)
    except NotFound:
        raise Http404(_("No such address")) from None
    messages.success(request, _("Default address changed."))
    return redirect("storefront:account_addresses")


@public
@require_GET
def city_options(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of a province's cities, swapped into the city select by HTMX."""
    province = request.GET.get("province", "")[:32]
    context = {"cities": customers.cities_of(province), "selected": request.GET.get("city", "")}
    return render(request, "storefront/account/_city_options.html", context)
