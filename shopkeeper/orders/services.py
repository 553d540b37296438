"""Writes on orders: place, pay (from the gateway's event), allocate, cancel, refund per line.

Rows are locked in one order everywhere: a reference's payment rows before its order (the order
in which the gateway's notifications arrive and lock), and the order before its stock rows.
Every status change goes through the pure state machine and leaves an `OrderEvent` on the
timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import services as catalog
from shopkeeper.core import events
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.inventory import services as stock
from shopkeeper.orders.domain.deposits import DepositState, PresalePayment, deposit_refundable, payment_kind
from shopkeeper.orders.domain.numbers import order_number, order_reference
from shopkeeper.orders.domain.states import Action, IllegalTransition, Status, next_status
from shopkeeper.orders.enums import InvoiceKind, OrderKind, OrderStatus, RefundStatus
from shopkeeper.orders.errors import OrderStateError
from shopkeeper.orders.events import OrderCancelled, OrderPaid, OrderReleased
from shopkeeper.orders.models import Order, OrderEvent, OrderLine, OrderRefund
from shopkeeper.orders.selectors import pending_refund_by_line
from shopkeeper.payments import services as payments
from shopkeeper.payments.events import PaymentSucceeded, RefundFailed, RefundSucceeded
from shopkeeper.pricing.domain.pipeline import PricedCart

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShipTo:
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    detail: str
    region: str


@dataclass(frozen=True)
class LineFacts:
    """What the order keeps about a SKU as it was sold (the catalog may change later)."""

    sku_id: int
    product_id: int
    sku_code: str
    title: str
    spec_label: str
    image: str


@dataclass(frozen=True)
class Invoice:
    kind: str = InvoiceKind.NONE
    title: str = ""
    tax_number: str = ""


def payment_timeout() -> timedelta:
    return timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES)


def _actor_label(actor: ActorContext) -> str:
    return actor.user.get_username() if actor.user else "system"


def _event(
    order: Order, *, kind: str, actor: ActorContext, before: str = "", note: str = "", **data: Any
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        from_status=before,
        to_status=order.status if before else "",
        actor=actor.user,
        actor_label=_actor_label(actor)[:100],
        note=note[:300],
        data=data,
    )


def _move(order: Order, action: Action, *, actor: ActorContext, note: str = "", **data: Any) -> None:
    """Apply a state-machine action to a locked order and record it on the timeline."""
    before = order.status
    try:
        order.status = next_status(Status(before), action).value
    except IllegalTransition as refused:
        raise OrderStateError(
            _("This order is %(status)s and cannot be changed that way.") % {"status": OrderStatus(before).label},
            details={"status": before, "action": action.value},
        ) from refused
    _event(order, kind=action.value, actor=actor, before=before, note=note, **data)


def _locked(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def order_find_by_key(*, customer: User, idempotency_key: str) -> Order | None:
    return Order.objects.filter(customer=customer, idempotency_key=idempotency_key).first()


def order_place(
    *,
    customer: User,
    priced: PricedCart,
    facts: Mapping[str, LineFacts],
    ship_to: ShipTo,
    idempotency_key: str,
    actor: ActorContext,
    channel: str = "direct",
    note: str = "",
    invoice: Invoice | None = None,
    kind: str = OrderKind.NORMAL,
    pay_window: timedelta | None = None,
    hold: str = "",
    priority: bool = False,
    reserve_from: str = "",
) -> Order:
    """Create the order from a priced cart and reserve its stock, in the caller's transaction.

    `kind` names the flow that bought it (cart, flash sale, presale, group buy); `pay_window`
    replaces the usual payment timeout (a flash sale gives 10 minutes); `hold` keeps the paid
    order out of the warehouse queue until `order_release` (a group buy not yet formed);
    `reserve_from` takes the units from a pool already set aside under that stock reference (a
    flash-sale item's) instead of from available stock (`stock_reservation_transfer`).
    Raises inventory's OutOfStock / NotDeliverable (nothing is written) and Conflict when the
    same idempotency key was used for another order (the caller answers that order instead).
    """
    if not priced.lines:
        raise ValidationFailed(_("The cart is empty."))
    invoice = invoice or Invoice()
    now = timezone.now()
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's transaction
        order = Order(
            number=order_number(timezone.localdate(now)),
            customer=customer,
            channel=channel[:40] or "direct",
            recipient=ship_to.recipient,
            mobile=ship_to.mobile,
            province=ship_to.province,
            city=ship_to.city,
            district=ship_to.district,
            address_detail=ship_to.detail,
            region=ship_to.region,
            subtotal_fen=priced.subtotal.fen,
            discount_fen=priced.discount.fen,
            shipping_fen=priced.shipping.fen,
            total_fen=priced.total.fen,
            note=note[:200],
            invoice_kind=invoice.kind,
            invoice_title=invoice.title[:100],
            invoice_tax_number=invoice.tax_number[:20],
            idempotency_key=idempotency_key[:64],
            explanation=list(priced.explanation),
            placed_at=now,
            pay_deadline=now + (pay_window if pay_window is not None else payment_timeout()),
            kind=kind,
            fulfilment_hold=hold[:40],
            priority=priority,
        )
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    sku_id=facts[line.key].sku_id,
                    product_id=facts[line.key].product_id,
                    sku_code=facts[line.key].sku_code,
                    title=facts[line.key].title[:200],
                    spec_label=facts[line.key].spec_label[:200],
                    image=facts[line.key].image[:500],
                    unit_price_fen=line.unit_price.fen,
                    quantity=line.quantity,
                    subtotal_fen=line.subtotal.fen,
                    discount_fen=line.discount.fen,
                    total_fen=line.total.fen,
                    explanation=list(line.explanation),
                    position=position,
                )
                for position, line in enumerate(priced.lines)
            ]
        )
        wanted = [stock.ReserveLine(sku_id=facts[line.key].sku_id, quantity=line.quantity) for line in priced.lines]
        if reserve_from:
            allocated = stock.stock_reservation_transfer(
                from_reference=reserve_from,
                to_reference=order.reference,
                lines=wanted,
                province=ship_to.province,
                actor=actor,
            )
        else:
            allocated = stock.stock_reserve(
                reference=order.reference, lines=wanted, province=ship_to.province, actor=actor
            )
        _event(
            order,
            kind="placed",
            actor=actor,
            note=str(priced.total),
            warehouses=sorted({a.warehouse_name for a in allocated}),
        )
    return order


def order_cancel(*, order: Order, actor: ActorContext, reason: str) -> Order:
    """Cancel an unpaid order (customer, staff or the payment timeout) and release its stock."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the order is cancelled."), details={"reason": "required"})
    with transaction.atomic():
        if order.kind == OrderKind.PRESALE:  # its deposit may go back: payment rows first, as refunds lock
            payments.payments_lock(reference=order.reference)
        locked = _locked(order.pk)
        _move(locked, Action.CANCEL, actor=actor, note=reason)
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason[:200]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        released = stock.stock_release(reference=locked.reference, actor=actor, reason=reason)
        if locked.kind == OrderKind.PRESALE and locked.deposit_paid_at is not None:
            _presale_deposit_on_cancel(locked, actor=actor, reason=reason)
        events.publish(
            OrderCancelled(
                order_id=locked.pk,
                number=locked.number,
                reference=locked.reference,
                kind=locked.kind,
                customer_id=locked.customer_id,
            )
        )
        if actor.user is not None and actor.user.pk != locked.customer_id:
            audit_record(
                actor=actor,
                action="order.cancel",
                target=locked,
                before={"status": OrderStatus.PENDING_PAYMENT.value},
                after={"status": locked.status, "reason": reason, "units_released": released},
            )
    return locked


def orders_cancel_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel unpaid orders whose payment time ran out (the worker runs this every minute)."""
    now = now or timezone.now()
    overdue = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, pay_deadline__lte=now)
        .order_by("pay_deadline")
        .values_list("pk", flat=True)[:limit]
    )
    cancelled = 0
    actor = ActorContext.system()
    for order_id in overdue:
        try:
            with transaction.atomic():
                order = _locked(order_id)
                if order.status != OrderStatus.PENDING_PAYMENT or order.pay_deadline > now:
                    continue  # paid or cancelled meanwhile
                reason = _("Not paid in time")
                if order.kind == OrderKind.PRESALE and order.deposit_paid_at is not None:
                    reason = _("Balance not paid by the end of the balance window")
                order_cancel(order=order, actor=actor, reason=reason)
                cancelled += 1
        except OrderStateError:
            continue
    return cancelled


def order_hold(*, order_id: int, reason: str, actor: ActorContext) -> Order:
    """Keep an order out of the warehouse queue (a group not formed, a balance not paid)."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the order is held."), details={"reason": "required"})
    with transaction.atomic():
        order = _locked(order_id)
        order.fulfilment_hold = reason[:40]
        order.save(update_fields=["fulfilment_hold"])
        _event(order, kind="hold", actor=actor, note=reason)
    return order


def order_release(*, order_id: int, actor: ActorContext) -> Order:
    """Let a held order be shipped; fulfilment opens its shipments if it is paid. Idempotent."""
    with transaction.atomic():
        order = _locked(order_id)
        if not order.fulfilment_hold:
            return order
        order.fulfilment_hold = ""
        order.save(update_fields=["fulfilment_hold"])
        _event(order, kind="release", actor=actor)
        if order.status in (OrderStatus.PAID, OrderStatus.ALLOCATED):
            events.publish(OrderReleased(order_id=order.pk, number=order.number))
    return order


def order_pay_start(*, order: Order, return_url: str) -> str:
    """Where to send the customer to pay this order (the same payment when asked twice)."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderStateError(_("This order is not waiting for payment."), details={"status": order.status})
    if order.pay_deadline <= timezone.now():
        raise OrderStateError(_("The time to pay this order has run out."), details={"status": order.status})
    amount, subject = order.total, _("Order %(number)s") % {"number": order.number}
    if order.kind == OrderKind.PRESALE and order.deposit_fen:
        amount, subject = _presale_amount_due(order)
    started = payments.payment_start(
        reference=order.reference,
        amount=amount,
        subject=subject,
        customer_id=order.customer_id,
        return_url=return_url,
    )
    return started.pay_url


# --- reactions to the payment gateway ------------------------------------------------------


def _number_of(reference: str) -> str | None:
    prefix = order_reference("")
    return reference[len(prefix) :] if reference.startswith(prefix) else None


def on_payment_succeeded(event: PaymentSucceeded) -> None:
    """The gateway confirmed a payment: the order turns paid, then allocated to its warehouses.

    Runs inside the payment's transaction. A payment for an order already cancelled (paid after
    the timeout) is sent straight back in full.
    """
    number = _number_of(event.reference)
    if number is None:
        return
    order_id = Order.objects.filter(number=number).values_list("pk", flat=True).first()
    if order_id is None:
        logger.error("payment %s for unknown order %s", event.payment_id, number)
        return
    actor = ActorContext.system()
    order = _locked(order_id)
    presale = order.kind == OrderKind.PRESALE and order.deposit_fen > 0
    if presale and order.status == OrderStatus.PENDING_PAYMENT and _presale_payment_apply(order, event, actor=actor):
        return  # presale orders only: the deposit or the balance (see the presale section below)
    if not presale and order.status == OrderStatus.PENDING_PAYMENT and event.amount_fen == order.total_fen:
        _pay_and_allocate(order, event, actor=actor, paid_fen=event.amount_fen)
        return
    if order.status in (OrderStatus.CANCELLED, OrderStatus.PENDING_PAYMENT):
        # Paid after the order was given up (or for a wrong amount): the money goes back.
        order.paid_fen = F("paid_fen") + event.amount_fen
        order.save(update_fields=["paid_fen"])
        order.refresh_from_db(fields=["paid_fen"])
        _event(order, kind="late_payment", actor=actor, note=str(Money(event.amount_fen)), trade_no=event.trade_no)
        _refund_create(
            order=order,
            request_key=f"{order.reference}:returned-payment:{event.payment_id}",
            lines=[],
            amount=Money(event.amount_fen),
            reason=_("The order was cancelled before the payment arrived"),
            actor=actor,
        )
        return
    logger.info("payment %s for order %s in status %s: nothing to do", event.payment_id, number, order.status)


def _pay_and_allocate(order: Order, event: PaymentSucceeded, *, actor: ActorContext, paid_fen: int) -> None:
    """The locked order's money is all in: paid, allocated to its reserved warehouses, announced."""
    _move(order, Action.PAY, actor=actor, note=f"{event.gateway} {event.trade_no}", trade_no=event.trade_no)
    order.paid_fen = paid_fen
    order.paid_at = event.paid_at
    allocated = stock.reservations_for(order.reference)
    _move(
        order,
        Action.ALLOCATE,
        actor=actor,
        note=", ".join(sorted({a.warehouse_name for a in allocated})),
        allocation=[{"sku_id": a.sku_id, "warehouse": a.warehouse_code, "quantity": a.quantity} for a in allocated],
    )
    order.save(update_fields=["status", "paid_fen", "paid_at", "fulfilment_hold"])
    sold: dict[int, int] = {}
    for line in order.lines.all():
        sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
    catalog.products_sales_add(sold)  # "N sold" counts paid units
    events.publish(
        OrderPaid(
            order_id=order.pk,
            number=order.number,
            reference=order.reference,
            kind=order.kind,
            paid_at=event.paid_at,
            priority=order.priority,
            held=bool(order.fulfilment_hold),
        )
    )


# --- presale orders (定金膨胀): two payments on one order -----------------------------------------
# Both payments use the order's own reference, so the payments app sees all the order's money
# in one place and refunds (never more than was paid) stay exact. The deposit leaves the order
# waiting for payment, with paid_fen = deposit and pay_deadline = the balance window's end (so
# the 30-minute timeout does not cancel it); the balance pays it like any other order.


def order_presale_setup(
    *,
    order_id: int,
    deposit: Money,
    deposit_value: Money,
    balance_from: datetime,
    balance_until: datetime,
    explanation: Sequence[str],
) -> Order:
    """Turn an order just placed by `checkout_buy_now` (kind presale, at the final price) into a
    deposit presale order: the expansion (value − deposit, per unit) becomes its discount, so
    total = deposit + balance. In the caller's transaction; a second call changes nothing."""
    if deposit.fen <= 0 or deposit_value < deposit or balance_until <= balance_from:
        raise ValidationFailed(_("These presale terms are not valid."), details={"deposit": deposit.fen})
    with transaction.atomic(savepoint=False):
        order = _locked(order_id)
        if order.deposit_fen:
            return order  # the same order asked for again (idempotency key)
        line = order.lines.select_for_update().get()  # a presale order is one SKU
        per_unit = deposit_value - deposit
        expansion = per_unit * line.quantity
        if expansion.fen > line.total_fen:
            raise ValidationFailed(
                _("These presale terms are not valid."), details={"deposit_value": deposit_value.fen}
            )
        line.discount_fen += expansion.fen
        line.total_fen -= expansion.fen
        line.explanation = [*line.explanation, *explanation]
        line.save(update_fields=["discount_fen", "total_fen", "explanation"])
        order.discount_fen += expansion.fen
        order.total_fen -= expansion.fen
        order.deposit_fen = (deposit * line.quantity).fen
        order.deposit_value_fen = (deposit_value * line.quantity).fen
        order.balance_due_from = balance_from
        order.balance_due_until = balance_until
        order.explanation = [*order.explanation, *explanation]
        order.events.filter(kind="placed").update(note=str(order.total))  # the total after the expansion
        order.save(
            update_fields=[
                "discount_fen",
                "total_fen",
                "deposit_fen",
                "deposit_value_fen",
                "balance_due_from",
                "balance_due_until",
                "explanation",
            ]
        )
    return order


def _presale_amount_due(order: Order) -> tuple[Money, str]:
    """What the customer pays next on a presale order: the deposit, or the balance in its window."""
    if order.deposit_paid_at is None:
        return Money(order.deposit_fen), _("Deposit for order %(number)s") % {"number": order.number}
    assert order.balance_due_from is not None  # set with the deposit
    if timezone.now() < order.balance_due_from:
        raise OrderStateError(
            _("The balance can be paid from %(when)s.")
            % {"when": timezone.localtime(order.balance_due_from).strftime("%Y-%m-%d %H:%M")},
            details={"status": order.status, "balance_due_from": order.balance_due_from.isoformat()},
        )
    return Money(order.total_fen - order.paid_fen), _("Balance for order %(number)s") % {"number": order.number}


def _presale_payment_apply(order: Order, event: PaymentSucceeded, *, actor: ActorContext) -> bool:
    """Book the deposit or the balance of a locked, unpaid presale order; False: neither (the
    caller sends the money back)."""
    assert order.balance_due_from is not None
    assert order.balance_due_until is not None
    state = DepositState(
        total_fen=order.total_fen,
        deposit_fen=order.deposit_fen,
        paid_fen=order.paid_fen,
        deposit_paid=order.deposit_paid_at is not None,
        balance_from=order.balance_due_from,
        balance_until=order.balance_due_until,
    )
    kind = payment_kind(state, amount_fen=event.amount_fen, at=max(event.paid_at, timezone.now()))
    if kind is PresalePayment.DEPOSIT:
        order.paid_fen = event.amount_fen
        order.deposit_paid_at = event.paid_at
        order.pay_deadline = order.balance_due_until  # the balance window, not the 30-minute timeout
        order.save(update_fields=["paid_fen", "deposit_paid_at", "pay_deadline"])
        _event(
            order,
            kind="deposit_paid",
            actor=actor,
            note=f"{Money(event.amount_fen)} {event.gateway} {event.trade_no}",
            trade_no=event.trade_no,
        )
        return True
    if kind is PresalePayment.BALANCE:
        if order.fulfilment_hold:  # "balance unpaid": shipped as soon as it is paid
            order.fulfilment_hold = ""
            _event(order, kind="release", actor=actor)
        _pay_and_allocate(order, event, actor=actor, paid_fen=order.paid_fen + event.amount_fen)
        return True
    return False


def _presale_deposit_on_cancel(order: Order, *, actor: ActorContext, reason: str) -> None:
    """A presale order with its deposit paid was just cancelled (locked, in the cancel's
    transaction): the deposit goes back, or is kept once the balance window has closed."""
    assert order.balance_due_until is not None
    by_shop = actor.user is not None and actor.user.pk != order.customer_id
    kept = order.deposit_fen  # only the deposit is held: any other payment went back on arrival
    now = timezone.now()
    if deposit_refundable(by_shop=by_shop, now=now, balance_until=order.balance_due_until):
        _presale_deposit_refund(order, actor=actor, reason=reason, amount_fen=kept)
        return
    order.deposit_forfeited_at = now
    order.save(update_fields=["deposit_forfeited_at"])
    _event(order, kind="deposit_forfeited", actor=actor, note=str(Money(kept)))


def _presale_deposit_refund(order: Order, *, actor: ActorContext, reason: str, amount_fen: int) -> None:
    line = order.lines.get()
    _refund_create(
        order=order,
        request_key=f"{order.reference}:deposit-refund",
        lines=[{"line_id": line.pk, "amount_fen": amount_fen}],
        amount=Money(amount_fen),
        reason=reason,
        actor=actor,
    )


def order_presale_deposit_refund(*, order: Order, reason: str, actor: ActorContext) -> Order:
    """The shop gives back a deposit it kept (the balance window closed unpaid): its own call."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the money goes back."), details={"reason": "required"})
    with transaction.atomic():
        payments.payments_lock(reference=order.reference)
        locked = _locked(order.pk)
        if locked.deposit_forfeited_at is None:
            raise OrderStateError(
                _("Only a kept presale deposit can be given back this way."), details={"status": locked.status}
            )
        amount = locked.deposit_fen
        locked.deposit_forfeited_at = None
        locked.save(update_fields=["deposit_forfeited_at"])
        _presale_deposit_refund(locked, actor=actor, reason=reason, amount_fen=amount)
        audit_record(
            actor=actor,
            action="order.presale_deposit_refund",
            target=locked,
            after={"amount_fen": amount, "reason": reason},
        )
    return locked


# --- refunds ---------------------------------------------------------------------------------


def line_refundable(line: OrderLine, pending_fen: int = 0) -> Money:
    """What can still go back for a line: its paid share less refunds made or under way."""
    return Money(max(line.total_fen - line.refunded_fen - pending_fen, 0))


def _refund_create(
    *,
    order: Order,
    request_key: str,
    lines: list[dict[str, int]],
    amount: Money,
    reason: str,
    actor: ActorContext,
) -> OrderRefund:
    refund = OrderRefund.objects.create(
        order=order, request_key=request_key, amount_fen=amount.fen, lines=lines, reason=reason[:200], actor=actor.user
    )
    payments.refund_start(reference=order.reference, request_key=request_key, amount=amount, reason=reason, actor=actor)
    _event(order, kind="refund_requested", actor=actor, note=f"{amount} {reason}"[:300], request_key=request_key)
    return refund


def order_refund(
    *,
    order: Order,
    amounts: Mapping[int, Money | None],
    reason: str,
    request_key: str,
    actor: ActorContext,
) -> OrderRefund:
    """Refund some lines of a paid order: each up to what is left of its paid share.

    `amounts` maps line ids to an amount, or None for everything left on that line. The same
    `request_key` (a double click, a retried request) answers the same refund, never a second.
    Shipping is refunded with the last goods of the order.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the money goes back."), details={"reason": "required"})
    if not amounts:
        raise ValidationFailed(_("Choose the lines to refund."), details={"lines": "required"})
    key = f"{order.reference}:refund:{request_key}"[:100]
    with transaction.atomic():
        payments.payments_lock(reference=order.reference)  # payment first, then the order: as notifications do
        locked = _locked(order.pk)
        existing = OrderRefund.objects.filter(request_key=key).first()
        if existing is not None:
            return existing
        if locked.paid_fen == 0 or locked.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED):
            raise OrderStateError(_("Only a paid order can be refunded."), details={"status": locked.status})
        lines = {line.pk: line for line in locked.lines.all()}
        pending = pending_refund_by_line(locked.refunds.all())
        parts: list[dict[str, int]] = []
        problems: dict[str, str] = {}
        for line_id in sorted(amounts):
            line = lines.get(line_id)
            if line is None:
                problems[str(line_id)] = _("Not a line of this order.")
                continue
            left = line_refundable(line, pending.get(line_id, 0))
            wanted = amounts[line_id]
            amount = left if wanted is None else wanted
            if amount.fen <= 0 or amount > left:
                problems[str(line_id)] = _("At most %(left)s can go back for this line.") % {"left": left}
                continue
            parts.append({"line_id": line_id, "amount_fen": amount.fen})
        if problems:
            raise ValidationFailed(_("Some lines cannot be refunded like that."), details={"lines": problems})
        goods = sum(part["amount_fen"] for part in parts)
        shipping = 0
        remaining_after = sum(line_refundable(line, pending.get(pk, 0)).fen for pk, line in lines.items()) - goods
        if remaining_after == 0 and locked.shipping_fen and not _shipping_refunded(locked):
            shipping = locked.shipping_fen
            parts.append({"line_id": 0, "amount_fen": shipping})
        refund = _refund_create(
            order=locked,
            request_key=key,
            lines=parts,
            amount=Money(goods + shipping),
            reason=reason,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="order.refund",
            target=locked,
            after={"request_key": key, "amount_fen": goods + shipping, "lines": parts, "reason": reason},
        )
    return refund


def _shipping_refunded(order: Order) -> bool:
    return any(
        part["line_id"] == 0 for refund in order.refunds.exclude(status=RefundStatus.FAILED) for part in refund.lines
    )


def on_refund_succeeded(event: RefundSucceeded) -> None:
    """The gateway sent the money back: book it on the lines; a fully refunded order closes."""
    refund = OrderRefund.objects.filter(request_key=event.request_key).values_list("pk", "order_id").first()
    if refund is None:
        return
    refund_id, order_id = refund
    order = _locked(order_id)
    booked = OrderRefund.objects.select_for_update().get(pk=refund_id)
    if booked.status == RefundStatus.SUCCEEDED:
        return
    booked.status = RefundStatus.SUCCEEDED
    booked.succeeded_at = timezone.now()
    booked.save(update_fields=["status", "succeeded_at"])
    for part in booked.lines:
        if part["line_id"]:
            OrderLine.objects.filter(pk=part["line_id"], order=order).update(
                refunded_fen=F("refunded_fen") + part["amount_fen"]
            )
    order.refunded_fen += booked.amount_fen
    actor = ActorContext.system()
    _event(order, kind="refunded", actor=actor, note=str(Money(booked.amount_fen)), request_key=booked.request_key)
    fully = order.refunded_fen >= order.paid_fen and order.paid_fen > 0
    if fully and order.status not in (OrderStatus.CANCELLED, OrderStatus.CLOSED):
        unshipped = order.status in (OrderStatus.PAID, OrderStatus.ALLOCATED)
        _move(order, Action.CLOSE, actor=actor, note=_("Fully refunded"))
        if unshipped:  # the reserved units go back on sale; shipped goods come back through after-sales
            stock.stock_release(reference=order.reference, actor=actor, reason=_("Order refunded in full"))
    order.save(update_fields=["status", "refunded_fen"])


def on_refund_failed(event: RefundFailed) -> None:
    """The gateway refused a refund: its amount can be asked for again."""
    found = OrderRefund.objects.filter(request_key=event.request_key).values_list("pk", "order_id").first()
    if found is None:
        return
    refund_id, order_id = found
    order = _locked(order_id)
    booked = OrderRefund.objects.select_for_update().get(pk=refund_id)
    if booked.status != RefundStatus.PENDING:
        return
    booked.status = RefundStatus.FAILED
    booked.save(update_fields=["status"])
    _event(
        order,
        kind="refund_failed",
        actor=ActorContext.system(),
        note=event.reason[:300],
        request_key=booked.request_key,
    )


# --- history loads (demo data, migrations from another system) ------------------------------


@dataclass(frozen=True)
class HistoricOrder:
    """An order that already happened elsewhere (or in the demo): written as it was, in bulk."""

    customer_id: int
    priced: PricedCart
    facts: Mapping[str, LineFacts]
    ship_to: ShipTo
    placed_at: datetime
    status: str
    channel: str = "direct"
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    closed_at: datetime | None = None
    trade_no: str = ""


@dataclass(frozen=True)
class LoadedLine:
    line_id: int
    product_id: int
    sku_id: int
    quantity: int
    total_fen: int


@dataclass(frozen=True)
class LoadedOrder:
    order_id: int
    number: str
    reference: str
    customer_id: int
    status: str
    total_fen: int
    paid_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None
    lines: tuple[LoadedLine, ...]


def _history_events(order: Order, row: HistoricOrder) -> list[OrderEvent]:
    steps: list[tuple[str, str, str, datetime | None]] = [("placed", "", "", row.placed_at)]
    if row.status == OrderStatus.CANCELLED:
        steps.append(("cancel", OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, row.cancelled_at))
    chain = [
        (Action.PAY, row.paid_at),
        (Action.ALLOCATE, row.paid_at),
        (Action.SHIP, row.shipped_at),
        (Action.DELIVER, row.delivered_at),
        (Action.COMPLETE, row.completed_at),
    ]
    status = Status.PENDING_PAYMENT
    for action, when in chain:
        if when is None:
            break
        after = next_status(status, action)
        steps.append((action.value, status.value, after.value, when))
        status = after
    if row.closed_at is not None:
        steps.append((Action.CLOSE.value, status.value, OrderStatus.CLOSED, row.closed_at))
    return [
        OrderEvent(
            order=order,
            kind=kind,
            from_status=before,
            to_status=after,
            actor_label="system",
            note=str(order.total) if kind == "placed" else "",
            created_at=when or row.placed_at,
        )
        for kind, before, after, when in steps
    ]


def orders_bulk_load(rows: Sequence[HistoricOrder], *, batch_size: int = 1000) -> list[LoadedOrder]:
    """Write past orders with their lines and timelines in bulk (no stock or payment side effects:
    the caller records those). Every order's lines sum exactly to its goods total."""
    loaded: list[LoadedOrder] = []
    used: set[str] = set()  # numbers given in this call (and, per batch, those already stored)

    def fresh_number(day: date) -> str:
        number = order_number(day)
        while number in used:
            number = order_number(day)
        used.add(number)
        return number

    with transaction.atomic():
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            orders = [
                Order(
                    number=fresh_number(timezone.localdate(row.placed_at)),
                    customer_id=row.customer_id,
                    status=row.status,
                    channel=row.channel[:40] or "direct",
                    recipient=row.ship_to.recipient,
                    mobile=row.ship_to.mobile,
                    province=row.ship_to.province,
                    city=row.ship_to.city,
                    district=row.ship_to.district,
                    address_detail=row.ship_to.detail,
                    region=row.ship_to.region,
                    subtotal_fen=row.priced.subtotal.fen,
                    discount_fen=row.priced.discount.fen,
                    shipping_fen=row.priced.shipping.fen,
                    total_fen=row.priced.total.fen,
                    paid_fen=row.priced.total.fen if row.paid_at else 0,
                    refunded_fen=row.priced.total.fen if row.closed_at else 0,
                    explanation=list(row.priced.explanation),
                    placed_at=row.placed_at,
                    pay_deadline=row.placed_at + payment_timeout(),
                    paid_at=row.paid_at,
                    cancelled_at=row.cancelled_at,
                    cancel_reason=_("Not paid in time") if row.cancelled_at else "",
                )
                for index, row in enumerate(batch)
            ]
            # Numbers are random per day: one may already belong to an order of an earlier load.
            clashing = orders
            while clashing:
                drawn = [order.number for order in clashing]
                taken = set(Order.objects.filter(number__in=drawn).values_list("number", flat=True))
                clashing = [order for order in clashing if order.number in taken]
                for order in clashing:
                    order.number = fresh_number(timezone.localdate(order.placed_at))
            for order in orders:
                order.idempotency_key = f"history:{order.number}"  # unique per customer, as the number is
            Order.objects.bulk_create(orders)
            if any(order.pk is None for order in orders):  # backends that do not return ids
                numbers = {order.number: order for order in orders}
                for pk, number in Order.objects.filter(number__in=numbers).values_list("pk", "number"):
                    numbers[number].pk = pk
            lines = [
                OrderLine(
                    order=order,
                    sku_id=row.facts[line.key].sku_id,
                    product_id=row.facts[line.key].product_id,
                    sku_code=row.facts[line.key].sku_code,
                    title=row.facts[line.key].title[:200],
                    spec_label=row.facts[line.key].spec_label[:200],
                    image=row.facts[line.key].image[:500],
                    unit_price_fen=line.unit_price.fen,
                    quantity=line.quantity,
                    subtotal_fen=line.subtotal.fen,
                    discount_fen=line.discount.fen,
                    total_fen=line.total.fen,
                    refunded_fen=line.total.fen if row.closed_at else 0,
                    explanation=list(line.explanation),
                    position=position,
                )
                for order, row in zip(orders, batch, strict=True)
                for position, line in enumerate(row.priced.lines)
            ]
            OrderLine.objects.bulk_create(lines, batch_size=batch_size)
            OrderEvent.objects.bulk_create(
                [event for order, row in zip(orders, batch, strict=True) for event in _history_events(order, row)],
                batch_size=batch_size,
            )
            by_order: dict[int, list[LoadedLine]] = {}
            for line in lines:
                by_order.setdefault(line.order.pk, []).append(
                    LoadedLine(
                        line_id=line.pk,
                        product_id=line.product_id,
                        sku_id=line.sku_id or 0,
                        quantity=line.quantity,
                        total_fen=line.total_fen,
                    )
                )
            loaded += [
                LoadedOrder(
                    order_id=order.pk,
                    number=order.number,
                    reference=order.reference,
                    customer_id=row.customer_id,
                    status=row.status,
                    total_fen=order.total_fen,
                    paid_at=row.paid_at,
                    delivered_at=row.delivered_at,
                    closed_at=row.closed_at,
                    lines=tuple(by_order.get(order.pk, [])),
                )
                for order, row in zip(orders, batch, strict=True)
            ]
    return loaded


def order_refunds_bulk_record(orders: Sequence[LoadedOrder]) -> None:
    """Book the full refunds of closed historic orders (the payment side records its own)."""
    OrderRefund.objects.bulk_create(
        [
            OrderRefund(
                order_id=order.order_id,
                request_key=f"{order.reference}:refund:history",
                amount_fen=order.total_fen,
                lines=[{"line_id": line.line_id, "amount_fen": line.total_fen} for line in order.lines],
                reason=_("Returned"),
                status=RefundStatus.SUCCEEDED,
                created_at=order.closed_at,
                succeeded_at=order.closed_at,
            )
            for order in orders
            if order.closed_at is not None and order.total_fen > 0
        ],
        batch_size=1000,
    )


__all__ = [
    "HistoricOrder",
    "Invoice",
    "LineFacts",
    "LoadedLine",
    "LoadedOrder",
    "Order",
    "ShipTo",
    "line_refundable",
    "on_payment_succeeded",
    "on_refund_failed",
    "on_refund_succeeded",
    "order_cancel",
    "order_find_by_key",
    "order_pay_start",
    "order_place",
    "order_presale_deposit_refund",
    "order_presale_setup",
    "order_refund",
    "order_refunds_bulk_record",
    "orders_bulk_load",
    "orders_cancel_overdue",
]


# --- fulfilment moves ---
# Called by fulfilment (shipments are its rows): the order is locked before the shipments and
# the stock they ship, as everywhere (payment rows → order → stock rows).


def order_fulfilment_lock(*, order_id: int) -> Order:
    """Lock the order row first, before fulfilment locks its shipments and stock."""
    return _locked(order_id)


def order_dispatch_deadline_set(*, order_id: int, deadline: datetime) -> Order:
    """When the order must leave the warehouse (set by fulfilment as it opens the shipments)."""
    with transaction.atomic():
        order = _locked(order_id)
        if order.dispatch_deadline != deadline:
            order.dispatch_deadline = deadline
            order.save(update_fields=["dispatch_deadline"])
    return order


def order_ship(*, order_id: int, actor: ActorContext, note: str = "") -> Order:
    """allocated → shipped: the order's last shipment left the warehouse. Idempotent."""
    with transaction.atomic():
        order = _locked(order_id)
        if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            return order
        _move(order, Action.SHIP, actor=actor, note=note)
        order.save(update_fields=["status"])
    return order


def order_deliver(*, order_id: int, actor: ActorContext, note: str = "") -> Order:
    """shipped → delivered: every shipment of the order reached the customer. Idempotent."""
    with transaction.atomic():
        order = _locked(order_id)
        if order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            return order
        _move(order, Action.DELIVER, actor=actor, note=note)
        order.save(update_fields=["status"])
    return order
