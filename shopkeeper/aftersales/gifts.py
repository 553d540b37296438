"""After-sales writes about an order's gifts with purchase (the rules are in `domain/gifts.py`; whether
the order still earns a gift is asked of `promotions.selectors.order_gift_standings`).

- `gifts_forecast`: when the customer applies, the gifts the application is expected to take the
  order below (it claims them), and what that would take off its refund. The customer is told.
- `gifts_settle`: when the refund starts, what happens for good, by the units whose refund has
  started plus this application's; the deduction is itemised on the gifts (`charged_fen`) and
  added up on the application. A settled gift is never settled again.
- `gifts_inspect`: what the warehouse found of the gift in a returned parcel (to stock, written off,
  or missing).
- `gifts_release`: a refused or cancelled application lets go of the gifts it claimed.
- `on_order_paid` holds back a gift whose rule is after_receipt (its units come out of the parcel
  and are reserved under their own reference); `held_gifts_review` sends it once the goods are
  delivered and no refund application is open on its qualifying lines, or never sends it when a
  refund took the order below what earned it.

Locks, in the house order: the order's payment rows (the refund paths), the application, the
order row, the order's gift rows (primary-key order), then what fulfilment and inventory lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.aftersales.domain import amounts
from shopkeeper.aftersales.domain.gifts import (
    SETTLED,
    GiftOutcome,
    GiftReturn,
    GiftRule,
    GiftState,
    expected_outcome,
    gift_outcome,
)
from shopkeeper.aftersales.domain.rules import Stage
from shopkeeper.aftersales.domain.states import CLAIMING, OPEN, Kind, Status
from shopkeeper.aftersales.enums import GiftReturnChoice, GiftStateChoice
from shopkeeper.aftersales.models import Application, ApplicationEvent, OrderGift
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.fulfillment import selectors as fulfillment_reads
from shopkeeper.fulfillment import services as fulfillment
from shopkeeper.fulfillment.enums import ShipmentKind, ShipmentStatus
from shopkeeper.inventory import services as stock
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.orders.events import OrderPaid
from shopkeeper.payments.events import RefundSucceeded
from shopkeeper.promotions import selectors as promotions

# Applications whose refund has started: their units have left the order for good.
STARTED = frozenset({Status.REFUNDING, Status.REFUND_FAILED, Status.REFUNDED})
SETTLED_VALUES = sorted(state.value for state in SETTLED)
NOTE_MAX = 300


def _event(app: Application, note: str, actor: ActorContext) -> None:
    ApplicationEvent.objects.create(
        application=app,
        kind="gift",
        actor=actor.user,
        actor_label=actor.user.get_username()[:100] if actor.user else "system",
        note=note[:NOTE_MAX],
    )


def _ensure(order: Any, facts: Sequence[promotions.OrderGift]) -> None:
    """Write a row for each gift of the order that after-sales does not track yet (value: the gift
    SKU's list price when the order was placed)."""
    if not facts:
        return
    known = set(OrderGift.objects.filter(order_id=order.pk).values_list("use_id", flat=True))
    lines = {line.pk: line for line in order.lines.all()}
    for gift in facts:
        if gift.use_id in known:
            continue
        line = lines.get(gift.line_id) if gift.line_id is not None else None
        value = (
            promotions.gift_unit_value(sku_id=gift.sku_id, product_id=line.product_id, at=order.placed_at)
            if gift.sku_id is not None and line is not None
            else Money.zero()
        )
        try:
            with transaction.atomic():
                OrderGift.objects.create(
                    order_id=order.pk,
                    use_id=gift.use_id,
                    promotion_id=gift.promotion_id,
                    label=gift.label[:80],
                    line_id=line.pk if line is not None else None,
                    sku_id=gift.sku_id,
                    sku_code=line.sku_code if line is not None else "",
                    title=line.title[:200] if line is not None else "",
                    units=max(gift.units, 1),
                    rule=gift.refund_rule,
                    unit_value_fen=value.fen,
                )
        except IntegrityError:  # written by a parallel request a moment ago
            continue


def _gifts(order: Any, facts: Sequence[promotions.OrderGift]) -> list[OrderGift]:
    """The order's gift rows, locked (the caller holds the order row)."""
    _ensure(order, facts)
    return list(OrderGift.objects.select_for_update().filter(order_id=order.pk).order_by("pk"))


def _gone(order: Any, lines: Sequence[Any], *, statuses: Iterable[Status], this: Application | None) -> dict[int, int]:
    """Units gone from each line: applications in `statuses` (exchanges keep the order whole),
    this application, and every unit of a line refunded in full some other way (by staff)."""
    apps = Application.objects.filter(order_id=order.pk, status__in=[s.value for s in statuses]).exclude(
        kind=Kind.EXCHANGE.value
    )
    if this is not None:
        apps = apps.exclude(pk=this.pk)
    gone: dict[int, int] = {}
    for line_id, units in apps.values("line_id").annotate(n=Sum("quantity")).values_list("line_id", "n"):
        gone[line_id] = int(units or 0)
    if this is not None and this.kind != Kind.EXCHANGE:
        gone[this.line_id] = gone.get(this.line_id, 0) + this.quantity
    for line in lines:
        if line.total_fen > 0 and line.refunded_fen >= line.total_fen:
            gone[line.pk] = line.quantity
    return gone


def _standings(order: Any, gone: dict[int, int]) -> dict[int, promotions.GiftStanding]:
    lines = [
        promotions.OrderLineFacts(
            line_id=line.pk,
            sku_id=line.sku_id,
            product_id=line.product_id,
            quantity=line.quantity,
            subtotal_fen=line.subtotal_fen,
        )
        for line in order.lines.all()
    ]
    return promotions.order_gift_standings(order_id=order.pk, lines=lines, gone=gone)


def _unshipped(order_id: int) -> dict[int, int]:
    """Units per SKU in the order's parcels that have not left the warehouse yet."""
    units: dict[int, int] = {}
    for shipment in fulfillment_reads.order_shipments(order_id):
        if shipment.kind == ShipmentKind.ORDER and shipment.status in fulfillment_reads.WAITING_STATUSES:
            for line in shipment.lines.all():
                if line.sku_id is not None:
                    units[line.sku_id] = units.get(line.sku_id, 0) + line.quantity
    return units


def _outcome(
    gift: OrderGift, app: Application, *, earned: bool, returned: GiftReturn | None, unshipped: int
) -> GiftOutcome | None:
    return gift_outcome(
        rule=GiftRule(gift.rule),
        state=GiftState(gift.state),
        earned=earned,
        kind=Kind(app.kind),
        stage=Stage(app.stage),
        units=gift.units,
        returned=returned,
        unshipped=unshipped,
    )


def gift_note(gift: OrderGift) -> str:
    """One line for the timeline: the gift, what became of it, and what came off the refund."""
    text = f"{gift.label}: {gift.title or gift.sku_code} × {gift.units} · {GiftStateChoice(gift.state).label}"
    if gift.returned:
        text += f" ({GiftReturnChoice(gift.returned).label})"
    if gift.charged_fen:
        text += " · " + _("%(amount)s off the refund") % {"amount": Money(gift.charged_fen)}
    return text


# --- on the application -----------------------------------------------------------------------


def gifts_forecast(app: Application, *, share_fen: int, actor: ActorContext) -> int:
    """Claim the gifts this new application is expected to take the order below (counting every
    application not refused or cancelled), and answer what would come off its refund for them.
    The caller holds the payment lock and has just written the application."""
    facts = promotions.order_gifts(order_id=app.order_id)
    if app.kind == Kind.EXCHANGE or not facts:
        return 0
    order = orders.order_fulfilment_lock(order_id=app.order_id)
    gifts = [gift for gift in _gifts(order, facts) if not gift.settled]
    if not gifts:
        return 0
    lines = list(order.lines.all())
    standings = _standings(order, _gone(order, lines, statuses=CLAIMING, this=app))
    claimed_by_others = set(
        Application.objects.filter(pk__in=[g.application_id for g in gifts if g.application_id], status__in=OPEN)
        .exclude(pk=app.pk)
        .values_list("pk", flat=True)
    )
    values: list[int] = []
    for gift in gifts:
        standing = standings.get(gift.use_id)
        if standing is None or standing.earned or gift.application_id in claimed_by_others:
            continue
        outcome = expected_outcome(
            rule=GiftRule(gift.rule),
            state=GiftState(gift.state),
            kind=Kind(app.kind),
            stage=Stage(app.stage),
            units=gift.units,
        )
        gift.application = app
        gift.save(update_fields=["application", "updated_at"])
        values.append(outcome.charged_units * gift.unit_value_fen if outcome is not None else 0)
        _event(app, _("This refund takes the order below what earned the gift: %(gift)s") % {"gift": gift.label}, actor)
    return sum(amounts.gift_deductions(share_fen, values))


def gifts_settle(app: Application, *, share_fen: int, actor: ActorContext) -> int:
    """Decide for good what the refund starting now does to the order's gifts, and answer what
    comes off it. The caller holds the payment lock and the application. A retried refund finds
    the gifts it settled before and takes the same off again."""
    facts = promotions.order_gifts(order_id=app.order_id)
    if app.kind == Kind.EXCHANGE or not facts:
        return 0
    order = orders.order_fulfilment_lock(order_id=app.order_id)
    gifts = _gifts(order, facts)
    before = [gift for gift in gifts if gift.settled and gift.application_id == app.pk]
    lines = list(order.lines.all())
    standings = _standings(order, _gone(order, lines, statuses=STARTED, this=app))
    unshipped = _unshipped(order.pk) if app.stage == Stage.BEFORE_SHIPMENT else {}
    decided: list[tuple[OrderGift, GiftOutcome]] = []
    for gift in gifts:
        if gift.settled:
            continue
        standing = standings.get(gift.use_id)
        earned = standing is None or standing.earned
        mine = gift.application_id == app.pk
        returned = GiftReturn(gift.returned) if mine and gift.returned else None
        outcome = _outcome(gift, app, earned=earned, returned=returned, unshipped=unshipped.get(gift.sku_id or 0, 0))
        if outcome is None:
            if mine:  # this refund does not take the order below it after all: let it go
                gift.application = None
                gift.save(update_fields=["application", "updated_at"])
            continue
        decided.append((gift, outcome))
    values = [gift.charged_fen for gift in before] + [o.charged_units * g.unit_value_fen for g, o in decided]
    taken = amounts.gift_deductions(share_fen, values)
    now = timezone.now()
    for (gift, outcome), fen in zip(decided, taken[len(before) :], strict=True):
        was = gift.state
        gift.state = outcome.state.value
        gift.application = app
        gift.charged_fen = fen
        gift.settled_at = now
        reason = _("After-sales %(number)s: gift %(gift)s") % {"number": app.number, "gift": gift.label}
        if outcome.take_out and gift.sku_id is not None:
            fulfillment.shipment_units_remove(
                order_id=order.pk, sku_id=gift.sku_id, quantity=outcome.take_out, actor=actor, reason=reason
            )
        if outcome.release and gift.reference:
            stock.stock_release(reference=gift.reference, actor=actor, reason=reason)
        gift.save(update_fields=["state", "application", "charged_fen", "settled_at", "updated_at"])
        _event(app, gift_note(gift), actor)
        audit_record(
            actor=actor,
            action="aftersales.gift_settle",
            target=gift,
            before={"state": was},
            after={"state": gift.state, "application": app.number, "charged_fen": fen, "returned": gift.returned},
        )
    return sum(taken)


def gifts_inspect(app: Application, *, result: str, warehouse_id: int | None, actor: ActorContext) -> None:
    """Record what came back of the order's gifts in this returned parcel: intact goes back to
    stock, damaged is written off, missing is noted. Without a result, a gift this application
    must bring back is refused (say whether it came back)."""
    facts = promotions.order_gifts(order_id=app.order_id)
    if not facts and not result:
        return
    order = orders.order_fulfilment_lock(order_id=app.order_id)
    gifts = [gift for gift in _gifts(order, facts) if not gift.settled and gift.state != GiftState.HELD]
    claimed = [gift for gift in gifts if gift.application_id == app.pk]
    if not result:
        if any(gift.rule == GiftRule.RECOVER for gift in claimed):
            raise ValidationFailed(
                _("Say whether the gift came back in the parcel."), details={"gift_result": "pass | damaged | missing"}
            )
        return
    if result not in GiftReturnChoice.values:
        raise ValidationFailed(
            _("Choose what came back of the gift."), details={"gift_result": "pass | damaged | missing"}
        )
    found = claimed or gifts
    if not found:
        raise ValidationFailed(_("This order has no gift to look for."), details={"gift_result": "no_gift"})
    for gift in found:
        gift.returned = result
        gift.application = app
        gift.save(update_fields=["returned", "application", "updated_at"])
        if result != GiftReturn.MISSING and gift.sku_id is not None and warehouse_id is not None:
            reference = f"{app.reference}:gift:{gift.pk}"
            reason = _("After-sales %(number)s: gift %(gift)s") % {"number": app.number, "gift": gift.label}
            stock.stock_return(
                sku_id=gift.sku_id,
                warehouse_id=warehouse_id,
                quantity=gift.units,
                reference=reference,
                actor=actor,
                reason=reason,
            )
            if result == GiftReturn.DAMAGED:
                stock.stock_adjust(
                    sku_id=gift.sku_id,
                    warehouse_id=warehouse_id,
                    delta=-gift.units,
                    reason=reason[:200],
                    actor=actor,
                    reference=f"{reference}:write-off",
                    write_off=True,
                )
        _event(app, f"{gift.label}: {GiftReturnChoice(result).label}", actor)


def gifts_release(app: Application) -> None:
    """A refused or cancelled application lets go of the gifts it claimed (the caller holds it);
    a held gift may be sent now."""
    if not OrderGift.objects.filter(order_id=app.order_id).exists():
        return
    order = orders.order_fulfilment_lock(order_id=app.order_id)
    released = (
        OrderGift.objects.filter(order_id=order.pk, application_id=app.pk)
        .exclude(state__in=SETTLED_VALUES)
        .update(application=None)
    )
    if released or OrderGift.objects.filter(order_id=order.pk, state=GiftState.HELD).exists():
        held_gifts_review(order_id=order.pk)


# --- gifts held until the goods are received ---------------------------------------------------


def on_order_paid(event: OrderPaid) -> None:
    """Hold back the order's after_receipt gifts: their units come out of the parcel fulfilment has
    just opened (or out of the held order's reservation) and are reserved under the gift's own
    reference, to be sent once the goods are received. Runs in the payment's transaction."""
    facts = promotions.order_gifts(order_id=event.order_id)
    if not any(gift.refund_rule == GiftRule.AFTER_RECEIPT for gift in facts):
        return
    actor = ActorContext.system()
    order = orders.order_fulfilment_lock(order_id=event.order_id)
    for gift in _gifts(order, facts):
        if gift.rule != GiftRule.AFTER_RECEIPT or gift.state != GiftState.KEPT or gift.reference or gift.sku_id is None:
            continue
        reason = _("Gift %(gift)s held until the goods are received") % {"gift": gift.label}
        taken = fulfillment.shipment_units_remove(
            order_id=order.pk, sku_id=gift.sku_id, quantity=gift.units, actor=actor, reason=reason
        )
        if taken == 0:
            continue
        reference = f"gift:{order.number}:{gift.pk}"
        stock.stock_reserve(
            reference=reference,
            lines=[stock.ReserveLine(sku_id=gift.sku_id, quantity=taken)],
            province=order.province,
            actor=actor,
        )
        gift.reference = reference
        gift.state = GiftState.HELD.value
        gift.note = reason[:NOTE_MAX]
        gift.save(update_fields=["reference", "state", "note", "updated_at"])
        audit_record(actor=actor, action="aftersales.gift_hold", target=gift, after={"reference": reference})


def _goods_delivered(order: Any) -> bool:
    if order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        return True
    parcels = [s for s in fulfillment_reads.order_shipments(order.pk) if s.kind == ShipmentKind.ORDER]
    statuses = {parcel.status for parcel in parcels}
    return ShipmentStatus.DELIVERED in statuses and statuses <= {ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED}


def held_gifts_review(*, order_id: int) -> None:
    """Send the order's held gifts whose goods are delivered with no refund application open on
    their qualifying lines; never send those a refund took the order below (their reservation
    goes back), nor those of an order closed by a full refund."""
    held = OrderGift.objects.filter(order_id=order_id, state=GiftState.HELD)
    if not held.exists():
        return
    actor = ActorContext.system()
    order = orders.order_fulfilment_lock(order_id=order_id)
    gifts = list(held.select_for_update().order_by("pk"))
    lines = list(order.lines.all())
    standings = _standings(order, _gone(order, lines, statuses=STARTED, this=None))
    open_lines = set(
        Application.objects.filter(order_id=order_id, status__in=[s.value for s in OPEN])
        .exclude(kind=Kind.EXCHANGE.value)
        .values_list("line_id", flat=True)
    )
    delivered = _goods_delivered(order)
    for gift in gifts:
        standing = standings.get(gift.use_id)
        lost = (standing is not None and not standing.earned) or order.status in (
            OrderStatus.CLOSED,
            OrderStatus.CANCELLED,
        )
        if lost:
            stock.stock_release(reference=gift.reference, actor=actor, reason=_("Gift not earned any more"))
            gift.state = GiftState.WITHHELD.value
            gift.settled_at = timezone.now()
            gift.save(update_fields=["state", "settled_at", "updated_at"])
            if gift.application is not None:
                _event(gift.application, gift_note(gift), actor)
            audit_record(actor=actor, action="aftersales.gift_withhold", target=gift, after={"state": gift.state})
            continue
        qualifying = standing.qualifying_line_ids if standing is not None else frozenset()
        if not delivered or open_lines & qualifying or gift.sku_id is None:
            continue
        shipment = fulfillment.replacement_ship(
            order_id=order.pk, sku_id=gift.sku_id, quantity=gift.units, reference=gift.reference, actor=actor
        )
        gift.state = GiftState.SENT.value
        gift.note = (_("Sent after receipt: parcel %(id)s") % {"id": shipment.pk})[:NOTE_MAX]
        gift.save(update_fields=["state", "note", "updated_at"])
        audit_record(
            actor=actor,
            action="aftersales.gift_send",
            target=gift,
            after={"state": gift.state, "shipment": shipment.pk},
        )


def on_refund_succeeded(event: RefundSucceeded) -> None:
    """Money of an order went back (after-sales or staff): its held gifts may be decided now."""
    number = event.reference.removeprefix("order:")
    order_id = (
        OrderGift.objects.filter(order__number=number, state=GiftState.HELD).values_list("order_id", flat=True).first()
    )
    if order_id is not None:
        held_gifts_review(order_id=order_id)


def kept_deductions(line_id: int, *, exclude: int | None = None) -> int:
    """What came off refunds of this line for gifts and stays with the shop (refunds under way or
    made): the line's last units do not take it back."""
    apps = Application.objects.filter(line_id=line_id, status__in=[Status.REFUNDING.value, Status.REFUNDED.value])
    if exclude is not None:
        apps = apps.exclude(pk=exclude)
    return int(apps.aggregate(n=Sum("gift_deduction_fen"))["n"] or 0)
