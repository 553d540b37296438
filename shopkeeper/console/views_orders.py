"""The order desk: the order list with its filters and status tabs, one order with its lines,
timeline, payments and refunds, cancelling an unpaid order, refunding chosen lines, and the
shipping fee rules.

Views parse input, call the orders, payments, inventory and checkout services and selectors,
and render; the services hold the rules and write the timeline and the audit entries. Orders
are typed `Any` here: the console may not import the orders app's models (app boundaries).
The export buttons download from the staff API (`GET /api/v1/orders/export`) with the console
session, so the spreadsheet has one definition.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shopkeeper.checkout import selectors as checkout_selectors
from shopkeeper.checkout import services as checkout_services
from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_orders import CancelForm, OrderFilterForm, RefundForm, ShippingRuleForm
from shopkeeper.core.domain.money import Money
from shopkeeper.core.domain.regions import REGION_NAMES, Region
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import EXPORT_ORDERS, MANAGE_ORDERS, MANAGE_SHIPPING, VIEW_AUDIT_LOG, VIEW_ORDERS
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import selectors, services
from shopkeeper.orders.enums import EVENT_LABELS as ORDER_EVENT_LABELS
from shopkeeper.orders.enums import InvoiceKind, OrderStatus
from shopkeeper.payments import selectors as payments

PAGE_SIZE = 25
REGION_ORDER = {region.value: index for index, region in enumerate(Region)}  # east, south, …; "" last
FILTER_FIELDS = ("q", "status", "placed_from", "placed_to", "channel", "region", "province", "min_total", "max_total")

# What each timeline entry is called: the orders app's names, a few worded for staff; kinds not
# listed show as they are stored.
EVENT_LABELS = {
    **ORDER_EVENT_LABELS,
    "pay": gettext_lazy("Payment received"),
    "allocate": gettext_lazy("Allocated to warehouses"),
    "late_payment": gettext_lazy("Payment after cancelling"),
}


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _status_label(value: str) -> str:
    return str(OrderStatus(value).label) if value in OrderStatus.values else value


def _region_label(value: str) -> str:
    return REGION_NAMES[Region(value)] if value in {r.value for r in Region} else value


# --- order list ---------------------------------------------------------------------------------


def _query_without(params: QueryDict, *names: str) -> str:
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = params.get(name)
        if name not in names and value:
            query[name] = str(value)
    return query.urlencode()


@console_page(VIEW_ORDERS)
def order_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    form = OrderFilterForm(params or None, channels=selectors.order_channels())
    valid = not form.is_bound or form.is_valid()
    queryset = selectors.order_list_staff(form.filters())
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    current = form.cleaned_data.get("status", "") if form.is_bound and valid else ""
    base = _query_without(params, "status")
    counts = selectors.order_status_counts()
    tabs = [
        {
            "label": _("All"),
            "count": sum(item.count for item in counts),
            "url": f"?{base}",
            "active": not current,
            "status": "",
        },
        *[
            {
                "label": item.label,
                "count": item.count,
                "url": f"?{base}&status={item.status}" if base else f"?status={item.status}",
                "active": current == item.status,
                "status": item.status,
            }
            for item in counts
        ],
    ]
    query = _query_without(params)
    export_base = reverse("api:orders_export")
    context = {
        "form": form,
        "page": page,
        "tabs": tabs,
        "query": query,
        "filtered": any(params.get(name) for name in FILTER_FIELDS if name != "status"),
        "export_csv": f"{export_base}?format=csv{'&' + query if query else ''}",
        "export_xlsx": f"{export_base}?format=xlsx{'&' + query if query else ''}",
        "can_export": valid and request.user.has_perm(EXPORT_ORDERS),
        "status_labels": dict(OrderStatus.choices),
    }
    return render(request, "console/orders/list.html", context, status=200 if valid else 422)


# --- order detail -------------------------------------------------------------------------------


def _order_or_404(number: str) -> Any:
    order = selectors.order_for_staff(number=number)
    if order is None:
        raise Http404(_("No such order."))
    return order


def _refund_rows(order: Any, refunds: list[Any], lines: Mapping[int, Any]) -> list[dict[str, Any]]:
    """Each refund with the lines it covers and what the gateway knows of it (its refund number)."""
    at_gateway = {refund.request_key: refund for refund in payments.refunds_for(order.reference)}
    rows = []
    for refund in refunds:
        gateway = at_gateway.pop(refund.request_key, None)
        rows.append(
            {
                "created_at": refund.created_at,
                "amount": Money(refund.amount_fen),
                "reason": refund.reason,
                "status": refund.get_status_display(),
                "status_value": refund.status,
                "who": _who(refund.actor, ""),
                "lines": [
                    {
                        "label": lines[int(part["line_id"])].sku_code
                        if int(part["line_id"]) in lines
                        else _("Shipping"),
                        "amount": Money(int(part["amount_fen"])),
                    }
                    for part in refund.lines
                ],
                "gateway": gateway,
                "succeeded_at": refund.succeeded_at,
            }
        )
    rows.extend(
        {
            "created_at": gateway.created_at,
            "amount": Money(gateway.amount_fen),
            "reason": gateway.reason,
            "status": gateway.get_status_display(),
            "status_value": gateway.status,
            "who": "",
            "lines": [],
            "gateway": gateway,
            "succeeded_at": gateway.succeeded_at,
        }
        for gateway in at_gateway.values()
    )
    return rows


def _who(user: Any, label: str) -> str:
    """A staff member by their display name; the payment gateway and the worker as "system"."""
    if user is not None:
        return str(user.display_name or user.get_username())
    return _("system") if label in ("", "system") else label


def _event_rows(order: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": event.created_at,
            "who": _who(event.actor, event.actor_label),
            "username": event.actor_label,
            "what": EVENT_LABELS.get(event.kind, event.kind),
            "from": _status_label(event.from_status) if event.from_status else "",
            "to": _status_label(event.to_status) if event.to_status else "",
            "note": event.note,
        }
        for event in order.events.all()
    ]


def _refund_form(lines: list[Any], data: QueryDict | None = None) -> RefundForm:
    return RefundForm(data, line_ids=[line.pk for line in lines], initial={"request_key": uuid.uuid4().hex})


def _detail_page(
    request: HttpRequest,
    order: Any,
    *,
    cancel_form: CancelForm | None = None,
    refund_form: RefundForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    lines = list(order.lines.all())
    refunds = list(order.refunds.all())
    pending = selectors.pending_refund_by_line(refunds)
    refund_form = refund_form or _refund_form(lines)
    line_rows = [
        {
            "line": line,
            "pending": Money(pending.get(line.pk, 0)),
            "refundable": services.line_refundable(line, pending.get(line.pk, 0)),
            "explanation": [str(item) for item in line.explanation],
            "tick": refund_form.line_field(line.pk, "line"),
            "amount": refund_form.line_field(line.pk, "amount"),
        }
        for line in lines
    ]
    held = inventory.reservations_for(order.reference)
    sku_codes = {line.sku_id: line.sku_code for line in lines}
    can_manage = request.user.has_perm(MANAGE_ORDERS)
    refundable_left = any(row["refundable"].fen > 0 for row in line_rows)
    paid = order.paid_fen > 0 and order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)
    context = {
        "order": order,
        "status_label": _status_label(order.status),
        "region_label": _region_label(order.region),
        "invoice_label": InvoiceKind(order.invoice_kind).label if order.invoice_kind in InvoiceKind.values else "",
        "explanation": [str(item) for item in order.explanation],
        "lines": line_rows,
        "goods_paid": Money(sum(line.total_fen for line in lines)),
        "events": _event_rows(order),
        "payments": payments.payments_for(order.reference),
        "refunds": _refund_rows(order, refunds, {line.pk: line for line in lines}),
        "reservations": [{"sku_code": sku_codes.get(item.sku_id, str(item.sku_id)), "item": item} for item in held],
        "can_manage": can_manage,
        "can_cancel": can_manage and order.status == OrderStatus.PENDING_PAYMENT,
        "can_refund": can_manage and paid and refundable_left,
        "cancel_form": cancel_form or CancelForm(),
        "refund_form": refund_form,
        "refusal": refusal,
        "audit_url": f"{reverse('console:audit_list')}?object_type=orders.order&object_id={order.pk}"
        if request.user.has_perm(VIEW_AUDIT_LOG)
        else "",
    }
    return render(request, "console/orders/detail.html", context, status=status)


@console_page(VIEW_ORDERS)
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail_page(request, _order_or_404(number))


@require_POST
@console_page(MANAGE_ORDERS)
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel an unpaid order with a reason; its reserved stock goes back on sale."""
    order = _order_or_404(number)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.order_cancel(order=order, actor=_actor(request), reason=form.cleaned_data["reason"])
        except ShopkeeperError as exc:
            if "reason" in exc.details:
                form.add_error("reason", exc.message)
            return _detail_page(
                request, _order_or_404(number), cancel_form=form, refusal=exc.message, status=exc.status
            )
        messages.success(request, _("Order %(number)s is cancelled; its stock is back on sale.") % {"number": number})
        return redirect("console:order_detail", number=number)
    return _detail_page(request, order, cancel_form=form, status=422)


def _place_refund_refusal(form: RefundForm, exc: ShopkeeperError) -> str:
    """Put the service's per-line refusals next to the lines; what is left goes in the box on top."""
    lines = exc.details.get("lines")
    if isinstance(lines, Mapping):
        for line_id, problem in lines.items():
            name = f"amount_{line_id}"
            if name in form.fields:
                form.add_error(name, str(problem))
            else:
                form.add_error(None, str(problem))
    if "reason" in exc.details:
        form.add_error("reason", exc.message)
    return exc.message


@require_POST
@console_page(MANAGE_ORDERS)
def order_refund(request: HttpRequest, number: str) -> HttpResponse:
    """Refund the ticked lines, each in full or by the amount typed (up to what is left of it)."""
    order = _order_or_404(number)
    form = RefundForm(request.POST, line_ids=[line.pk for line in order.lines.all()])
    if not form.is_valid():
        return _detail_page(request, order, refund_form=form, status=422)
    data = form.cleaned_data
    try:
        refund = services.order_refund(
            order=order,
            amounts=data["amounts"],
            reason=data["reason"],
            request_key=data["request_key"],
            actor=_actor(request),
        )
    except ShopkeeperError as exc:
        refusal = _place_refund_refusal(form, exc)
        return _detail_page(request, _order_or_404(number), refund_form=form, refusal=refusal, status=exc.status)
    messages.success(
        request,
        _("Refund of %(amount)s requested. The payment gateway sends the money back to the customer.")
        % {"amount": Money(refund.amount_fen)},
    )
    return redirect("console:order_detail", number=number)


# --- shipping fee rules -------------------------------------------------------------------------


def _shipping_page(
    request: HttpRequest, *, form: ShippingRuleForm | None = None, failed: str | None = None, status: int = 200
) -> HttpResponse:
    rules = checkout_selectors.shipping_rules()
    known = {rule.region for rule in rules}
    rows = [
        {
            "rule": rule,
            "label": _region_label(rule.region) if rule.region else _("Everywhere else"),
            "fee": Money(rule.fee_fen),
            "free_over": Money(rule.free_over_fen) if rule.free_over_fen is not None else None,
            "form": form
            if failed == rule.region and form is not None
            else ShippingRuleForm(
                initial={
                    "region": rule.region,
                    "fee": Money(rule.fee_fen).yuan,
                    "free_over": Money(rule.free_over_fen).yuan if rule.free_over_fen is not None else None,
                },
                auto_id=f"id_{rule.region or 'default'}_%s",
            ),
        }
        for rule in sorted(rules, key=lambda rule: REGION_ORDER.get(rule.region, len(REGION_ORDER)))
    ]
    missing = [(r.value, f"{REGION_NAMES[r]} ({r.value})") for r in Region if r.value not in known]
    if "" not in known:
        missing.insert(0, ("", _("Everywhere else")))
    new_form = form if failed is not None and failed not in known and form is not None else ShippingRuleForm()
    context = {"rows": rows, "missing": missing, "new_form": new_form, "failed": failed, "form": form}
    return render(request, "console/orders/shipping.html", context, status=status)


@console_page(MANAGE_SHIPPING)
def shipping_rules(request: HttpRequest) -> HttpResponse:
    """The fee and free-shipping threshold per region; POST saves one region's rule."""
    if request.method != "POST":
        return _shipping_page(request)
    form = ShippingRuleForm(request.POST)
    region = request.POST.get("region", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            checkout_services.shipping_rule_save(
                actor=_actor(request), region=data["region"], fee=data["fee"], free_over=data["free_over"]
            )
        except ShopkeeperError as exc:
            field = next((name for name in ("region", "fee", "free_over") if name in exc.details), None)
            form.add_error(field, exc.message)
        else:
            label = _region_label(data["region"]) if data["region"] else _("Everywhere else")
            messages.success(request, _("Shipping fee for %(region)s saved.") % {"region": label})
            return redirect("console:shipping_rules")
    return _shipping_page(request, form=form, failed=region, status=422)
