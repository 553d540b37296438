"""Fulfilment writes: open shipments for paid orders (one per warehouse), pick, scan and pack,
ship with a carrier's tracking number, deliver (customer, carrier or the automatic rule),
carrier tracking notifications and the sandbox carrier, carriers, bins and capacity.

Lock order, as everywhere: the order row, then its shipments (primary-key order), then stock.
Every status change goes through the pure state machine in `domain/states.py`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.apps.registry import Apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.core import events
from shopkeeper.core.errors import NotFound, PermissionDenied, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.fulfillment import selectors
from shopkeeper.fulfillment.domain.states import IllegalShipmentMove, ShipmentAction, next_status
from shopkeeper.fulfillment.domain.states import ShipmentStatus as Status
from shopkeeper.fulfillment.domain.tracking import (
    BadNotice,
    TrackingKind,
    TrackingNotice,
    notice_params,
    pattern_problem,
    signed,
    tracking_number_ok,
)
from shopkeeper.fulfillment.enums import DeliveredBy, PushStatus, ShipmentKind, ShipmentStatus
from shopkeeper.fulfillment.errors import ShipmentStateError
from shopkeeper.fulfillment.events import ShipmentDelivered, ShipmentException
from shopkeeper.fulfillment.models import (
    NO_BIN,
    BinLocation,
    Carrier,
    SandboxPush,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    WarehouseCapacity,
)
from shopkeeper.inventory import services as stock
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.orders.events import OrderPaid, OrderReleased
from shopkeeper.payments.events import RefundSucceeded

logger = logging.getLogger(__name__)

SHIPPABLE_ORDER = (OrderStatus.ALLOCATED, OrderStatus.SHIPPED)
# Orders bought through a campaign mechanic's own flow: dispatched within the campaign deadline.
CAMPAIGN_KINDS = frozenset({OrderKind.FLASH, OrderKind.GROUP, OrderKind.PRESALE})


def _label(actor: ActorContext) -> str:
    return actor.user.get_username() if actor.user else "system"


def _move(shipment: Shipment, action: ShipmentAction) -> None:
    try:
        shipment.status = next_status(Status(shipment.status), action).value
    except IllegalShipmentMove as refused:
        raise ShipmentStateError(
            _("This shipment is %(status)s and cannot be changed that way.")
            % {"status": ShipmentStatus(refused.status.value).label},
            details={"status": refused.status.value, "action": action.value},
        ) from refused


def _locked(shipment_id: int) -> Shipment:
    shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(_("No such shipment."), details={"shipment_id": shipment_id})
    return shipment


def _order_id_of(shipment_id: int) -> int:
    order_id = Shipment.objects.filter(pk=shipment_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(_("No such shipment."), details={"shipment_id": shipment_id})
    return order_id


# --- opening shipments ----------------------------------------------------------------------


def dispatch_hours(*, kind: str = OrderKind.NORMAL, priority: bool = False) -> int:
    """Hours from payment (or release) to the dispatch deadline: FULFILMENT_DISPATCH_HOURS, or
    FULFILMENT_CAMPAIGN_DISPATCH_HOURS for an order bought through a campaign mechanic (flash,
    group buy, presale) or marked priority, when that is shorter."""
    hours = int(settings.FULFILMENT_DISPATCH_HOURS)
    if priority or kind in CAMPAIGN_KINDS:
        hours = min(hours, int(settings.FULFILMENT_CAMPAIGN_DISPATCH_HOURS))
    return hours


def shipments_open(
    *, order_id: int, actor: ActorContext, start: datetime | None = None, hours: int | None = None
) -> list[Shipment]:
    """Open one shipment per warehouse that holds the order's units (a split order gets several).

    The dispatch deadline is `start` (payment or release) plus `hours` (default the setting
    FULFILMENT_DISPATCH_HOURS; a campaign passes fewer). Idempotent: a warehouse that already has
    the order's shipment is skipped. Runs in the caller's transaction (the payment's).
    """
    hours = dispatch_hours() if hours is None else hours
    if hours < 1:
        raise ValidationFailed(_("The dispatch deadline needs at least one hour."), details={"hours": hours})
    with transaction.atomic():
        order = order_reads.order_for_fulfilment(order_id=order_id)
        if order is None:
            raise NotFound(_("No such order."), details={"order_id": order_id})
        if order.status not in SHIPPABLE_ORDER or order.fulfilment_hold:
            return []
        held = stock.reservations_for(order.reference)
        existing = set(
            Shipment.objects.filter(order_id=order_id, reference=order.reference).values_list("warehouse_id", flat=True)
        )
        by_warehouse: dict[int, dict[int, int]] = {}
        for row in held:
            if row.warehouse_id not in existing:
                by_warehouse.setdefault(row.warehouse_id, {})
                by_warehouse[row.warehouse_id][row.sku_id] = (
                    by_warehouse[row.warehouse_id].get(row.sku_id, 0) + row.quantity
                )
        if not by_warehouse:
            return []
        deadline = (start or timezone.now()) + timedelta(hours=hours)
        if order.dispatch_deadline is None or deadline < order.dispatch_deadline:
            orders.order_dispatch_deadline_set(order_id=order_id, deadline=deadline)
        facts = {line.sku_id: line for line in order.lines.all()}
        opened: list[Shipment] = []
        for warehouse_id in sorted(by_warehouse):
            shipment = Shipment.objects.create(
                order_id=order_id,
                order_number=order.number,
                customer_id=order.customer_id,
                warehouse_id=warehouse_id,
                kind=ShipmentKind.ORDER,
                reference=order.reference,
                priority=order.priority,
                opened_at=start or timezone.now(),
                dispatch_deadline=deadline,
                recipient=order.recipient,
                province=order.province,
                city=order.city,
            )
            ShipmentLine.objects.bulk_create(
                [
                    ShipmentLine(
                        shipment=shipment,
                        sku_id=sku_id,
                        sku_code=facts[sku_id].sku_code if sku_id in facts else str(sku_id),
                        title=facts[sku_id].title if sku_id in facts else "",
                        spec_label=facts[sku_id].spec_label if sku_id in facts else "",
                        quantity=quantity,
                    )
                    for sku_id, quantity in sorted(by_warehouse[warehouse_id].items())
                ]
            )
            opened.append(shipment)
    return opened


def on_order_paid(event: OrderPaid) -> None:
    """The order is paid and allocated: its shipments enter the warehouses' queues (unless held)."""
    if event.held:
        return
    hours = dispatch_hours(kind=event.kind, priority=event.priority)
    shipments_open(order_id=event.order_id, actor=ActorContext.system(), start=event.paid_at, hours=hours)


def on_order_released(event: OrderReleased) -> None:
    """A held order may ship now: its deadline counts from the release."""
    order = order_reads.order_for_fulfilment(order_id=event.order_id)
    hours = dispatch_hours(kind=order.kind, priority=order.priority) if order is not None else None
    shipments_open(order_id=event.order_id, actor=ActorContext.system(), start=timezone.now(), hours=hours)


def on_refund_succeeded(event: RefundSucceeded) -> None:
    """Money went back before the parcels left. When that closed the order they are cancelled
    (orders has already given the reserved units back to stock); otherwise the units of every line
    now refunded in full come out of them. Runs in the refund's transaction."""
    waiting = list(
        Shipment.objects.filter(
            reference=event.reference, kind=ShipmentKind.ORDER, status__in=list(selectors.WAITING_STATUSES)
        ).values_list("pk", "order_id")
    )
    if not waiting:
        return
    order = orders.order_fulfilment_lock(order_id=waiting[0][1])
    if order.status in SHIPPABLE_ORDER:
        _refunded_lines_take_out(order, actor=ActorContext.system())
        return
    if order.status != OrderStatus.CLOSED:
        return
    for shipment in Shipment.objects.select_for_update().filter(pk__in=[pk for pk, _order in waiting]).order_by("pk"):
        if shipment.status in selectors.WAITING_STATUSES:
            _move(shipment, ShipmentAction.CANCEL)
            shipment.save(update_fields=["status"])


def _refunded_lines_take_out(order: Any, *, actor: ActorContext) -> None:
    """Parcels not shipped yet keep no unit of a line refunded in full (idempotent: what the order's
    other lines of that SKU still need, less what already left, stays)."""
    lines = list(order.lines.all())

    def refunded(line: Any) -> bool:
        return bool(line.total_fen > 0 and line.refunded_fen >= line.total_fen)

    parcels = ShipmentLine.objects.filter(
        shipment__order_id=order.pk, shipment__reference=order.reference, shipment__kind=ShipmentKind.ORDER
    )
    for sku_id in sorted({line.sku_id for line in lines if line.sku_id and refunded(line)}):
        keep = sum(line.quantity for line in lines if line.sku_id == sku_id and not refunded(line))
        of_sku = parcels.filter(sku_id=sku_id)
        waiting = sum(of_sku.filter(shipment__status__in=selectors.WAITING_STATUSES).values_list("quantity", flat=True))
        gone = sum(
            of_sku.exclude(shipment__status__in=[*selectors.WAITING_STATUSES, ShipmentStatus.CANCELLED]).values_list(
                "quantity", flat=True
            )
        )
        extra = waiting - max(keep - gone, 0)
        if extra > 0:
            _units_take_out(order, sku_id=sku_id, quantity=extra, actor=actor, reason=_("Line refunded in full"))


def _units_take_out(order: Any, *, sku_id: int, quantity: int, actor: ActorContext, reason: str) -> int:
    """Take up to `quantity` units of the SKU out of the order's parcels not shipped yet (the caller
    holds the order lock): the parcel line shrinks or goes, the units' reservation is released, an
    emptied parcel is cancelled and a packed one goes back to picked, to be scanned again."""
    left = quantity
    waiting = Shipment.objects.select_for_update().filter(
        order_id=order.pk,
        reference=order.reference,
        kind=ShipmentKind.ORDER,
        status__in=list(selectors.WAITING_STATUSES),
    )
    for shipment in waiting.order_by("pk"):
        line = shipment.lines.filter(sku_id=sku_id).order_by("pk").first()
        if line is None:
            continue
        taken = min(left, line.quantity)
        stock.stock_release_units(
            reference=shipment.reference,
            warehouse_id=shipment.warehouse_id,
            sku_id=sku_id,
            quantity=taken,
            actor=actor,
            reason=reason,
        )
        if taken == line.quantity:
            line.delete()
        else:
            line.quantity -= taken
            line.packed_quantity = min(line.packed_quantity, line.quantity)
            line.save(update_fields=["quantity", "packed_quantity"])
        left -= taken
        before = shipment.status
        if not shipment.lines.exists():
            _move(shipment, ShipmentAction.CANCEL)
            shipment.save(update_fields=["status"])
        elif shipment.status == ShipmentStatus.PACKED:
            _move(shipment, ShipmentAction.UNPACK)
            shipment.packed_at = None
            shipment.save(update_fields=["status", "packed_at"])
            shipment.lines.update(packed_quantity=0)
        audit_record(
            actor=actor,
            action="shipment.units_removed",
            target=shipment,
            before={"status": before},
            after={
                "status": shipment.status,
                "sku_id": sku_id,
                "quantity": taken,
                "reason": reason,
                "note": _("Rescan the parcel: refunded units came out of it.")
                if before == ShipmentStatus.PACKED and shipment.status == ShipmentStatus.PICKED
                else "",
            },
        )
        if left == 0:
            break
    if left and not Shipment.objects.filter(order_id=order.pk, reference=order.reference).exists():
        # A held order is not in the queue yet: its parcel opens later from what is still held.
        for row in stock.reservations_for(order.reference):
            if left and row.sku_id == sku_id:
                left -= stock.stock_release_units(
                    reference=order.reference,
                    warehouse_id=row.warehouse_id,
                    sku_id=sku_id,
                    quantity=left,
                    actor=actor,
                    reason=reason,
                )
    return quantity - left


def shipment_units_remove(*, order_id: int, sku_id: int, quantity: int, actor: ActorContext, reason: str) -> int:
    """Refunded units (e.g. an after-sales refund only before shipment) come out of the order's
    parcels that have not shipped yet; their reservation is released. Returns the units taken out
    (fewer when the parcels hold fewer; 0 when the order is closed: its parcels are cancelled)."""
    if quantity < 1:
        raise ValidationFailed(_("Remove at least one unit."), details={"quantity": quantity})
    with transaction.atomic():
        order = orders.order_fulfilment_lock(order_id=order_id)
        if order.status not in SHIPPABLE_ORDER:
            return 0
        return _units_take_out(order, sku_id=sku_id, quantity=quantity, actor=actor, reason=reason.strip()[:200])


def replacement_ship(*, order_id: int, sku_id: int, quantity: int, reference: str, actor: ActorContext) -> Shipment:
    """Reserve a replacement unit for an after-sales exchange and open a shipment for it.

    `reference` names the exchange (e.g. "exchange:AS123"): it is the stock reference, so asking
    twice opens one shipment. The units are reserved in the warehouse that serves the order's
    province (nearest first); raises inventory's OutOfStock when none has them. When the units
    have to come from two warehouses, two shipments open and the first is answered (all are in
    `selectors.order_shipments`).
    """
    if quantity < 1:
        raise ValidationFailed(_("Replace at least one unit."), details={"quantity": quantity})
    reference = reference.strip()[:100]
    if not reference:
        raise ValidationFailed(_("A replacement needs a reference."), details={"reference": "required"})
    with transaction.atomic():
        order = orders.order_fulfilment_lock(order_id=order_id)
        found = list(Shipment.objects.filter(order_id=order_id, reference=reference).order_by("pk"))
        if found:
            return found[0]
        held = stock.stock_reserve(
            reference=reference,
            lines=[stock.ReserveLine(sku_id=sku_id, quantity=quantity)],
            province=order.province,
            actor=actor,
        )
        sku = catalog.sale_skus([sku_id]).get(sku_id)
        now = timezone.now()
        opened: list[Shipment] = []
        for row in held:
            shipment = Shipment.objects.create(
                order_id=order_id,
                order_number=order.number,
                customer_id=order.customer_id,
                warehouse_id=row.warehouse_id,
                kind=ShipmentKind.REPLACEMENT,
                reference=reference,
                priority=True,  # a customer already waits for it
                opened_at=now,
                dispatch_deadline=now + timedelta(hours=dispatch_hours()),
                recipient=order.recipient,
                province=order.province,
                city=order.city,
            )
            ShipmentLine.objects.create(
                shipment=shipment,
                sku_id=sku_id,
                sku_code=sku.sku_code if sku else str(sku_id),
                title=sku.title if sku else "",
                spec_label=sku.spec_label if sku else "",
                quantity=row.quantity,
            )
            opened.append(shipment)
        audit_record(
            actor=actor,
            action="shipment.replacement",
            target=opened[0],
            after={"order": order.number, "sku_id": sku_id, "quantity": quantity, "reference": reference},
        )
    return opened[0]


# --- pick, scan, pack -----------------------------------------------------------------------


def shipments_pick(*, shipment_ids: Iterable[int], actor: ActorContext) -> int:
    """Mark the shipments of a picking list picked. Those already picked (or further) are skipped."""
    ids = sorted(set(shipment_ids))
    if not ids:
        raise ValidationFailed(_("Choose the shipments to pick."), details={"shipments": "required"})
    picked = 0
    with transaction.atomic():
        now = timezone.now()
        for shipment in Shipment.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if shipment.status != ShipmentStatus.TO_PICK:
                continue
            _move(shipment, ShipmentAction.PICK)
            shipment.picked_at = now
            shipment.save(update_fields=["status", "picked_at"])
            picked += 1
        if picked:
            audit_record(
                actor=actor, action="shipment.pick", object_type="fulfillment.shipment", after={"shipments": ids}
            )
    return picked


@dataclass(frozen=True)
class Scan:
    sku_code: str
    scanned: int
    quantity: int
    complete: bool  # every line of the shipment is counted


def shipment_scan(*, shipment_id: int, code: str, actor: ActorContext) -> Scan:
    """Count one scanned unit on the packing bench: the code must be a SKU of the parcel that is
    not fully counted yet; anything else is refused and changes nothing."""
    code = code.strip()
    if not code:
        raise ValidationFailed(_("Scan or type a SKU code."), details={"code": "required"})
    with transaction.atomic():
        shipment = _locked(shipment_id)
        if shipment.status != ShipmentStatus.PICKED:
            raise ShipmentStateError(_("Only a picked shipment is packed."), details={"status": shipment.status})
        lines = list(shipment.lines.all())
        matching = [line for line in lines if line.sku_code.casefold() == code.casefold()]
        if not matching:
            raise ValidationFailed(
                _("“%(code)s” is not in this parcel.") % {"code": code[:64]}, details={"code": code[:64]}
            )
        line = next((line for line in matching if not line.scanned), None)
        if line is None:
            raise ValidationFailed(
                _("All %(quantity)s of %(code)s are already counted.")
                % {"quantity": sum(m.quantity for m in matching), "code": matching[0].sku_code},
                details={"code": code[:64]},
            )
        ShipmentLine.objects.filter(pk=line.pk).update(packed_quantity=F("packed_quantity") + 1)
        line.packed_quantity += 1
        complete = all(item.scanned for item in lines)
    return Scan(sku_code=line.sku_code, scanned=line.packed_quantity, quantity=line.quantity, complete=complete)


def shipment_scan_reset(*, shipment_id: int, actor: ActorContext) -> None:
    """Start counting the parcel again (a unit went back to the shelf)."""
    with transaction.atomic():
        shipment = _locked(shipment_id)
        if shipment.status != ShipmentStatus.PICKED:
            raise ShipmentStateError(_("Only a picked shipment is packed."), details={"status": shipment.status})
        shipment.lines.update(packed_quantity=0)


def shipment_pack(*, shipment_id: int, actor: ActorContext) -> Shipment:
    """Close the parcel: every unit of every line must have been scanned."""
    with transaction.atomic():
        shipment = _locked(shipment_id)
        missing = {
            line.sku_code: line.quantity - line.packed_quantity for line in shipment.lines.all() if not line.scanned
        }
        if shipment.status == ShipmentStatus.PICKED and missing:
            raise ValidationFailed(
                _("Scan every unit first: %(count)s still missing.") % {"count": sum(missing.values())},
                details={"missing": missing},
            )
        _move(shipment, ShipmentAction.PACK)
        shipment.packed_at = timezone.now()
        shipment.save(update_fields=["status", "packed_at"])
    return shipment


# --- ship and deliver -----------------------------------------------------------------------


# The common carriers and their tracking-number formats, seeded by migration and editable after.
DEFAULT_CARRIERS = (
    ("SF", "顺丰速运", r"^SF\d{12}$"),
    ("ZTO", "中通快递", r"^\d{12,15}$"),
    ("YTO", "圆通速递", r"^YT\d{13}$"),
    ("JD", "京东物流", r"^JD[A-Z0-9]{13}$"),
    ("EMS", "中国邮政 EMS", r"^[A-Z]{2}\d{9}CN$"),
)


def carriers_seed(apps: Apps | None = None) -> int:
    """Add the default carriers that are missing (a fresh database, or one flushed by tests).

    Called by the data migration with its historical models (`apps`); leaves existing rows as staff
    edited them. Answers how many were added.
    """
    model = apps.get_model("fulfillment", "Carrier") if apps is not None else Carrier
    added = 0
    for position, (code, name, pattern) in enumerate(DEFAULT_CARRIERS):
        _row, created = model.objects.get_or_create(
            code=code, defaults={"name": name, "tracking_pattern": pattern, "position": position}
        )
        added += created
    return added


def carrier_check_tracking(carrier: Carrier, tracking_no: str) -> str:
    number = tracking_no.strip().upper()
    if not number:
        raise ValidationFailed(_("Type the tracking number."), details={"tracking_no": "required"})
    if not tracking_number_ok(carrier.tracking_pattern, number):
        raise ValidationFailed(
            _("“%(number)s” is not a %(carrier)s tracking number.") % {"number": number[:40], "carrier": carrier.name},
            details={"tracking_no": number[:40], "pattern": carrier.tracking_pattern},
        )
    return number


def shipment_ship(*, shipment_id: int, carrier_code: str, tracking_no: str, actor: ActorContext) -> Shipment:
    """Hand the packed parcel to the carrier: its units leave the warehouse's stock, and when it
    is the order's last shipment the order turns shipped. A second click is refused (Conflict)."""
    carrier = Carrier.objects.filter(code=carrier_code.strip().upper(), is_active=True).first()
    if carrier is None:
        raise ValidationFailed(_("Choose a carrier."), details={"carrier": carrier_code[:16]})
    number = carrier_check_tracking(carrier, tracking_no)
    with transaction.atomic():
        order = orders.order_fulfilment_lock(order_id=_order_id_of(shipment_id))
        shipment = _locked(shipment_id)
        if shipment.kind == ShipmentKind.ORDER and order.status not in SHIPPABLE_ORDER:
            raise ShipmentStateError(
                _("The order is %(status)s: do not ship it.") % {"status": OrderStatus(order.status).label},
                details={"order_status": order.status},
            )
        if Shipment.objects.filter(carrier=carrier, tracking_no=number).exclude(pk=shipment.pk).exists():
            raise ValidationFailed(
                _("Tracking number %(number)s is already on another parcel.") % {"number": number},
                details={"tracking_no": number},
            )
        _move(shipment, ShipmentAction.SHIP)
        stock.stock_deduct(reference=shipment.reference, warehouse_id=shipment.warehouse_id, actor=actor)
        shipment.carrier = carrier
        shipment.tracking_no = number
        shipment.shipped_at = timezone.now()
        shipment.shipped_by = actor.user
        shipment.save(update_fields=["status", "carrier", "tracking_no", "shipped_at", "shipped_by"])
        if shipment.kind == ShipmentKind.ORDER:
            waiting = (
                Shipment.objects.filter(order_id=order.pk, kind=ShipmentKind.ORDER)
                .filter(status__in=list(selectors.WAITING_STATUSES))
                .exists()
            )
            if not waiting:
                orders.order_ship(order_id=order.pk, actor=actor, note=f"{carrier.name} {number}")
        audit_record(
            actor=actor,
            action="shipment.ship",
            target=shipment,
            before={"status": ShipmentStatus.PACKED.value},
            after={"status": shipment.status, "carrier": carrier.code, "tracking_no": number},
        )
    return shipment


def _deliver(shipment: Shipment, *, by: str, actor: ActorContext, at: datetime | None = None) -> bool:
    """Deliver a locked shipment (the order is locked too); False when it already was."""
    if shipment.status == ShipmentStatus.DELIVERED:
        return False
    _move(shipment, ShipmentAction.DELIVER)
    shipment.delivered_at = at or timezone.now()
    shipment.delivered_by = by
    shipment.save(update_fields=["status", "delivered_at", "delivered_by"])
    events.publish(ShipmentDelivered(shipment_id=shipment.pk, order_id=shipment.order_id, number=shipment.order_number))
    if shipment.kind == ShipmentKind.ORDER:
        undelivered = (
            Shipment.objects.filter(order_id=shipment.order_id, kind=ShipmentKind.ORDER)
            .exclude(status=ShipmentStatus.DELIVERED)
            .exists()
        )
        if not undelivered:
            current = orders.order_fulfilment_lock(order_id=shipment.order_id)
            if current.status == OrderStatus.SHIPPED:
                orders.order_deliver(order_id=shipment.order_id, actor=actor, note=str(DeliveredBy(by).label))
    return True


def shipment_deliver(*, shipment_id: int, by: str, actor: ActorContext) -> Shipment:
    """The parcel reached the customer. Idempotent; the order turns delivered with its last parcel."""
    if by not in DeliveredBy.values:
        raise ValidationFailed(_("Unknown confirmation."), details={"by": by})
    with transaction.atomic():
        orders.order_fulfilment_lock(order_id=_order_id_of(shipment_id))
        shipment = _locked(shipment_id)
        if _deliver(shipment, by=by, actor=actor) and actor.user is not None and by == DeliveredBy.STAFF:
            audit_record(actor=actor, action="shipment.deliver", target=shipment, after={"status": shipment.status})
    return shipment


def shipment_confirm_receipt(*, shipment_id: int, customer: User, actor: ActorContext) -> Shipment:
    """The customer pressed "confirm receipt" for one of their parcels."""
    owner = Shipment.objects.filter(pk=shipment_id).values_list("customer_id", flat=True).first()
    if owner is None or owner != customer.pk:
        raise NotFound(_("No such shipment."), details={"shipment_id": shipment_id})
    return shipment_deliver(shipment_id=shipment_id, by=DeliveredBy.CUSTOMER, actor=actor)


def auto_deliver_days() -> int:
    return int(settings.FULFILMENT_AUTO_DELIVER_DAYS)


def shipments_auto_deliver(*, now: datetime | None = None, limit: int = 500) -> int:
    """Parcels shipped FULFILMENT_AUTO_DELIVER_DAYS ago and not confirmed count as delivered
    (the worker runs this every hour). Exceptions wait for the carrier or the staff."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=auto_deliver_days())
    due = list(
        Shipment.objects.filter(status=ShipmentStatus.SHIPPED, shipped_at__lte=cutoff)
        .order_by("shipped_at", "pk")
        .values_list("pk", "order_id")[:limit]
    )
    delivered = 0
    actor = ActorContext.system()
    for shipment_id, order_id in due:
        with transaction.atomic():
            orders.order_fulfilment_lock(order_id=order_id)
            shipment = _locked(shipment_id)
            if shipment.status != ShipmentStatus.SHIPPED or shipment.shipped_at is None or shipment.shipped_at > cutoff:
                continue
            if _deliver(shipment, by=DeliveredBy.AUTO, actor=actor, at=now):
                delivered += 1
    return delivered


# --- carrier tracking -----------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeOutcome:
    changed: bool
    detail: str  # recorded | duplicate | unknown_parcel


def tracking_notice_handle(*, carrier_code: str, params: dict[str, str]) -> NoticeOutcome:
    """A carrier pushed a tracking event. A bad signature raises PermissionDenied and changes
    nothing; the same event twice is recorded once; delivered and exception move the shipment."""
    from shopkeeper.fulfillment.carriers import tracking_carrier

    integration = tracking_carrier(carrier_code)
    try:
        notice = integration.read_notice(params)
    except BadNotice as bad:
        logger.warning("tracking notice for %s refused: %s", carrier_code, bad)
        raise PermissionDenied(
            _("The notification's signature is not valid."), details={"carrier": carrier_code}
        ) from None
    code = integration.code
    shipment_id, order_id = Shipment.objects.filter(carrier__code=code, tracking_no=notice.tracking_no).values_list(
        "pk", "order_id"
    ).first() or (None, None)
    if shipment_id is None or order_id is None:
        logger.warning("tracking notice %s for unknown parcel %s %s", notice.event_id, code, notice.tracking_no)
        return NoticeOutcome(changed=False, detail="unknown_parcel")
    with transaction.atomic():
        orders.order_fulfilment_lock(order_id=order_id)
        shipment = _locked(shipment_id)
        if TrackingEvent.objects.filter(carrier_code=code, event_id=notice.event_id).exists():
            return NoticeOutcome(changed=False, detail="duplicate")
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(
                    shipment=shipment,
                    carrier_code=code,
                    event_id=notice.event_id,
                    kind=notice.kind.value,
                    occurred_at=notice.occurred_at,
                    location=notice.location,
                    description=notice.description,
                )
        except IntegrityError:
            return NoticeOutcome(changed=False, detail="duplicate")
        _apply_notice(shipment, notice)
    return NoticeOutcome(changed=True, detail="recorded")


def _apply_notice(shipment: Shipment, notice: TrackingNotice) -> None:
    actor = ActorContext.system()
    status = shipment.status
    if notice.kind is TrackingKind.DELIVERED and status in (ShipmentStatus.SHIPPED, ShipmentStatus.EXCEPTION):
        _deliver(shipment, by=DeliveredBy.CARRIER, actor=actor, at=notice.occurred_at)
    elif notice.kind is TrackingKind.EXCEPTION and status == ShipmentStatus.SHIPPED:
        _move(shipment, ShipmentAction.FAIL)
        shipment.exception_note = notice.description[:200]
        shipment.save(update_fields=["status", "exception_note"])
        events.publish(
            ShipmentException(
                shipment_id=shipment.pk,
                order_id=shipment.order_id,
                number=shipment.order_number,
                carrier=notice_carrier(shipment),
                tracking_no=shipment.tracking_no,
                note=notice.description,
            )
        )
    elif notice.kind in (TrackingKind.IN_TRANSIT, TrackingKind.OUT_FOR_DELIVERY) and status == ShipmentStatus.EXCEPTION:
        _move(shipment, ShipmentAction.RESUME)
        shipment.save(update_fields=["status"])


def notice_carrier(shipment: Shipment) -> str:
    return shipment.carrier.code if shipment.carrier else ""


SANDBOX_TEXTS = {
    TrackingKind.COLLECTED: "快递员已揽收",
    TrackingKind.IN_TRANSIT: "快件已到达转运中心",
    TrackingKind.OUT_FOR_DELIVERY: "快递员正在派送",
    TrackingKind.DELIVERED: "已签收，签收人：本人",
    TrackingKind.EXCEPTION: "快件异常：收件地址无法派送",
}


def sandbox_push(
    *, shipment_id: int, kind: str, actor: ActorContext, description: str = "", tamper: bool = False
) -> SandboxPush:
    """The sandbox carrier reports a tracking event for a shipped parcel: a signed notification
    posted over HTTP to /fulfillment/carriers/<code>/notify/ by a task after commit."""
    from shopkeeper.fulfillment.carriers import notify_url, sandbox_enabled, sandbox_secret

    if not sandbox_enabled():
        raise PermissionDenied(_("The sandbox carrier is switched off on this site."))
    try:
        event_kind = TrackingKind(kind)
    except ValueError:
        raise ValidationFailed(_("Unknown tracking event."), details={"kind": kind}) from None
    shipment = Shipment.objects.select_related("carrier", "warehouse").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound(_("No such shipment."), details={"shipment_id": shipment_id})
    if shipment.carrier is None or not shipment.tracking_no:
        raise ShipmentStateError(_("Ship the parcel first."), details={"status": shipment.status})
    notice = TrackingNotice(
        event_id=f"SBX{secrets.token_hex(10)}",
        tracking_no=shipment.tracking_no,
        kind=event_kind,
        occurred_at=timezone.now(),
        location=shipment.city
        if event_kind in (TrackingKind.DELIVERED, TrackingKind.OUT_FOR_DELIVERY)
        else shipment.warehouse.city,
        description=(description.strip() or SANDBOX_TEXTS[event_kind])[:200],
    )
    body = signed(notice_params(notice), sandbox_secret())
    if tamper:
        body["sign"] = body["sign"][:-1] + ("0" if body["sign"][-1] != "0" else "1")
    with transaction.atomic():
        push = SandboxPush.objects.create(
            shipment=shipment, url=notify_url(shipment.carrier.code), params=body, tamper=tamper
        )
        transaction.on_commit(partial(_queue_push, push.pk))
    return push


def _queue_push(push_id: int) -> None:
    from shopkeeper.fulfillment.tasks import sandbox_send

    sandbox_send.delay(push_id)


def sandbox_push_send(*, push_id: int) -> str:
    """Post one sandbox notification (the task's body). A push already answered is not sent again."""
    from shopkeeper.fulfillment import carriers

    push = SandboxPush.objects.filter(pk=push_id).first()
    if push is None or push.status != PushStatus.SCHEDULED:
        return "skipped"
    answer = carriers.notification_post(push.url, dict(push.params))
    ok = answer.status == 200 and answer.body.strip() == "success"
    SandboxPush.objects.filter(pk=push_id, status=PushStatus.SCHEDULED).update(
        status=PushStatus.DELIVERED if ok else PushStatus.FAILED,
        http_status=answer.status,
        answer=(answer.body or answer.error)[:300],
        finished_at=timezone.now(),
    )
    return "delivered" if ok else "failed"


# --- carriers, bins, capacity ----------------------------------------------------------------


def carrier_save(
    *,
    code: str,
    name: str,
    tracking_pattern: str,
    actor: ActorContext,
    is_active: bool = True,
    position: int = 0,
) -> Carrier:
    """Create a carrier or change the one with this code (name, tracking-number format, active)."""
    code = code.strip().upper()
    name = name.strip()
    tracking_pattern = tracking_pattern.strip()
    problems: dict[str, str] = {}
    if not code or len(code) > 16 or not code.isalnum():
        problems["code"] = _("1–16 letters or digits.")
    if not name:
        problems["name"] = _("Required.")
    if (problem := pattern_problem(tracking_pattern)) is not None:
        problems["tracking_pattern"] = _("Not a valid regular expression: %(problem)s") % {"problem": problem}
    if problems:
        raise ValidationFailed(_("The carrier has invalid fields."), details=problems)
    with transaction.atomic():
        carrier = Carrier.objects.select_for_update().filter(code=code).first()
        before = None
        if carrier is None:
            carrier = Carrier(code=code)
        else:
            before = {
                "name": carrier.name,
                "tracking_pattern": carrier.tracking_pattern,
                "is_active": carrier.is_active,
            }
        carrier.name = name[:40]
        carrier.tracking_pattern = tracking_pattern[:200]
        carrier.is_active = is_active
        carrier.position = position
        carrier.save()
        audit_record(
            actor=actor,
            action="carrier.save",
            target=carrier,
            before=before,
            after={"name": carrier.name, "tracking_pattern": carrier.tracking_pattern, "is_active": carrier.is_active},
        )
    return carrier


def bin_set(*, warehouse_id: int, sku_id: int, code: str, actor: ActorContext) -> BinLocation:
    """Where a SKU sits in a warehouse (empty means "—", not known)."""
    code = code.strip()[:32] or NO_BIN
    with transaction.atomic():
        location, _created = BinLocation.objects.select_for_update().get_or_create(
            warehouse_id=warehouse_id, sku_id=sku_id
        )
        before = location.code
        location.code = code
        location.save(update_fields=["code"])
        audit_record(actor=actor, action="bin.set", target=location, before={"code": before}, after={"code": code})
    return location


def capacity_set(*, warehouse_id: int, orders_per_day: int, actor: ActorContext) -> WarehouseCapacity:
    """How many orders the warehouse ships a day (the surge drill's capacity)."""
    if not 1 <= orders_per_day <= 10_000_000:
        raise ValidationFailed(
            _("Capacity is 1 to 10,000,000 orders a day."), details={"orders_per_day": orders_per_day}
        )
    with transaction.atomic():
        capacity, _created = WarehouseCapacity.objects.select_for_update().get_or_create(warehouse_id=warehouse_id)
        before = capacity.orders_per_day
        capacity.orders_per_day = orders_per_day
        capacity.save(update_fields=["orders_per_day"])
        audit_record(
            actor=actor,
            action="capacity.set",
            target=capacity,
            before={"orders_per_day": before},
            after={"orders_per_day": orders_per_day},
        )
    return capacity


# --- history loads (demo data) ---------------------------------------------------------------


@dataclass(frozen=True)
class HistoricShipment:
    order_id: int
    order_number: str
    customer_id: int
    warehouse_id: int
    reference: str
    status: str
    opened_at: datetime
    dispatch_deadline: datetime
    recipient: str
    province: str
    city: str
    lines: Sequence[tuple[int, str, str, str, int]]  # sku_id, code, title, variant, quantity
    carrier_id: int | None = None
    tracking_no: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    priority: bool = False


def shipments_bulk_load(rows: Sequence[HistoricShipment], *, batch_size: int = 2000) -> int:
    """Write past shipments with their lines in bulk (no stock side effects: the caller's data)."""
    with transaction.atomic():
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            shipments = [
                Shipment(
                    order_id=row.order_id,
                    order_number=row.order_number,
                    customer_id=row.customer_id,
                    warehouse_id=row.warehouse_id,
                    reference=row.reference,
                    status=row.status,
                    priority=row.priority,
                    opened_at=row.opened_at,
                    dispatch_deadline=row.dispatch_deadline,
                    recipient=row.recipient,
                    province=row.province,
                    city=row.city,
                    carrier_id=row.carrier_id,
                    tracking_no=row.tracking_no,
                    picked_at=row.shipped_at,
                    packed_at=row.shipped_at,
                    shipped_at=row.shipped_at,
                    delivered_at=row.delivered_at,
                    delivered_by=DeliveredBy.CUSTOMER if row.delivered_at else "",
                )
                for row in batch
            ]
            Shipment.objects.bulk_create(shipments)
            if any(shipment.pk is None for shipment in shipments):
                keys = {(s.order_id, s.warehouse_id): s for s in shipments}
                for pk, order_id, warehouse_id in Shipment.objects.filter(
                    order_id__in=[s.order_id for s in shipments]
                ).values_list("pk", "order_id", "warehouse_id"):
                    if (order_id, warehouse_id) in keys:
                        keys[(order_id, warehouse_id)].pk = pk
            ShipmentLine.objects.bulk_create(
                [
                    ShipmentLine(
                        shipment=shipment,
                        sku_id=sku_id,
                        sku_code=code,
                        title=title[:200],
                        spec_label=variant[:200],
                        quantity=quantity,
                        packed_quantity=quantity if row.shipped_at else 0,
                    )
                    for shipment, row in zip(shipments, batch, strict=True)
                    for sku_id, code, title, variant, quantity in row.lines
                ],
                batch_size=batch_size,
            )
    return len(rows)
