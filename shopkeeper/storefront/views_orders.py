"""My orders: the list, an order with its timeline, pay now, cancel an unpaid order, and the
return page that waits for the gateway's confirmation.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopkeeper.catalog import selectors as catalog_reads
from shopkeeper.catalog import services as catalog
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.storefront import panels
from shopkeeper.storefront.decorators import customer_page

PAGE_SIZE = 10
CANCEL_REASONS = (
    "不想买了",
    "地址或信息填错了",
    "想换其他商品",
    "价格不合适",
    "其他原因",
)


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _order(request: HttpRequest, number: str) -> orders.Order:
    order = order_reads.order_for_customer(customer=_me(request), number=number)
    if order is None:
        raise Http404(_("No such order."))
    return order


@require_GET
@customer_page
def order_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "")
    queryset = order_reads.orders_of_customer(_me(request))
    if tab == "to_ship":
        queryset = queryset.filter(status__in=[OrderStatus.PAID, OrderStatus.ALLOCATED])
    elif tab in OrderStatus.values:
        queryset = queryset.filter(status=tab)
    else:
        tab = ""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    tabs = [
        ("", _("All")),
        (OrderStatus.PENDING_PAYMENT.value, _("To pay")),
        ("to_ship", _("To ship")),
        (OrderStatus.SHIPPED.value, _("Shipped")),
        (OrderStatus.COMPLETED.value, _("Completed")),
    ]
    return render(request, "storefront/orders/list.html", {"page": page, "tab": tab, "tabs": tabs})


@require_GET
@customer_page
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    lines = list(order.lines.all())
    reviewable = order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
    reviewed = catalog_reads.reviewed_line_keys(f"order-line:{line.pk}" for line in lines) if reviewable else set()
    seconds_left = 0
    if order.status == OrderStatus.PENDING_PAYMENT:
        seconds_left = max(int((order.pay_deadline - timezone.now()).total_seconds()), 0)
    return render(
        request,
        "storefront/orders/detail.html",
        {
            "order": order,
            "lines": [(line, reviewable and f"order-line:{line.pk}" not in reviewed) for line in lines],
            "timeline": list(order.events.all()),
            "refunds": list(order.refunds.all()),
            "seconds_left": seconds_left,
            "cancel_reasons": CANCEL_REASONS,
            "panels": panels.order_panels(request, order),
        },
    )


@require_POST
@customer_page
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    return_url = request.build_absolute_uri(reverse("storefront:order_paid", args=[order.number]))
    try:
        pay_url = orders.order_pay_start(order=order, return_url=return_url)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
        return redirect("storefront:order_detail", number=order.number)
    return redirect(pay_url)


@require_POST
@customer_page
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    reason = request.POST.get("reason", "").strip()
    if reason not in CANCEL_REASONS:
        reason = CANCEL_REASONS[-1]
    try:
        orders.order_cancel(
            order=order, actor=ActorContext.from_request(request, AuditChannel.STOREFRONT), reason=reason
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The order is cancelled."))
    return redirect("storefront:order_detail", number=order.number)


@require_GET
@customer_page
def order_paid(request: HttpRequest, number: str) -> HttpResponse:
    """Where the gateway sends the customer back: waits (polling) for the asynchronous notification."""
    order = _order(request, number)
    return render(request, "storefront/orders/paid.html", {"order": order})


@require_GET
@customer_page
def order_status(request: HttpRequest, number: str) -> HttpResponse:
    """The return page's poll: a small fragment; HTMX stops polling once the order is paid."""
    order = _order(request, number)
    response = render(request, "storefront/orders/_status.html", {"order": order})
    if order.status != OrderStatus.PENDING_PAYMENT:
        response.status_code = 286  # HTMX: stop polling
    return response


@require_http_methods(["GET", "POST"])
@customer_page
def order_line_review(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    """Rate and review a line the customer received: once per order line."""
    found = order_reads.line_delivery(customer=_me(request), number=number, line_id=line_id)
    if found is None:
        raise Http404(_("No such order line."))
    errors: dict[str, str] = {}
    if request.method == "POST":
        photos = [url.strip() for url in request.POST.get("photos", "").split() if url.strip()]
        try:
            catalog.review_post(
                actor=ActorContext.from_request(request, AuditChannel.STOREFRONT),
                line=catalog.DeliveredLine(
                    order_line_key=found.review_key,
                    product_id=found.line.product_id,
                    sku_id=found.line.sku_id,
                    customer=_me(request),
                    delivered_at=found.delivered_at,
                ),
                rating=_int(request.POST.get("rating")),
                text=request.POST.get("text", ""),
                photos=photos,
            )
        except ShopkeeperError as refused:
            errors = {str(k): str(v) for k, v in refused.details.items() if isinstance(v, str)}
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Thank you for your review."))
            return redirect("storefront:order_detail", number=number)
    return render(request, "storefront/orders/review.html", {"found": found, "errors": errors, "post": request.POST})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
