"""Writes on after-sales: apply per order line, review, the return's journey, inspection, the
refund through the order's per-line refund, the exchange's replacement, and the automatic rules.

Rows are locked in the house order: a path that may move money takes the order's payment rows
first (`payments_lock`), then the application, then (inside `order_refund`) the order, then
stock rows. The gateway's notification locks the payment, then the order (orders' handler), then
the application (ours): the same order, so no deadlock, and the payment lock serialises every
refund of an order. The refund's request key is derived from the application and its attempt
number, so a double click or a repeated notification pays once. The order's gifts with purchase
(`gifts.py`) are forecast when the customer applies and settled, once, when the refund starts,
under the same payment lock: what comes off for them is on the application (`gift_deduction_fen`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkeeper.aftersales import gifts
from shopkeeper.aftersales.domain import amounts
from shopkeeper.aftersales.domain.rules import (
    AutoRule,
    RuleStage,
    Stage,
    WindowRefusal,
    auto_approves,
    review_deadline,
    window_check,
)
from shopkeeper.aftersales.domain.states import CLAIMING, OPEN, Action, IllegalTransition, Kind, Status, next_status
from shopkeeper.aftersales.enums import (
    AfterSalesKind,
    AfterSalesReason,
    AfterSalesStatus,
    Inspection,
    RuleStageChoice,
    ServiceItemStatus,
)
from shopkeeper.aftersales.models import Application, ApplicationEvent, AutoApprovalRule, ServiceItem
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.fulfillment import selectors as fulfillment_reads
from shopkeeper.fulfillment import services as fulfillment
from shopkeeper.fulfillment.events import ShipmentDelivered, ShipmentException
from shopkeeper.inventory import selectors as inventory_reads
from shopkeeper.inventory import services as stock
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.payments import services as payments
from shopkeeper.payments.events import RefundFailed, RefundSucceeded

logger = logging.getLogger(__name__)

MAX_PHOTOS = 6
DESCRIPTION_MAX = 500
NOTE_MAX = 300
PHOTO_URL_MAX = 500
TRACKING_MAX = 40
DECIDE = "aftersales.decide_aftersales"
HANDLE = "aftersales.handle_aftersales"

_WINDOW_MESSAGES = {
    WindowRefusal.NOT_SHIPPED_ONLY_REFUND: gettext_lazy("This order has not shipped yet: ask for a refund only."),
    WindowRefusal.IN_TRANSIT_ONLY_REFUND: gettext_lazy(
        "This parcel is still on its way: ask for a refund only, or apply for a return once it arrives."
    ),
}


class AfterSalesRefused(Conflict):
    """The application cannot be made or moved like that (state, window, quantity): 409."""


def _label(actor: ActorContext) -> str:
    return actor.user.get_username()[:100] if actor.user else "system"


def _event(app: Application, *, kind: str, actor: ActorContext, before: str = "", note: str = "") -> None:
    ApplicationEvent.objects.create(
        application=app,
        kind=kind,
        from_status=before,
        to_status=app.status if before else "",
        actor=actor.user,
        actor_label=_label(actor),
        note=note[:NOTE_MAX],
    )


def _move(app: Application, action: Action, *, actor: ActorContext, note: str = "", kind: str = "") -> None:
    before = app.status
    try:
        app.status = next_status(Kind(app.kind), Status(before), action).value
    except IllegalTransition as refused:
        raise AfterSalesRefused(
            _("This application is %(status)s and cannot be changed that way.")
            % {"status": AfterSalesStatus(before).label},
            details={"status": before, "action": action.value},
        ) from refused
    _event(app, kind=kind or action.value, actor=actor, before=before, note=note)


def _snapshot(app: Application) -> dict[str, Any]:
    return {
        "status": app.status,
        "kind": app.kind,
        "quantity": app.quantity,
        "amount_fen": app.amount_fen,
        "gift_deduction_fen": app.gift_deduction_fen,
        "refund_key": app.refund_key,
    }


def _locked(application_id: int) -> Application:
    found = Application.objects.select_for_update().filter(pk=application_id).first()
    if found is None:
        raise NotFound(_("No such after-sales application."), details={"application": application_id})
    return found


def _reference_of(application_id: int) -> str:
    """The order reference of an application, read before locking (to lock its payments first)."""
    number = Application.objects.filter(pk=application_id).values_list("order__number", flat=True).first()
    if number is None:
        raise NotFound(_("No such after-sales application."), details={"application": application_id})
    return f"order:{number}"


def _new_number(now: datetime) -> str:
    return f"AS{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**8):08d}"


def _stage(order_status: str) -> Stage | None:
    if order_status in (OrderStatus.PAID, OrderStatus.ALLOCATED):
        return Stage.BEFORE_SHIPMENT
    if order_status == OrderStatus.SHIPPED:
        return Stage.IN_TRANSIT
    if order_status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        return Stage.DELIVERED
    return None


@dataclass(frozen=True)
class LineState:
    """What a line has left for after-sales: units not yet claimed, money not yet refunded."""

    quantity: int
    claimed_units: int  # units in applications not refused or cancelled
    refunded_units: int  # units whose share has gone (or is going) back through after-sales
    left_fen: int  # the line's paid share less refunds made or under way (and gift deductions kept)

    @property
    def units_left(self) -> int:
        return max(self.quantity - self.claimed_units, 0)


def line_state(line: Any, *, exclude: int | None = None) -> LineState:
    """Read a line's after-sales state (call under the payment lock when about to refund)."""
    apps = Application.objects.filter(line_id=line.pk)
    if exclude is not None:
        apps = apps.exclude(pk=exclude)
    claimed = apps.filter(status__in=[s.value for s in CLAIMING]).aggregate(n=Sum("quantity"))["n"] or 0
    refunded = (
        apps.filter(status__in=[Status.REFUNDING.value, Status.REFUNDED.value])
        .exclude(kind=Kind.EXCHANGE.value)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    pending = order_reads.pending_refund_by_line(line.order.refunds.all()).get(line.pk, 0)
    # What came off earlier refunds for gifts stays with the shop: the last units do not take it.
    left = max(orders.line_refundable(line, pending).fen - gifts.kept_deductions(line.pk, exclude=exclude), 0)
    return LineState(quantity=line.quantity, claimed_units=claimed, refunded_units=refunded, left_fen=left)


def _amount_for(line: Any, kind: str, quantity: int, state: LineState) -> int:
    if kind == Kind.EXCHANGE:
        return 0
    return amounts.refund_amount(
        line.total_fen, line.quantity, before=state.refunded_units, units=quantity, left_fen=state.left_fen
    )


def _clean_photos(photos: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in photos:
        url = str(raw).strip()
        if not url:
            continue
        parsed = urlparse(url)
        uploaded = url.startswith(settings.MEDIA_URL + "aftersales/") and ".." not in url
        if not uploaded and (parsed.scheme not in ("http", "https") or not parsed.netloc):
            raise ValidationFailed(
                _("A photo must be an http(s) link to an image, or an uploaded picture."), details={"photos": url[:100]}
            )
        if len(url) > PHOTO_URL_MAX:
            raise ValidationFailed(
                _("A photo link may have at most %(max)s characters.") % {"max": PHOTO_URL_MAX},
                details={"photos": "too_long"},
            )
        cleaned.append(url)
    if len(cleaned) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(max)s photos.") % {"max": MAX_PHOTOS}, details={"photos": f"at most {MAX_PHOTOS}"}
        )
    return cleaned


def _rules() -> list[AutoRule]:
    return [
        AutoRule(kind=Kind(rule.kind), stage=RuleStage(rule.stage), max_fen=rule.max_fen)
        for rule in AutoApprovalRule.objects.filter(is_active=True)
    ]


def application_apply(
    *,
    customer: User,
    order_number: str,
    line_id: int,
    kind: str,
    reason: str,
    quantity: int,
    actor: ActorContext,
    description: str = "",
    photos: Sequence[str] = (),
    now: datetime | None = None,
) -> Application:
    """The customer asks for money back, goods back or a replacement for some units of one line.

    Refused (ValidationFailed 422, or AfterSalesRefused 409) with nothing written: an unknown
    kind or reason, a quantity above what is left on the line, a line already refunded in full,
    an open application on the line, goods not received for a return, or after the window.
    An application that an automatic rule covers is approved (and a refund started) at once.
    """
    now = now or timezone.now()
    problems: dict[str, str] = {}
    if kind not in AfterSalesKind.values:
        problems["kind"] = _("Choose refund only, return and refund, or exchange.")
    if reason not in AfterSalesReason.values:
        problems["reason"] = _("Choose a reason from the list.")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        problems["description"] = _("At most %(max)s characters.") % {"max": DESCRIPTION_MAX}
    if reason == AfterSalesReason.OTHER and not description:
        problems["description"] = _("Describe the problem.")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        problems["quantity"] = _("Give a quantity of at least 1.")
    if problems:
        raise ValidationFailed(_("The application has invalid fields."), details=problems)
    cleaned_photos = _clean_photos(photos)
    delivery = order_reads.line_delivery(customer=customer, number=order_number, line_id=line_id)
    if delivery is None:
        raise NotFound(_("No such order line."), details={"order": order_number, "line": line_id})
    order, line = delivery.order, delivery.line
    with transaction.atomic():
        payments.payments_lock(reference=order.reference)  # payment first: an automatic approval refunds
        order.refresh_from_db(fields=["status", "paid_fen", "refunded_fen"])
        line.refresh_from_db(fields=["refunded_fen"])
        stage = _stage(order.status)
        delivered_at = delivery.delivered_at
        if stage is Stage.IN_TRANSIT and line.sku_id is not None:
            # A split order: this line's parcel may have arrived while another is still on its way.
            parcels = fulfillment_reads.sku_delivery(order_id=order.pk, sku_id=line.sku_id)
            if parcels is not None and parcels.delivered:
                stage, delivered_at = Stage.DELIVERED, parcels.delivered_at
        if stage is None or order.paid_fen == 0:
            raise AfterSalesRefused(
                _("After-sales is for paid orders; this one is %(status)s.")
                % {"status": OrderStatus(order.status).label},
                details={"order_status": order.status},
            )
        refusal = window_check(
            kind=Kind(kind),
            stage=stage,
            delivered_at=delivered_at,
            now=now,
            window_days=settings.AFTERSALES_WINDOW_DAYS,
        )
        if refusal is WindowRefusal.WINDOW_CLOSED:
            raise AfterSalesRefused(
                _("The after-sales window of %(days)s days after delivery has closed.")
                % {"days": settings.AFTERSALES_WINDOW_DAYS},
                details={
                    "reason": refusal.value,
                    "delivered_at": delivered_at.isoformat() if delivered_at else None,
                },
            )
        if refusal is not None:
            raise AfterSalesRefused(str(_WINDOW_MESSAGES[refusal]), details={"reason": refusal.value})
        open_app = Application.objects.filter(line_id=line.pk, status__in=[s.value for s in OPEN]).first()
        if open_app is not None:
            raise AfterSalesRefused(
                _("This line already has an open application (%(number)s); wait for it or cancel it.")
                % {"number": open_app.number},
                details={"reason": "open_application", "application": open_app.number},
            )
        state = line_state(line)
        if line.total_fen > 0 and state.left_fen <= 0 and kind != Kind.EXCHANGE:
            raise AfterSalesRefused(
                _("This line has already been refunded in full."), details={"reason": "already_refunded"}
            )
        if quantity > state.units_left:
            raise AfterSalesRefused(
                _("You can apply for at most %(left)s of the %(bought)s bought.")
                % {"left": state.units_left, "bought": line.quantity},
                details={"reason": "quantity", "left": state.units_left, "bought": line.quantity},
            )
        amount = _amount_for(line, kind, quantity, state)
        if kind != Kind.EXCHANGE and amount <= 0:
            raise AfterSalesRefused(
                _("Nothing was paid for this line that could go back; ask for an exchange instead."),
                details={"reason": "nothing_to_refund"},
            )
        app = Application(
            number=_new_number(now),
            order_id=order.pk,
            line_id=line.pk,
            customer=customer,
            kind=kind,
            stage=stage.value,
            reason=reason,
            description=description,
            photos=cleaned_photos,
            quantity=quantity,
            amount_fen=amount,
            created_at=now,
            review_deadline=review_deadline(now, settings.AFTERSALES_REVIEW_HOURS),
        )
        try:
            with transaction.atomic():
                app.save(force_insert=True)
        except IntegrityError as clash:  # the one-open-per-line constraint: a concurrent application won
            raise AfterSalesRefused(
                _("This line already has an open application; wait for it or cancel it."),
                details={"reason": "open_application"},
            ) from clash
        _event(app, kind="applied", actor=actor, note=f"{AfterSalesKind(kind).label} × {quantity}")
        deduction = gifts.gifts_forecast(app, share_fen=amount, actor=actor)
        if deduction:
            app.amount_fen, app.gift_deduction_fen = amount - deduction, deduction
            app.save(update_fields=["amount_fen", "gift_deduction_fen", "updated_at"])
        rule = auto_approves(_rules(), kind=Kind(kind), stage=stage, amount_fen=app.amount_fen)
        if rule is not None:
            _approve(app, actor=ActorContext.system(), note=_("Automatic rule"), auto=True)
    return app


def application_cancel(*, application_id: int, customer: User, actor: ActorContext) -> Application:
    """The customer withdraws an application that is still awaiting review or approved."""
    with transaction.atomic():
        app = _locked(application_id)
        if app.customer_id != customer.pk:
            raise NotFound(_("No such after-sales application."), details={"application": application_id})
        if app.status == Status.CANCELLED:
            return app
        _move(app, Action.CANCEL, actor=actor)
        app.closed_at = timezone.now()
        app.save(update_fields=["status", "closed_at", "updated_at"])
        gifts.gifts_release(app)
    return app


def _may_approve(actor: ActorContext, app: Application) -> None:
    user = actor.user
    if user is None:  # the system: an automatic rule
        return
    if user.has_perm(DECIDE):
        return
    if user.has_perm(HANDLE) and app.amount_fen <= settings.AFTERSALES_AGENT_LIMIT_FEN:
        return
    raise PermissionDenied(
        _("Applications above %(limit)s are approved by a supervisor.")
        % {"limit": Money(settings.AFTERSALES_AGENT_LIMIT_FEN)},
        details={"permission": DECIDE, "amount_fen": app.amount_fen},
    )


def _approve(app: Application, *, actor: ActorContext, note: str, auto: bool = False) -> None:
    """Approve a locked application (the caller holds the payment lock); refund only pays at once."""
    _move(app, Action.APPROVE, actor=actor, note=note, kind="auto_approve" if auto else "")
    app.auto_approved = auto
    app.decided_at = timezone.now()
    app.decided_by = actor.user
    app.decision_note = note[:NOTE_MAX]
    app.save(update_fields=["status", "auto_approved", "decided_at", "decided_by", "decision_note", "updated_at"])
    if app.kind == Kind.REFUND_ONLY:
        _refund_start(app, actor=actor)
    audit_record(actor=actor, action="aftersales.approve", target=app, after={**_snapshot(app), "note": note})


def application_approve(*, application_id: int, actor: ActorContext, note: str = "") -> Application:
    """Approve an application awaiting review. A second approval (double click, two agents at
    once) answers the application as it is: one approval, one refund."""
    note = (note or "").strip()
    with transaction.atomic():
        payments.payments_lock(reference=_reference_of(application_id))
        app = _locked(application_id)
        if app.decided_at is not None and app.status not in (Status.REFUSED, Status.CANCELLED):
            return app  # already approved (a second click): nothing more to do
        _may_approve(actor, app)
        _approve(app, actor=actor, note=note or _("Approved"))
    return app


def application_refuse(*, application_id: int, actor: ActorContext, note: str) -> Application:
    """Refuse an application awaiting review, saying why (the customer sees the reason)."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say why the application is refused."), details={"note": "required"})
    if actor.user is not None and not actor.user.has_perm(DECIDE):
        raise PermissionDenied(_("Only a supervisor refuses applications."), details={"permission": DECIDE})
    with transaction.atomic():
        app = _locked(application_id)
        if app.status == Status.REFUSED:
            return app
        before = _snapshot(app)
        _move(app, Action.REFUSE, actor=actor, note=note)
        app.decided_at = timezone.now()
        app.decided_by = actor.user
        app.decision_note = note[:NOTE_MAX]
        app.closed_at = app.decided_at
        app.save(update_fields=["status", "decided_at", "decided_by", "decision_note", "closed_at", "updated_at"])
        gifts.gifts_release(app)
        audit_record(
            actor=actor, action="aftersales.refuse", target=app, before=before, after={**_snapshot(app), "note": note}
        )
    return app


def application_ship_return(
    *, application_id: int, customer: User, carrier: str, tracking_no: str, actor: ActorContext
) -> Application:
    """The customer sent the goods back: the carrier and its tracking number."""
    carrier = (carrier or "").strip()
    tracking_no = (tracking_no or "").strip().upper()
    problems: dict[str, str] = {}
    if not carrier or len(carrier) > 40:
        problems["carrier"] = _("Name the carrier.")
    if not tracking_no or len(tracking_no) > TRACKING_MAX or not tracking_no.replace("-", "").isalnum():
        problems["tracking_no"] = _("Give the tracking number: letters and digits, at most %(max)s.") % {
            "max": TRACKING_MAX
        }
    if problems:
        raise ValidationFailed(_("The return shipment has invalid fields."), details=problems)
    with transaction.atomic():
        app = _locked(application_id)
        if app.customer_id != customer.pk:
            raise NotFound(_("No such after-sales application."), details={"application": application_id})
        _move(app, Action.SHIP_RETURN, actor=actor, note=f"{carrier} {tracking_no}")
        app.return_carrier = carrier
        app.return_tracking_no = tracking_no
        app.return_shipped_at = timezone.now()
        app.save(update_fields=["status", "return_carrier", "return_tracking_no", "return_shipped_at", "updated_at"])
    return app


def application_receive(*, application_id: int, warehouse_id: int, actor: ActorContext) -> Application:
    """The warehouse has the returned parcel in hand (not yet inspected)."""
    warehouse = inventory_reads.warehouse_get(warehouse_id=warehouse_id)
    with transaction.atomic():
        app = _locked(application_id)
        if app.status == Status.RECEIVED and app.warehouse_id == warehouse.pk:
            return app
        _move(app, Action.RECEIVE, actor=actor, note=warehouse.name)
        app.warehouse_id = warehouse.pk
        app.received_at = timezone.now()
        app.save(update_fields=["status", "warehouse_id", "received_at", "updated_at"])
        audit_record(actor=actor, action="aftersales.receive", target=app, after=_snapshot(app))
    return app


def application_inspect(
    *, application_id: int, result: str, note: str, actor: ActorContext, gift_result: str = ""
) -> Application:
    """Inspect a received return: passed goods go back to stock, damaged ones are written off;
    then a return is refunded and an exchange ships its replacement. `gift_result` says what came
    back of the order's gift (pass, damaged, missing): required when the application must bring
    the gift back (see `gifts.gifts_inspect`)."""
    note = (note or "").strip()
    if result not in Inspection.values:
        raise ValidationFailed(_("Choose passed or damaged."), details={"result": "pass | damaged"})
    if result == Inspection.DAMAGED and not note:
        raise ValidationFailed(_("Describe the damage."), details={"note": "required"})
    with transaction.atomic():
        payments.payments_lock(reference=_reference_of(application_id))
        app = _locked(application_id)
        if app.status != Status.RECEIVED and app.inspection:
            return app  # inspected already (a second click)
        _move(app, Action.INSPECT, actor=actor, note=f"{Inspection(result).label} {note}".strip())
        if app.kind != Kind.EXCHANGE:
            gifts.gifts_inspect(app, result=gift_result.strip(), warehouse_id=app.warehouse_id, actor=actor)
        app.inspection = result
        app.inspection_note = note[:NOTE_MAX]
        app.inspected_at = timezone.now()
        app.save(update_fields=["status", "inspection", "inspection_note", "inspected_at", "updated_at"])
        if app.kind == Kind.RETURN_REFUND:
            _refund_start(app, actor=actor)
        line = app.line
        if line.sku_id is not None and app.warehouse_id is not None:
            reason = _("After-sales %(number)s") % {"number": app.number}
            stock.stock_return(
                sku_id=line.sku_id,
                warehouse_id=app.warehouse_id,
                quantity=app.quantity,
                reference=app.reference,
                actor=actor,
                reason=reason,
            )
            if result == Inspection.DAMAGED:
                stock.stock_adjust(
                    sku_id=line.sku_id,
                    warehouse_id=app.warehouse_id,
                    delta=-app.quantity,
                    reason=f"{reason}: {note}"[:200],
                    actor=actor,
                    reference=f"{app.reference}:write-off",
                    write_off=True,
                )
        if app.kind == Kind.EXCHANGE:
            _ship_replacement(app, actor=actor)
        audit_record(actor=actor, action="aftersales.inspect", target=app, after={**_snapshot(app), "result": result})
    return app


def _ship_replacement(app: Application, *, actor: ActorContext) -> None:
    line = app.line
    if line.sku_id is None:
        raise AfterSalesRefused(_("This product is no longer sold: refund instead."), details={"reason": "no_sku"})
    reference = f"exchange:{app.number}"
    shipment = fulfillment.replacement_ship(
        order_id=app.order_id, sku_id=line.sku_id, quantity=app.quantity, reference=reference, actor=actor
    )
    _move(app, Action.SHIP_EXCHANGE, actor=actor, note=_("Shipment %(id)s") % {"id": shipment.pk})
    app.replacement_reference = reference
    app.save(update_fields=["status", "replacement_reference", "updated_at"])


def _refund_start(app: Application, *, actor: ActorContext) -> None:
    """Ask the order for this application's money (the caller holds the payment lock and the
    application): the units' share less what comes off for the order's gifts (settled now, once).
    The key names the application and the attempt: a second call of the same attempt is the same
    refund. When the gifts take the whole share, nothing goes to the gateway: the application is
    refunded at ¥0 at once."""
    line = app.line
    state = line_state(line, exclude=app.pk)
    share = _amount_for(line, app.kind, app.quantity, state)
    if share <= 0:
        raise AfterSalesRefused(
            _("Nothing is left to refund on this line."), details={"reason": "already_refunded", "line": line.pk}
        )
    deduction = gifts.gifts_settle(app, share_fen=share, actor=actor)
    amount = share - deduction
    note = str(Money(amount))
    if deduction:
        note = _("%(amount)s (%(share)s less %(gift)s for the gift)") % {
            "amount": Money(amount),
            "share": Money(share),
            "gift": Money(deduction),
        }
    _move(app, Action.REFUND, actor=actor, note=note)
    app.refund_attempt += 1
    app.amount_fen, app.gift_deduction_fen = amount, deduction
    if amount > 0:
        refund = orders.order_refund(
            order=app.order,
            amounts={line.pk: Money(amount)},
            reason=_("After-sales %(number)s: %(reason)s") % {"number": app.number, "reason": app.get_reason_display()},
            request_key=f"aftersales-{app.number}-{app.refund_attempt}",
            actor=actor,
        )
        app.refund_key = refund.request_key
    app.save(update_fields=["status", "refund_attempt", "amount_fen", "gift_deduction_fen", "refund_key", "updated_at"])
    if amount == 0:
        _refunded(app, amount_fen=0, note=_("Nothing to pay back: the gift took the whole share"))
        gifts.held_gifts_review(order_id=app.order_id)


def application_refund_retry(*, application_id: int, actor: ActorContext) -> Application:
    """Ask again for a refund the gateway refused."""
    with transaction.atomic():
        payments.payments_lock(reference=_reference_of(application_id))
        app = _locked(application_id)
        if app.status != Status.REFUND_FAILED:
            return app
        _refund_start(app, actor=actor)
        audit_record(actor=actor, action="aftersales.refund_retry", target=app, after=_snapshot(app))
    return app


def application_close(*, application_id: int, actor: ActorContext) -> Application:
    """Close an exchange whose replacement has reached the customer."""
    with transaction.atomic():
        app = _locked(application_id)
        if app.status == Status.CLOSED:
            return app
        _move(app, Action.CLOSE, actor=actor)
        app.closed_at = timezone.now()
        app.save(update_fields=["status", "closed_at", "updated_at"])
    return app


# --- reactions to other apps ------------------------------------------------------------------


def on_refund_succeeded(event: RefundSucceeded) -> None:
    """The gateway paid the refund back: the application is refunded (once, however notified).
    Any refund of an order may decide its held gifts (sent, or never sent)."""
    found = Application.objects.filter(refund_key=event.request_key).values_list("pk", flat=True).first()
    if found is not None:
        app = _locked(found)
        if app.status in (Status.REFUNDING, Status.REFUND_FAILED):
            _refunded(app, amount_fen=event.amount_fen, note=str(Money(event.amount_fen)))
    gifts.on_refund_succeeded(event)


def _refunded(app: Application, *, amount_fen: int, note: str) -> None:
    """The locked application's money is back (or nothing was due): refunded, and units refunded
    before shipment come out of the unshipped parcel."""
    _move(app, Action.REFUND_SUCCEED, actor=ActorContext.system(), note=note)
    app.refunded_fen = amount_fen
    app.refunded_at = timezone.now()
    app.closed_at = app.refunded_at
    app.save(update_fields=["status", "refunded_fen", "refunded_at", "closed_at", "updated_at"])
    order = app.order
    line = app.line
    line.refresh_from_db(fields=["refunded_fen"])
    if app.stage == Stage.BEFORE_SHIPMENT and order.status in (OrderStatus.PAID, OrderStatus.ALLOCATED):
        # The units come out of the unshipped parcel (a line refunded in full, fulfilment takes
        # out by itself). What no parcel holds any more (already on its way) is followed up.
        removed = app.quantity
        if line.refunded_fen < line.total_fen and line.sku_id:
            removed = fulfillment.shipment_units_remove(
                order_id=order.pk,
                sku_id=line.sku_id,
                quantity=app.quantity,
                actor=ActorContext.system(),
                reason=_("After-sales %(number)s: %(reason)s")
                % {"number": app.number, "reason": app.get_reason_display()},
            )
        if removed < app.quantity:
            ServiceItem.objects.create(
                order_id=order.pk,
                number=order.number,
                note=(
                    _("Refunded before shipment (%(number)s): do not ship %(quantity)s × %(sku)s")
                    % {"number": app.number, "quantity": app.quantity - removed, "sku": line.sku_code}
                )[:300],
            )


def on_refund_failed(event: RefundFailed) -> None:
    found = Application.objects.filter(refund_key=event.request_key).values_list("pk", flat=True).first()
    if found is None:
        return
    app = _locked(found)
    if app.status != Status.REFUNDING:
        return
    _move(app, Action.REFUND_FAIL, actor=ActorContext.system(), note=event.reason)
    app.save(update_fields=["status", "updated_at"])


def on_shipment_exception(event: ShipmentException) -> None:
    """A carrier reported a problem with a parcel: one open service item per shipment."""
    if ServiceItem.objects.filter(shipment_id=event.shipment_id, status=ServiceItemStatus.OPEN).exists():
        return
    with transaction.atomic():
        ServiceItem.objects.create(
            order_id=event.order_id,
            number=event.number[:24],
            shipment_id=event.shipment_id,
            carrier=event.carrier[:40],
            tracking_no=event.tracking_no[:40],
            note=(event.note or _("Carrier exception"))[:300],
        )


def on_shipment_delivered(event: ShipmentDelivered) -> None:
    """A replacement reached the customer: its exchange closes (other parcels of the order do not).
    The order's goods reached the customer: a gift held until then may be sent."""
    gifts.held_gifts_review(order_id=event.order_id)
    waiting = Application.objects.filter(order_id=event.order_id, status=Status.EXCHANGE_SHIPPED, kind=Kind.EXCHANGE)
    if not waiting.exists():
        return
    reference = fulfillment_reads.shipment_get(shipment_id=event.shipment_id).reference
    for app_id in waiting.filter(replacement_reference=reference).values_list("pk", flat=True):
        app = _locked(app_id)
        if app.status == Status.EXCHANGE_SHIPPED:
            _move(app, Action.CLOSE, actor=ActorContext.system(), note=_("Replacement delivered"))
            app.closed_at = timezone.now()
            app.save(update_fields=["status", "closed_at", "updated_at"])


def service_item_resolve(*, item_id: int, resolution: str, actor: ActorContext) -> ServiceItem:
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed(_("Say how it was resolved."), details={"resolution": "required"})
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise NotFound(_("No such service item."), details={"item": item_id})
        if item.status == ServiceItemStatus.RESOLVED:
            return item
        item.status = ServiceItemStatus.RESOLVED
        item.resolution = resolution[:300]
        item.resolved_at = timezone.now()
        item.resolved_by = actor.user
        item.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
        audit_record(
            actor=actor, action="aftersales.service_item_resolve", target=item, after={"resolution": resolution}
        )
    return item


# --- automatic approval rules -----------------------------------------------------------------


def auto_rule_create(*, kind: str, stage: str, max_amount: Money, actor: ActorContext) -> AutoApprovalRule:
    problems: dict[str, str] = {}
    if kind not in AfterSalesKind.values:
        problems["kind"] = _("Choose a kind.")
    if stage not in RuleStageChoice.values:
        problems["stage"] = _("Choose an order stage.")
    if max_amount.fen < 0 or max_amount.fen > 10**9:
        problems["max_amount"] = _("Give an amount from ¥0 to ¥10,000,000.")
    if kind == Kind.EXCHANGE:
        problems["kind"] = _("Exchanges need the goods back first: approve them by hand.")
    if problems:
        raise ValidationFailed(_("The rule has invalid fields."), details=problems)
    with transaction.atomic():
        rule = AutoApprovalRule.objects.create(kind=kind, stage=stage, max_fen=max_amount.fen, created_by=actor.user)
        audit_record(
            actor=actor,
            action="aftersales.rule_create",
            target=rule,
            after={"kind": kind, "stage": stage, "max_fen": rule.max_fen},
        )
    return rule


def auto_rule_delete(*, rule_id: int, actor: ActorContext) -> None:
    with transaction.atomic():
        rule = AutoApprovalRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("No such rule."), details={"rule": rule_id})
        before = {"kind": rule.kind, "stage": rule.stage, "max_fen": rule.max_fen}
        audit_record(actor=actor, action="aftersales.rule_delete", target=rule, before=before)
        rule.delete()


__all__ = [
    "AfterSalesRefused",
    "HistoricApplication",
    "LineState",
    "application_apply",
    "application_approve",
    "application_cancel",
    "application_close",
    "application_inspect",
    "application_receive",
    "application_refund_retry",
    "application_refuse",
    "application_ship_return",
    "applications_bulk_load",
    "auto_rule_create",
    "auto_rule_delete",
    "line_state",
    "on_refund_failed",
    "on_refund_succeeded",
    "on_shipment_delivered",
    "on_shipment_exception",
    "service_item_resolve",
]


# --- history loads (demo data, migrations from another system) ------------------------------


@dataclass(frozen=True)
class HistoricApplication:
    """An application that already happened (or is under way) elsewhere, written as it is, in bulk.
    It moves no money or stock: the caller loads those (a refunded one names its order refund)."""

    order_id: int
    line_id: int
    customer_id: int
    kind: str
    status: str
    stage: str
    reason: str
    quantity: int
    amount_fen: int
    created_at: datetime
    description: str = ""
    decided_at: datetime | None = None
    decision_note: str = ""
    return_carrier: str = ""
    return_tracking_no: str = ""
    refund_key: str = ""
    refunded_at: datetime | None = None


_HISTORY_STEPS = {
    Status.APPLIED: [],
    Status.APPROVED: [Action.APPROVE],
    Status.REFUSED: [Action.REFUSE],
    Status.CANCELLED: [Action.CANCEL],
    Status.RETURN_SHIPPED: [Action.APPROVE, Action.SHIP_RETURN],
    Status.REFUNDED: [
        Action.APPROVE,
        Action.SHIP_RETURN,
        Action.RECEIVE,
        Action.INSPECT,
        Action.REFUND,
        Action.REFUND_SUCCEED,
    ],
}


def applications_bulk_load(rows: Sequence[HistoricApplication], *, batch_size: int = 1000) -> int:
    """Write past applications with their timelines in bulk; at most one open per line."""
    used: set[str] = set()
    written = 0
    with transaction.atomic():
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            apps: list[Application] = []
            for row in batch:
                number = _new_number(row.created_at)
                while number in used:
                    number = _new_number(row.created_at)
                used.add(number)
                final = Status(row.status) in {Status.REFUSED, Status.CANCELLED, Status.REFUNDED}
                apps.append(
                    Application(
                        number=number,
                        order_id=row.order_id,
                        line_id=row.line_id,
                        customer_id=row.customer_id,
                        kind=row.kind,
                        status=row.status,
                        stage=row.stage,
                        reason=row.reason,
                        description=row.description[:DESCRIPTION_MAX],
                        quantity=row.quantity,
                        amount_fen=row.amount_fen,
                        created_at=row.created_at,
                        review_deadline=review_deadline(row.created_at, settings.AFTERSALES_REVIEW_HOURS),
                        decided_at=row.decided_at,
                        decision_note=row.decision_note[:NOTE_MAX],
                        return_carrier=row.return_carrier,
                        return_tracking_no=row.return_tracking_no,
                        return_shipped_at=row.decided_at if row.return_tracking_no else None,
                        refund_attempt=1 if row.refund_key else 0,
                        refund_key=row.refund_key,
                        refunded_fen=row.amount_fen if row.status == Status.REFUNDED else 0,
                        refunded_at=row.refunded_at,
                        inspection=Inspection.PASS
                        if row.status == Status.REFUNDED and row.kind != Kind.REFUND_ONLY
                        else "",
                        closed_at=(row.refunded_at or row.decided_at) if final else None,
                    )
                )
            Application.objects.bulk_create(apps)
            if any(app.pk is None for app in apps):
                by_number = {app.number: app for app in apps}
                for pk, number in Application.objects.filter(number__in=by_number).values_list("pk", "number"):
                    by_number[number].pk = pk
            timeline: list[ApplicationEvent] = []
            for app, row in zip(apps, batch, strict=True):
                timeline.append(
                    ApplicationEvent(application=app, kind="applied", actor_label="system", created_at=row.created_at)
                )
                status = Status.APPLIED
                steps = [
                    a
                    for a in _HISTORY_STEPS.get(Status(row.status), [])
                    if row.kind != Kind.REFUND_ONLY or a not in (Action.SHIP_RETURN, Action.RECEIVE, Action.INSPECT)
                ]
                for action in steps:
                    after = next_status(Kind(row.kind), status, action)
                    when = (
                        row.refunded_at
                        if action is Action.REFUND_SUCCEED and row.refunded_at
                        else row.decided_at or row.created_at
                    )
                    timeline.append(
                        ApplicationEvent(
                            application=app,
                            kind=action.value,
                            from_status=status.value,
                            to_status=after.value,
                            actor_label="system",
                            note=row.decision_note[:NOTE_MAX] if action in (Action.APPROVE, Action.REFUSE) else "",
                            created_at=when,
                        )
                    )
                    status = after
            ApplicationEvent.objects.bulk_create(timeline, batch_size=batch_size)
            written += len(apps)
    return written
