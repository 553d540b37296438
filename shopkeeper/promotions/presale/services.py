"""Presale writes: set up, change, pause a presale; take a deposit (the order is placed and its
stock reserved then); start the deposit or balance payment; send the balance reminders.

Locks: the presale row (per-customer limit) before the order and its stock rows, which
checkout then locks in their usual order. The payments themselves are booked by orders when
the gateway confirms them (see orders.services, the presale section).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkeeper.catalog import selectors as catalog
from shopkeeper.checkout import services as checkout
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, NotFound, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.promotions.presale.domain.terms import (
    Phase,
    Problem,
    ProblemCode,
    Terms,
    floor_price,
    over_problems,
    phase_at,
    reminders_due,
    split,
    terms_problems,
)
from shopkeeper.promotions.presale.enums import PresaleReminderKind, PresaleStatus
from shopkeeper.promotions.presale.errors import PresaleClosed, PresaleLimitReached
from shopkeeper.promotions.presale.models import Presale, PresaleOrder, PresaleReminder
from shopkeeper.promotions.presale.notifier import Notice, Notifier, notifier_get
from shopkeeper.promotions.selectors import store_default_floor

logger = logging.getLogger(__name__)

HOLD_REASON = "balance unpaid"
PROBLEM_MESSAGES = {
    ProblemCode.DEPOSIT_NOT_POSITIVE: gettext_lazy("The deposit must be above zero."),
    ProblemCode.DEPOSIT_NOT_BELOW_PRICE: gettext_lazy("The deposit must be less than the presale price."),
    ProblemCode.VALUE_BELOW_DEPOSIT: gettext_lazy("The deposit's value cannot be less than the deposit."),
    ProblemCode.VALUE_ABOVE_PRICE: gettext_lazy("The deposit's value cannot be more than the presale price."),
    ProblemCode.PRESALE_WINDOW_REVERSED: gettext_lazy("The deposit window must end after it starts."),
    ProblemCode.BALANCE_WINDOW_REVERSED: gettext_lazy("The balance window must end after it starts."),
    ProblemCode.WINDOWS_OVERLAP: gettext_lazy("The balance window must start after the deposit window ends."),
    ProblemCode.LIMIT_NOT_POSITIVE: gettext_lazy("Allow at least 1 unit per customer."),
    ProblemCode.BELOW_FLOOR: gettext_lazy(
        "A unit would cost the customer %(price)s, below the margin floor of %(floor)s (cost %(cost)s)."
    ),
    ProblemCode.DEPOSIT_WINDOW_OVER: gettext_lazy("The deposit window is already over: it ended %(deposit_ends)s."),
    ProblemCode.BALANCE_WINDOW_OVER: gettext_lazy("The balance window is already over: it ended %(balance_ends)s."),
}
MONEY_FIELDS = ("sku_id", "final_price_fen", "deposit_fen", "deposit_value_fen")


@dataclass(frozen=True)
class PresaleInput:
    """What the campaign operator fills in (amounts in fen)."""

    name: str
    sku_id: int
    final_price_fen: int
    deposit_fen: int
    deposit_value_fen: int
    presale_starts_at: datetime
    presale_ends_at: datetime
    balance_starts_at: datetime
    balance_ends_at: datetime
    limit_per_customer: int = 1
    min_margin_percent: int | None = None
    min_price_fen: int | None = None


def _snapshot(presale: Presale) -> dict[str, Any]:
    return {
        "name": presale.name,
        "sku_id": presale.sku_id,
        "final_price_fen": presale.final_price_fen,
        "deposit_fen": presale.deposit_fen,
        "deposit_value_fen": presale.deposit_value_fen,
        "presale_starts_at": presale.presale_starts_at,
        "presale_ends_at": presale.presale_ends_at,
        "balance_starts_at": presale.balance_starts_at,
        "balance_ends_at": presale.balance_ends_at,
        "limit_per_customer": presale.limit_per_customer,
        "min_margin_percent": presale.min_margin_percent,
        "min_price_fen": presale.min_price_fen,
        "status": presale.status,
    }


# Where the domain's problems belong among the fields the operator sends (PresaleInput, the API).
FIELD_OF_PROBLEM = {
    "deposit": "deposit_fen",
    "deposit_value": "deposit_value_fen",
    "presale_ends": "presale_ends_at",
    "balance_starts": "balance_starts_at",
    "balance_ends": "balance_ends_at",
}


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _moved(problem: Problem, data: PresaleInput, stored: Presale | None) -> bool:
    """A window already over counts only when this save sets it: a new presale, or a moved window
    (a presale whose deposits are in keeps its past deposit window and may still be renamed)."""
    if stored is None:
        return True
    if problem.code is ProblemCode.DEPOSIT_WINDOW_OVER:
        return stored.presale_ends_at != data.presale_ends_at
    return stored.balance_ends_at != data.balance_ends_at


def _check(data: PresaleInput, stored: Presale | None = None, now: datetime | None = None) -> None:
    """Refuse bad terms with every problem named by the field sent (ValidationFailed; nothing is
    written): amounts, windows out of order, overlapping or already over, a SKU off sale, a unit
    price under the margin floor (the presale's own, or the store default when it names none)."""
    fields: dict[str, str] = {}
    if not data.name.strip():
        fields["name"] = str(_("Give the presale a name."))
    sku = catalog.promo_skus([data.sku_id]).get(data.sku_id)
    if sku is None:
        fields["sku_id"] = str(_("No such SKU."))
    elif not sku.on_sale and (stored is None or stored.sku_id != data.sku_id):
        fields["sku_id"] = str(_("%(sku)s is not on sale: list it first.") % {"sku": sku.sku_code})
    if data.final_price_fen <= 0:
        fields["final_price_fen"] = str(_("The presale price must be above zero."))
    if data.min_margin_percent is not None and not 0 <= data.min_margin_percent <= 1000:
        fields["min_margin_percent"] = str(_("The minimum margin must be between 0 and 1000%."))
    if data.min_price_fen is not None and data.min_price_fen < 0:
        fields["min_price_fen"] = str(_("The minimum price cannot be negative."))
    if fields:
        raise ValidationFailed(_("The presale cannot be saved like that."), details={"fields": fields})
    assert sku is not None
    terms = Terms(
        final_price=Money(data.final_price_fen),
        deposit=Money(data.deposit_fen),
        deposit_value=Money(data.deposit_value_fen),
        presale_starts=data.presale_starts_at,
        presale_ends=data.presale_ends_at,
        balance_starts=data.balance_starts_at,
        balance_ends=data.balance_ends_at,
        limit_per_customer=data.limit_per_customer,
    )
    cost = Money(sku.cost_price_fen)
    named = data.min_margin_percent is not None or data.min_price_fen is not None
    floor = floor_price(
        cost=cost,
        min_margin_percent=data.min_margin_percent if named else store_default_floor().min_margin_percent,
        min_price=Money(data.min_price_fen) if data.min_price_fen is not None else None,
    )
    problems = terms_problems(terms, floor=floor)
    reversed_windows = {p.field for p in problems}
    problems += [
        p
        for p in over_problems(terms, now or timezone.now())
        if p.field not in reversed_windows and _moved(p, data, stored)
    ]
    if problems:
        figures = {
            "price": str(terms.final_price - (terms.deposit_value - terms.deposit)),
            "floor": str(floor),
            "cost": str(cost),
            "deposit_ends": _when(data.presale_ends_at),
            "balance_ends": _when(data.balance_ends_at),
        }
        fields = {}
        for p in problems:
            fields.setdefault(FIELD_OF_PROBLEM.get(p.field, p.field), str(PROBLEM_MESSAGES[p.code]) % figures)
        raise ValidationFailed(
            next(iter(fields.values())) if len(fields) == 1 else _("The presale cannot be saved like that."),
            details={
                "fields": fields,
                "codes": [p.code.value for p in problems],
                **(
                    {"floor_fen": floor.fen, "sku_id": data.sku_id}
                    if any(p.code == "below_floor" for p in problems)
                    else {}
                ),
            },
        )


def presale_create(*, data: PresaleInput, actor: ActorContext, now: datetime | None = None) -> Presale:
    """Set a presale up. `now` is for demo data and history loads: the moment its windows are
    checked against (a window already over is refused)."""
    _check(data, now=now)
    with transaction.atomic():
        presale = Presale.objects.create(
            name=data.name.strip()[:80],
            sku_id=data.sku_id,
            final_price_fen=data.final_price_fen,
            deposit_fen=data.deposit_fen,
            deposit_value_fen=data.deposit_value_fen,
            presale_starts_at=data.presale_starts_at,
            presale_ends_at=data.presale_ends_at,
            balance_starts_at=data.balance_starts_at,
            balance_ends_at=data.balance_ends_at,
            limit_per_customer=data.limit_per_customer,
            min_margin_percent=data.min_margin_percent,
            min_price_fen=data.min_price_fen,
            created_by=actor.user,
        )
        audit_record(actor=actor, action="presale.create", target=presale, after=_snapshot(presale))
    return presale


def presale_update(*, presale_id: int, data: PresaleInput, actor: ActorContext) -> Presale:
    """Change a presale. Once deposits were taken its SKU and money terms are fixed (customers
    paid on them) and its windows may only be moved so orders keep their dates: Conflict."""
    _check(data, Presale.objects.filter(pk=presale_id).first())
    with transaction.atomic():
        presale = Presale.objects.select_for_update().filter(pk=presale_id).first()
        if presale is None:
            raise NotFound(_("No such presale."), details={"presale_id": presale_id})
        before = _snapshot(presale)
        taken = PresaleOrder.objects.filter(presale=presale).exists()
        fixed = (*MONEY_FIELDS, "balance_starts_at", "balance_ends_at")
        if taken and any(getattr(presale, name) != getattr(data, name) for name in fixed):
            raise Conflict(
                _("Deposits were taken on these terms: the SKU, prices and balance window can no longer change."),
                details={"fields": [name for name in fixed if getattr(presale, name) != getattr(data, name)]},
            )
        for name in (
            "sku_id",
            "final_price_fen",
            "deposit_fen",
            "deposit_value_fen",
            "presale_starts_at",
            "presale_ends_at",
            "balance_starts_at",
            "balance_ends_at",
            "limit_per_customer",
            "min_margin_percent",
            "min_price_fen",
        ):
            setattr(presale, name, getattr(data, name))
        presale.name = data.name.strip()[:80]
        presale.save()
        audit_record(actor=actor, action="presale.update", target=presale, before=before, after=_snapshot(presale))
    return presale


def presale_set_status(*, presale_id: int, status: str, actor: ActorContext) -> Presale:
    """Pause (no new deposits; paid deposits and balances go on) or resume a presale."""
    if status not in PresaleStatus.values:
        raise ValidationFailed(_("Unknown status."), details={"status": status, "allowed": PresaleStatus.values})
    with transaction.atomic():
        presale = Presale.objects.select_for_update().filter(pk=presale_id).first()
        if presale is None:
            raise NotFound(_("No such presale."), details={"presale_id": presale_id})
        if presale.status == status:
            return presale
        before = presale.status
        presale.status = status
        presale.save(update_fields=["status", "changed_at"])
        audit_record(
            actor=actor, action=f"presale.{status}", target=presale, before={"status": before}, after={"status": status}
        )
    return presale


# --- the customer's side -----------------------------------------------------------------------


def _wording(presale: Presale, *, quantity: int, shipping: Money) -> list[str]:
    money = split(presale.terms, quantity=quantity, shipping=shipping)
    lines = [
        _("Deposit %(deposit)s counts as %(value)s (%(expansion)s off)")
        % {"deposit": money.deposit, "value": money.deposit_value, "expansion": money.expansion},
        _("Presale price %(goods)s − deposit value %(value)s = balance %(balance)s")
        % {"goods": money.goods, "value": money.deposit_value, "balance": money.balance_before_shipping},
    ]
    if shipping.fen:
        lines.append(_("Shipping %(shipping)s is paid with the balance") % {"shipping": shipping})
    lines.append(
        _("Deposit %(deposit)s + balance %(balance)s = %(total)s")
        % {"deposit": money.deposit, "balance": money.balance, "total": money.total}
    )
    return lines


def presale_deposit_place(
    *,
    presale_id: int,
    customer: User,
    quantity: int,
    address_id: int,
    idempotency_key: str,
    actor: ActorContext,
    now: datetime | None = None,
) -> orders.Order:
    """Place the presale order: stock is reserved now, at the presale price, with the expansion
    as its discount; the customer then pays the deposit (`presale_pay_start`). The same
    idempotency key answers the same order. Refused: paused or outside the deposit window
    (PresaleClosed), over the per-customer limit (PresaleLimitReached), out of stock. `now` is
    for demo data and history loads: the moment the deposit window is checked against."""
    existing = orders.order_find_by_key(customer=customer, idempotency_key=idempotency_key.strip())
    if existing is not None:
        if PresaleOrder.objects.filter(order_id=existing.pk, presale_id=presale_id).exists():
            return existing
        raise Conflict(_("This request key was already used for another order."), details={"number": existing.number})
    if not isinstance(quantity, int) or quantity <= 0:
        raise ValidationFailed(_("Choose how many to buy."), details={"quantity": quantity})
    with transaction.atomic():
        presale = Presale.objects.select_for_update().filter(pk=presale_id).first()
        if presale is None:
            raise NotFound(_("No such presale."), details={"presale_id": presale_id})
        now = now or timezone.now()
        if presale.status != PresaleStatus.ACTIVE or phase_at(presale.terms, now) is not Phase.DEPOSIT:
            raise PresaleClosed(
                _("Deposits are not being taken for this presale now."),
                details={"status": presale.status, "phase": phase_at(presale.terms, now).value},
            )
        held = (
            PresaleOrder.objects.filter(presale=presale, customer=customer)
            .exclude(order__status=OrderStatus.CANCELLED)
            .aggregate(units=Sum("quantity"))["units"]
            or 0
        )
        if held + quantity > presale.limit_per_customer:
            raise PresaleLimitReached(
                _("At most %(limit)s per customer: you already have %(held)s.")
                % {"limit": presale.limit_per_customer, "held": held},
                details={"limit": presale.limit_per_customer, "held": held, "quantity": quantity},
            )
        window = min(orders.payment_timeout(), max(presale.presale_ends_at - now, timedelta(0)))
        order = checkout.checkout_buy_now(
            customer=customer,
            sku_id=presale.sku_id,
            quantity=quantity,
            unit_price=Money(presale.final_price_fen),
            price_label=_("Presale price"),
            address_id=address_id,
            idempotency_key=idempotency_key,
            actor=actor,
            kind=OrderKind.PRESALE,
            pay_window=max(window, timedelta(seconds=1)),
            hold=HOLD_REASON,
            channel="presale",
        )
        if PresaleOrder.objects.filter(order_id=order.pk).exists():
            return order
        order = orders.order_presale_setup(
            order_id=order.pk,
            deposit=Money(presale.deposit_fen),
            deposit_value=Money(presale.deposit_value_fen),
            balance_from=presale.balance_starts_at,
            balance_until=presale.balance_ends_at,
            explanation=_wording(presale, quantity=quantity, shipping=Money(order.shipping_fen)),
        )
        PresaleOrder.objects.create(presale=presale, order_id=order.pk, customer=customer, quantity=quantity)
    return order


def presale_pay_start(*, order: orders.Order, return_url: str) -> tuple[str, Money]:
    """Where to pay the deposit or (in its window) the balance, and how much: (pay URL, amount)."""
    if order.kind != OrderKind.PRESALE or not order.deposit_fen:
        raise NotFound(_("This is not a presale order."), details={"number": order.number})
    amount = Money(order.deposit_fen if order.deposit_paid_at is None else order.total_fen - order.paid_fen)
    return orders.order_pay_start(order=order, return_url=return_url), amount


# --- reminders -----------------------------------------------------------------------------------


def _reminder_text(kind: str, order: orders.Order) -> str:
    balance = Money(order.total_fen - order.paid_fen)
    assert order.balance_due_from is not None
    assert order.balance_due_until is not None
    when = {
        "from": timezone.localtime(order.balance_due_from).strftime("%Y-%m-%d %H:%M"),
        "until": timezone.localtime(order.balance_due_until).strftime("%Y-%m-%d %H:%M"),
        "balance": balance,
        "number": order.number,
    }
    if kind == PresaleReminderKind.BALANCE_OPENS:
        return _("Order %(number)s: pay the balance of %(balance)s from %(from)s to %(until)s.") % when
    return _("Order %(number)s: the balance of %(balance)s must be paid by %(until)s, or the deposit is kept.") % when


def presale_reminders_send(*, now: datetime | None = None, notifier: Notifier | None = None, limit: int = 500) -> int:
    """Send the balance reminders that are due (the beat job). One per order and kind, ever:
    the row is written first (unique), and only the run that wrote it sends."""
    now = now or timezone.now()
    notifier = notifier or notifier_get()
    lead = timedelta(hours=settings.PRESALE_REMINDER_LEAD_HOURS)
    waiting = (
        PresaleOrder.objects.filter(
            order__status=OrderStatus.PENDING_PAYMENT,
            order__deposit_paid_at__isnull=False,
            order__balance_due_from__lte=now + lead,
            order__balance_due_until__gt=now,
        )
        .select_related("order")
        .prefetch_related("reminders")
        .order_by("order__balance_due_until", "pk")[:limit]
    )
    sent = 0
    for row in waiting:
        order = row.order
        assert order.balance_due_from is not None
        assert order.balance_due_until is not None
        have = {reminder.kind for reminder in row.reminders.all()}
        for kind in reminders_due(
            now=now, balance_starts=order.balance_due_from, balance_ends=order.balance_due_until, lead=lead
        ):
            if kind.value in have:
                continue
            message = _reminder_text(kind.value, order)
            try:
                with transaction.atomic():
                    PresaleReminder.objects.create(
                        presale_order=row, kind=kind.value, channel=notifier.channel, message=message[:300]
                    )
                    notifier.send(
                        Notice(
                            customer_id=order.customer_id,
                            mobile=order.mobile,
                            order_number=order.number,
                            kind=kind.value,
                            message=message,
                        )
                    )
            except IntegrityError:
                continue  # another run sent it
            except Exception:
                logger.exception("presale reminder %s for order %s not sent", kind.value, order.number)
                continue
            sent += 1
    return sent


__all__ = [
    "HOLD_REASON",
    "PresaleInput",
    "presale_create",
    "presale_deposit_place",
    "presale_pay_start",
    "presale_reminders_send",
    "presale_set_status",
    "presale_update",
]
