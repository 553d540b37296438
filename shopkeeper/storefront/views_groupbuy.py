"""Group buy pages (拼团): the product page's panel, a group's share page with its members and
countdown, opening a group (开团) and joining one (参团), and the order page's panel.

Opening or joining places the member's order; the customer pays it on the order page, where the
panel shows the group's state, its share link and that the money comes back if it fails.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind
from shopkeeper.promotions.groupbuy import selectors, services
from shopkeeper.storefront.decorators import customer_page

if TYPE_CHECKING:
    from shopkeeper.storefront.panels import Panel


def _seconds_left(when: Any) -> int:
    return max(int((when - timezone.now()).total_seconds()), 0)


def _share_url(request: HttpRequest, share_code: str) -> str:
    return request.build_absolute_uri(reverse("storefront:group_page", args=[share_code]))


def _refresh(group: Any) -> Any:
    """A group whose time ran out is closed on read too (the beat task may not have run yet)."""
    if group.state == "open" and group.expires_at <= timezone.now():
        services.group_expire(group_id=group.pk)
        group.refresh_from_db()
    return group


# --- panels -----------------------------------------------------------------------------------


def product_panel(request: HttpRequest, page: Any) -> Panel | None:
    """Group price, "N人团", the open groups to join with their countdown, and "开团" (2 queries)."""
    from shopkeeper.storefront.panels import Panel  # panels.py imports this module at its slot

    groupbuy = selectors.groupbuy_running_for_product(page.product.pk)
    if groupbuy is None or groupbuy.sku_id not in {sku.id for sku in page.skus}:
        return None
    groups = [
        {"group": group, "seconds_left": _seconds_left(group.expires_at), "missing": group.missing}
        for group in selectors.groups_joinable(groupbuy.pk)
    ]
    return Panel("storefront/groupbuy/_product_panel.html", {"groupbuy": groupbuy, "groups": groups})


def order_panel(request: HttpRequest, order: orders.Order) -> Panel | None:
    """The group's state, its share link and the refund-on-failure promise (1–2 queries)."""
    from shopkeeper.storefront.panels import Panel  # panels.py imports this module at its slot

    if order.kind != OrderKind.GROUP:
        return None
    member = selectors.member_for_order(order.pk)
    if member is None:
        return None
    group = member.group
    if group.state == "open" and group.expires_at <= timezone.now():
        group = _refresh(group)
        member.refresh_from_db(fields=["state", "refund_fen"])  # closing may have refunded it
    return Panel(
        "storefront/groupbuy/_order_panel.html",
        {
            "member": member,
            "group": group,
            "groupbuy": group.groupbuy,
            "share_url": _share_url(request, group.share_code),
            "seconds_left": _seconds_left(group.expires_at),
        },
    )


# --- pages ------------------------------------------------------------------------------------


def _addresses(request: HttpRequest) -> list[Any]:
    return customers.address_list(request.user) if customers.is_customer(request.user) else []


def _address_id(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("address_id", ""))
    except ValueError:
        default = customers.address_default(request.user)
        return default.pk if default else None


@public
@require_http_methods(["GET"])
def group_page(request: HttpRequest, share_code: str) -> HttpResponse:
    """A group's share page: anyone may look; a signed-in customer may join."""
    group = selectors.group_by_code(share_code)
    if group is None:
        raise Http404(_("No such group."))
    group = _refresh(group)
    members = selectors.members_of(group)
    mine = request.user.is_authenticated and any(m.customer_id == request.user.pk for m in members)
    context = {
        "group": group,
        "groupbuy": group.groupbuy,
        "members": members,
        "empty_seats": range(group.missing) if group.state == "open" else range(0),
        "seconds_left": _seconds_left(group.expires_at),
        "share_url": _share_url(request, group.share_code),
        "mine": mine,
        "is_customer": customers.is_customer(request.user),
        "addresses": _addresses(request),
        "key": uuid.uuid4().hex,
    }
    return render(request, "storefront/groupbuy/group.html", context)


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _placed(request: HttpRequest, member: Any) -> HttpResponse:
    messages.success(request, _("Your group order is placed: pay it to keep your seat."))
    return redirect("storefront:order_detail", number=member.order_number)


@require_http_methods(["GET", "POST"])
@customer_page
def group_open(request: HttpRequest, groupbuy_id: int) -> HttpResponse:
    """GET: confirm the address; POST: open the group (the order is placed, then paid on its page)."""
    groupbuy = selectors.groupbuy_get(groupbuy_id)
    if groupbuy is None:
        raise Http404(_("No such group buy."))
    if request.method == "POST":
        address_id = _address_id(request)
        if address_id is None:
            messages.error(request, _("Add a delivery address first."))
            return redirect("storefront:account_address_new")
        try:
            member = services.group_open(
                groupbuy_id=groupbuy.pk,
                customer=_me(request),
                address_id=address_id,
                idempotency_key=request.POST.get("key", "")[:56],
                actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
            )
        except ShopkeeperError as refused:
            messages.error(request, refused.message)
        else:
            return _placed(request, member)
    context = {"groupbuy": groupbuy, "addresses": _addresses(request), "key": uuid.uuid4().hex}
    return render(request, "storefront/groupbuy/open.html", context)


@require_http_methods(["POST"])
@customer_page
def group_join(request: HttpRequest, share_code: str) -> HttpResponse:
    address_id = _address_id(request)
    if address_id is None:
        messages.error(request, _("Add a delivery address first."))
        return redirect("storefront:account_address_new")
    try:
        member = services.group_join(
            share_code=share_code,
            customer=_me(request),
            address_id=address_id,
            idempotency_key=request.POST.get("key", "")[:56],
            actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return redirect("storefront:group_page", share_code=share_code)
    return _placed(request, member)
