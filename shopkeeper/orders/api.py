"""Staff order endpoints: the order desk of the console, for scripts and tools — the filtered
list, one order with its lines, timeline, payments and refunds, cancelling, refunding per line,
and the CSV/XLSX export.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from ninja import Query, Router, Status

from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.domain.regions import Region
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import EXPORT_ORDERS, MANAGE_ORDERS, VIEW_ORDERS
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import selectors, services
from shopkeeper.orders.enums import InvoiceKind, OrderStatus
from shopkeeper.orders.exports import FORMATS, orders_export_response, status_label
from shopkeeper.orders.models import Order, OrderLine, OrderRefund
from shopkeeper.orders.schemas import (
    CancelIn,
    EventOut,
    InvoiceOut,
    LineOut,
    OrderFiltersIn,
    OrderOut,
    OrderPageOut,
    OrderRowOut,
    PageIn,
    PaymentOut,
    RefundIn,
    RefundLineOut,
    RefundOut,
    ReservationOut,
    money_out,
)
from shopkeeper.payments import selectors as payments

router = Router(tags=["orders (staff)"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


# --- reading the filters ---------------------------------------------------------------------


def _yuan_filter(value: str | None, field: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        amount = Money.from_yuan(value)
    except MoneyError:
        raise ValidationFailed(f"{field} is not an amount in yuan", details={field: "invalid"}) from None
    if amount.fen < 0:
        raise ValidationFailed(f"{field} cannot be negative", details={field: "negative"})
    return amount.fen


def filters_from(query: OrderFiltersIn) -> selectors.OrderFilters:
    """The list's filters, checked: an unknown status or region, or a bad amount, is a 422."""
    status = (query.status or "").strip()
    if status and status not in OrderStatus.values:
        raise ValidationFailed(
            f"Unknown order status: {status}", details={"status": status, "allowed": list(OrderStatus.values)}
        )
    region = (query.region or "").strip()
    if region and region not in {r.value for r in Region}:
        raise ValidationFailed(
            f"Unknown region: {region}", details={"region": region, "allowed": [r.value for r in Region]}
        )
    if query.placed_from and query.placed_to and query.placed_from > query.placed_to:
        raise ValidationFailed("placed_from is after placed_to", details={"placed_from": "after_placed_to"})
    return selectors.OrderFilters(
        status=status,
        placed_from=query.placed_from,
        placed_to=query.placed_to,
        channel=(query.channel or "").strip(),
        region=region,
        province=(query.province or "").strip(),
        min_total_fen=_yuan_filter(query.min_total, "min_total"),
        max_total_fen=_yuan_filter(query.max_total, "max_total"),
        q=(query.q or "").strip(),
    )


# --- building the answers ----------------------------------------------------------------------


def _row_fields(order: Order, line_count: int) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "status_label": status_label(order.status),
        "channel": order.channel,
        "customer": order.customer.get_username(),
        "recipient": order.recipient,
        "mobile": order.mobile,
        "province": order.province,
        "city": order.city,
        "region": order.region,
        "line_count": line_count,
        "subtotal": money_out(order.subtotal_fen),
        "discount": money_out(order.discount_fen),
        "shipping": money_out(order.shipping_fen),
        "total": money_out(order.total_fen),
        "paid": money_out(order.paid_fen),
        "refunded": money_out(order.refunded_fen),
        "placed_at": order.placed_at,
        "pay_deadline": order.pay_deadline,
        "paid_at": order.paid_at,
        "cancelled_at": order.cancelled_at,
    }


def _line_out(line: OrderLine, pending_fen: int) -> LineOut:
    return LineOut(
        id=line.pk,
        sku_id=line.sku_id,
        product_id=line.product_id,
        sku_code=line.sku_code,
        title=line.title,
        spec_label=line.spec_label,
        image=line.image,
        unit_price=money_out(line.unit_price_fen),
        quantity=line.quantity,
        subtotal=money_out(line.subtotal_fen),
        discount=money_out(line.discount_fen),
        paid_share=money_out(line.total_fen),
        refunded=money_out(line.refunded_fen),
        refundable=money_out(services.line_refundable(line, pending_fen).fen),
        explanation=[str(item) for item in line.explanation],
    )


def _refunds_out(order: Order, refunds: list[OrderRefund]) -> list[RefundOut]:
    """The order's refunds (which lines, who asked), each with the gateway's record of it."""
    at_gateway = {refund.request_key: refund for refund in payments.refunds_for(order.reference)}
    result = []
    for refund in refunds:
        gateway = at_gateway.pop(refund.request_key, None)
        result.append(
            RefundOut(
                request_key=refund.request_key,
                amount=money_out(refund.amount_fen),
                reason=refund.reason,
                status=refund.status,
                lines=[
                    RefundLineOut(line_id=int(part["line_id"]), amount=money_out(int(part["amount_fen"])))
                    for part in refund.lines
                ],
                requested_by=refund.actor.get_username() if refund.actor else "system",
                created_at=refund.created_at,
                succeeded_at=refund.succeeded_at,
                out_refund_no=gateway.out_refund_no if gateway else "",
                gateway_refund_no=gateway.gateway_refund_no if gateway else "",
                gateway_status=gateway.status if gateway else "",
            )
        )
    for gateway in at_gateway.values():  # a refund made at the gateway without an order refund
        result.append(
            RefundOut(
                request_key=gateway.request_key,
                amount=money_out(gateway.amount_fen),
                reason=gateway.reason,
                status=gateway.status,
                lines=[],
                requested_by="",
                created_at=gateway.created_at,
                succeeded_at=gateway.succeeded_at,
                out_refund_no=gateway.out_refund_no,
                gateway_refund_no=gateway.gateway_refund_no,
                gateway_status=gateway.status,
            )
        )
    return result


def order_out(order: Order) -> OrderOut:
    lines = list(order.lines.all())
    refunds = list(order.refunds.all())
    pending = selectors.pending_refund_by_line(refunds)
    return OrderOut(
        **_row_fields(order, len(lines)),
        district=order.district,
        address_detail=order.address_detail,
        note=order.note,
        cancel_reason=order.cancel_reason,
        invoice=InvoiceOut(
            kind=order.invoice_kind,
            kind_label=str(InvoiceKind(order.invoice_kind).label) if order.invoice_kind in InvoiceKind.values else "",
            title=order.invoice_title,
            tax_number=order.invoice_tax_number,
        ),
        explanation=[str(item) for item in order.explanation],
        lines=[_line_out(line, pending.get(line.pk, 0)) for line in lines],
        events=[
            EventOut(
                kind=event.kind,
                from_status=event.from_status,
                to_status=event.to_status,
                actor=event.actor_label,
                note=event.note,
                data=event.data or {},
                at=event.created_at,
            )
            for event in order.events.all()
        ],
        payments=[
            PaymentOut(
                out_trade_no=payment.out_trade_no,
                gateway=payment.gateway,
                amount=money_out(payment.amount_fen),
                status=payment.status,
                trade_no=payment.trade_no,
                created_at=payment.created_at,
                paid_at=payment.paid_at,
            )
            for payment in payments.payments_for(order.reference)
        ],
        refunds=_refunds_out(order, refunds),
        reservations=[
            ReservationOut(
                sku_id=held.sku_id,
                warehouse_code=held.warehouse_code,
                warehouse_name=held.warehouse_name,
                quantity=held.quantity,
            )
            for held in inventory.reservations_for(order.reference)
        ],
    )


def _order(number: str) -> Order:
    order = selectors.order_for_staff(number=number)
    if order is None:
        raise NotFound("No such order", details={"number": number})
    return order


# --- endpoints ---------------------------------------------------------------------------------


@router.get("", response=OrderPageOut, summary="Orders, newest first, with the console's filters")
@requires(VIEW_ORDERS, api=True)
def order_list(
    request: HttpRequest,
    filters: Query[OrderFiltersIn],
    page: Query[PageIn],
) -> OrderPageOut:
    """Paginated with `limit` (1–500, default 50) and `offset`: `{"items": [...], "count": N}`."""
    queryset = selectors.order_list_staff(filters_from(filters))
    window = queryset[page.offset : page.offset + page.limit]
    return OrderPageOut(
        items=[OrderRowOut(**_row_fields(order, order.line_count)) for order in window],  # type: ignore[attr-defined]  # line_count: annotated by order_list_staff
        count=queryset.count(),
    )


@router.get("/export", summary="The filtered orders as .csv or .xlsx, one row per order line", url_name="orders_export")
@requires(EXPORT_ORDERS, api=True)
def order_export(request: HttpRequest, filters: Query[OrderFiltersIn], format: str = "csv") -> HttpResponseBase:
    if format not in FORMATS:
        raise ValidationFailed("format must be csv or xlsx", details={"format": format, "allowed": list(FORMATS)})
    return orders_export_response(filters=filters_from(filters), fmt=format, actor=_actor(request))


@router.get("/{number}", response=OrderOut, summary="One order: lines, timeline, payments, refunds")
@requires(VIEW_ORDERS, api=True)
def order_get(request: HttpRequest, number: str) -> OrderOut:
    return order_out(_order(number))


@router.post("/{number}/cancel", response=OrderOut, summary="Cancel an unpaid order (releases its stock)")
@requires(MANAGE_ORDERS, api=True)
def order_cancel(request: HttpRequest, number: str, payload: CancelIn) -> OrderOut:
    services.order_cancel(order=_order(number), actor=_actor(request), reason=payload.reason)
    return order_out(_order(number))


def _refund_amounts(payload: RefundIn) -> dict[int, Money | None]:
    """Each line's amount, parsed exactly; every bad one is named in details.lines."""
    amounts: dict[int, Money | None] = {}
    problems: dict[str, str] = {}
    for line in payload.lines:
        key = str(line.line_id)
        if line.line_id in amounts:
            problems[key] = "This line is listed twice."
            continue
        if line.amount is None or not line.amount.strip():
            amounts[line.line_id] = None
            continue
        try:
            amount = Money.from_yuan(line.amount)
        except MoneyError:
            problems[key] = f"“{line.amount}” is not an amount in yuan with at most two decimals."
            continue
        if amount.fen <= 0:
            problems[key] = "The amount must be more than 0."
            continue
        amounts[line.line_id] = amount
    if problems:
        raise ValidationFailed("Some lines cannot be refunded like that.", details={"lines": problems})
    return amounts


@router.post("/{number}/refunds", response={201: RefundOut}, summary="Refund chosen lines (idempotent per key)")
@requires(MANAGE_ORDERS, api=True)
def order_refund(request: HttpRequest, number: str, payload: RefundIn) -> Status[RefundOut]:
    """Each line goes back in full (`amount` null) or by the amount given, up to what is left of
    its paid share. The same `request_key` answers the same refund and never makes a second."""
    order = _order(number)
    amounts = _refund_amounts(payload)
    refund = services.order_refund(
        order=order, amounts=amounts, reason=payload.reason, request_key=payload.request_key, actor=_actor(request)
    )
    refunds = [item for item in _refunds_out(order, [refund]) if item.request_key == refund.request_key]
    return Status(201, refunds[0])
