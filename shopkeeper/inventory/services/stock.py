"""Stock writes: receive, reserve, release, ship (deduct), return, adjust, write off and count.

Every function runs in `transaction.atomic` (so it joins the caller's transaction), locks the stock
lines it changes **in primary-key order** in one statement, changes them with a conditional UPDATE
that can never take reserved above on hand or below zero, and writes one ledger row per change.
Lines are locked before anything else is read, so two calls for the same reference (a double
click) run one after the other and the second finds the first's work: each call is idempotent per
`reference`. Low-stock alerts open and resolve in the same transaction.

Callers that also lock their own rows (orders) lock those first, then call in here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.core.domain.regions import PROVINCES, Region
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.events import publish
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.inventory.domain.allocation import (
    CannotFill,
    Line,
    WarehouseStock,
    allocate,
    merge_lines,
)
from shopkeeper.inventory.domain.allocation import NotDeliverable as Unreachable
from shopkeeper.inventory.enums import MovementKind, ReservationState
from shopkeeper.inventory.errors import NotDeliverable, OutOfStock, StockRefused
from shopkeeper.inventory.events import LowStock
from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, StockReservation, Warehouse
from shopkeeper.inventory.selectors import Allocated

REASON_MAX = 200
REFERENCE_MAX = 100
MAX_QUANTITY = 10_000_000  # per change; a typo guard (an extra zero or five), far above any real receipt
DEFAULT_WAREHOUSE_CODE = "MAIN"


@dataclass(frozen=True)
class ReserveLine:
    sku_id: int
    quantity: int


# --- small parts ----------------------------------------------------------------------------


def _label(actor: ActorContext) -> str:
    return (actor.user.get_username() if actor.user else "system")[:150]


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationFailed(_("Give a reason: it goes into the stock ledger."), details={"reason": "required"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("The reason is longer than %(max)s characters.") % {"max": REASON_MAX}, details={"reason": "too long"}
        )
    return reason


def _clean_reference(reference: str, *, required: bool = False) -> str:
    reference = (reference or "").strip()
    if required and not reference:
        raise ValidationFailed(_("A reference is required."), details={"reference": "required"})
    if len(reference) > REFERENCE_MAX:
        raise ValidationFailed(
            _("The reference is longer than %(max)s characters.") % {"max": REFERENCE_MAX},
            details={"reference": "too long"},
        )
    return reference


def _clean_quantity(value: int, *, field: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Give a whole number."), details={field: value})
    low = 0 if allow_zero else 1
    if not low <= value <= MAX_QUANTITY:
        raise ValidationFailed(
            _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": MAX_QUANTITY},
            details={field: value},
        )
    return value


def _snapshot(stock: Stock) -> dict[str, int]:
    return {"on_hand": stock.on_hand, "reserved": stock.reserved, "safety_stock": stock.safety_stock}


def sku_ref(*, code: str | None = None, sku_id: int | None = None) -> catalog_selectors.SkuRef:
    """The SKU a caller names by code (sheets, the API, the console) or id; NotFound otherwise."""
    found = catalog_selectors.sku_refs(codes=[code.strip()]) if code is not None else []
    if code is None and sku_id is not None:
        found = catalog_selectors.sku_refs(ids=[sku_id])
    if not found:
        which = code if code is not None else sku_id
        raise NotFound(_("No SKU %(which)s") % {"which": which}, details={"sku": which})
    return found[0]


def _check_sku(sku_id: int) -> None:
    sku_ref(sku_id=sku_id)


def _check_warehouse(warehouse_id: int) -> None:
    if not Warehouse.objects.filter(pk=warehouse_id).exists():
        raise NotFound(_("No warehouse with id %(id)s") % {"id": warehouse_id}, details={"warehouse_id": warehouse_id})


def _lock(stock_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock stock lines in primary-key order (the one order every writer uses: no deadlocks)."""
    ids = sorted(set(stock_ids))
    if not ids:
        return {}
    rows = Stock.objects.select_for_update(of=("self",)).select_related("warehouse").filter(pk__in=ids).order_by("pk")
    return {stock.pk: stock for stock in rows}


def _locked_line(*, warehouse_id: int, sku_id: int) -> Stock:
    """The (warehouse, SKU) stock line, locked; created empty first when it does not exist yet."""
    _check_warehouse(warehouse_id)
    _check_sku(sku_id)
    Stock.objects.get_or_create(warehouse_id=warehouse_id, sku_id=sku_id)
    return (
        Stock.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(warehouse_id=warehouse_id, sku_id=sku_id)
    )


def _change(
    stock: Stock,
    *,
    kind: MovementKind,
    on_hand: int = 0,
    reserved: int = 0,
    reference: str,
    reason: str,
    actor: ActorContext,
    now: datetime,
) -> StockMovement:
    """Apply one change to a locked line with a conditional UPDATE; the ledger row is returned unsaved.

    The WHERE clause repeats the invariant 0 ≤ reserved ≤ on hand for the new values, so even a
    caller holding a stale copy cannot oversell: the UPDATE then touches nothing and we refuse.
    """
    guard = Q(pk=stock.pk, reserved__gte=-reserved) & Q(on_hand__gte=F("reserved") + reserved - on_hand)
    updated = Stock.objects.filter(guard).update(
        on_hand=F("on_hand") + on_hand, reserved=F("reserved") + reserved, updated_at=now
    )
    if updated != 1:
        raise StockRefused(
            _("The stock of this line changed meanwhile; nothing was changed. Try again."),
            details={"stock_id": stock.pk},
        )
    stock.on_hand += on_hand
    stock.reserved += reserved
    stock.updated_at = now
    return StockMovement(
        stock=stock,
        kind=kind,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        on_hand_after=stock.on_hand,
        reserved_after=stock.reserved,
        reference=reference,
        reason=reason[:REASON_MAX],
        actor=actor.user,
        actor_label=_label(actor),
        created_at=now,
    )


def _sync_alerts(stocks: Iterable[Stock], *, now: datetime, every: bool = False) -> list[LowStockAlert]:
    """Open an alert for each line now under its safety stock, resolve those back above it.

    A line whose safety stock is 0 cannot have an open alert (setting it to 0 resolves it, with
    `every=True`), so only lines with a safety stock cost a query.
    """
    lines = {stock.pk: stock for stock in stocks if every or stock.safety_stock > 0}
    if not lines:
        return []
    open_ids = set(
        LowStockAlert.objects.filter(stock_id__in=list(lines), resolved_at__isnull=True).values_list(
            "stock_id", flat=True
        )
    )
    opened = [
        LowStockAlert(stock=stock, available=stock.available, safety_stock=stock.safety_stock, opened_at=now)
        for stock in lines.values()
        if stock.is_low and stock.pk not in open_ids
    ]
    recovered = [pk for pk in open_ids if not lines[pk].is_low]
    if recovered:
        LowStockAlert.objects.filter(stock_id__in=recovered, resolved_at__isnull=True).update(resolved_at=now)
    if opened:
        LowStockAlert.objects.bulk_create(opened)
        for alert in opened:
            publish(
                LowStock(
                    sku_id=alert.stock.sku_id,
                    warehouse_id=alert.stock.warehouse_id,
                    available=alert.available,
                    safety_stock=alert.safety_stock,
                )
            )
    return opened


def _existing(stock: Stock, kind: MovementKind, reference: str) -> StockMovement | None:
    if not reference:
        return None
    return StockMovement.objects.filter(stock=stock, kind=kind, reference=reference).order_by("pk").first()


def _single(
    *,
    kind: MovementKind,
    sku_id: int,
    warehouse_id: int,
    actor: ActorContext,
    reference: str,
    reason: str,
    on_hand_delta: Callable[[Stock], int],
    audit_action: str,
) -> StockMovement:
    """One change to one line. `on_hand_delta(stock)` gives the change once the line is locked."""
    with transaction.atomic():
        stock = _locked_line(warehouse_id=warehouse_id, sku_id=sku_id)
        done = _existing(stock, kind, reference)
        if done is not None:
            return done
        before = _snapshot(stock)
        delta: int = on_hand_delta(stock)
        now = timezone.now()
        movement = _change(stock, kind=kind, on_hand=delta, reference=reference, reason=reason, actor=actor, now=now)
        movement.save()
        _sync_alerts([stock], now=now)
        audit_record(
            actor=actor,
            action=audit_action,
            target=stock,
            object_label=f"{stock.warehouse.code} / SKU {stock.sku_id}",
            before=before,
            after={**_snapshot(stock), "change": delta, "reason": reason, "reference": reference},
        )
    return movement


def _refuse_below_reserved(stock: Stock, new_on_hand: int) -> None:
    if new_on_hand < 0:
        raise StockRefused(
            _("On hand cannot go below zero: %(on_hand)s on hand.") % {"on_hand": stock.on_hand},
            details={"on_hand": stock.on_hand, "reserved": stock.reserved, "would_be": new_on_hand},
        )
    if new_on_hand < stock.reserved:
        raise StockRefused(
            _("On hand cannot go below the %(reserved)s units reserved for orders. Ship or release those orders first.")
            % {"reserved": stock.reserved},
            details={"on_hand": stock.on_hand, "reserved": stock.reserved, "would_be": new_on_hand},
        )


# --- receipts, returns, adjustments, counts -------------------------------------------------


def stock_receive(
    *, sku_id: int, warehouse_id: int, quantity: int, actor: ActorContext, reference: str = "", reason: str = ""
) -> StockMovement:
    """Goods in (after quality inspection): on hand += quantity. Idempotent per reference."""
    quantity = _clean_quantity(quantity, field="quantity")
    return _single(
        kind=MovementKind.RECEIPT,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        actor=actor,
        reference=_clean_reference(reference),
        reason=_clean_reason(reason, required=False),
        on_hand_delta=lambda stock: quantity,
        audit_action="stock.receive",
    )


def stock_return(
    *, sku_id: int, warehouse_id: int, quantity: int, reference: str, actor: ActorContext, reason: str
) -> StockMovement:
    """A customer's return put back on the shelf: on hand += quantity. Idempotent per reference."""
    quantity = _clean_quantity(quantity, field="quantity")
    return _single(
        kind=MovementKind.RETURN,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        actor=actor,
        reference=_clean_reference(reference, required=True),
        reason=_clean_reason(reason, required=False),
        on_hand_delta=lambda stock: quantity,
        audit_action="stock.return",
    )


def stock_adjust(
    *,
    sku_id: int,
    warehouse_id: int,
    delta: int,
    reason: str,
    actor: ActorContext,
    reference: str = "",
    write_off: bool = False,
) -> StockMovement:
    """Correct on hand by `delta` (found, mis-picked, damaged …) with a reason.

    `write_off=True` records a write-off (damaged, expired, lost): `delta` must then be negative.
    On hand never goes below the units reserved for orders.
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > MAX_QUANTITY:
        raise ValidationFailed(
            _("Give a change other than zero, e.g. 5 or -3, of at most %(max)s units.") % {"max": MAX_QUANTITY},
            details={"delta": delta},
        )
    if write_off and delta > 0:
        raise ValidationFailed(_("A write-off takes units away: give a negative change."), details={"delta": delta})
    reason = _clean_reason(reason, required=True)

    def change(stock: Stock) -> int:
        _refuse_below_reserved(stock, stock.on_hand + delta)
        return delta

    return _single(
        kind=MovementKind.WRITE_OFF if write_off else MovementKind.ADJUSTMENT,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        actor=actor,
        reference=_clean_reference(reference),
        reason=reason,
        on_hand_delta=change,
        audit_action="stock.write_off" if write_off else "stock.adjust",
    )


def stocktake(
    *, sku_id: int, warehouse_id: int, counted: int, reason: str, actor: ActorContext, reference: str = ""
) -> StockMovement:
    """Set on hand to what was counted on the shelf; the ledger records the difference (0 when it matched)."""
    counted = _clean_quantity(counted, field="counted", allow_zero=True)
    reason = _clean_reason(reason, required=True)

    def change(stock: Stock) -> int:
        _refuse_below_reserved(stock, counted)
        return counted - stock.on_hand

    return _single(
        kind=MovementKind.STOCKTAKE,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        actor=actor,
        reference=_clean_reference(reference),
        reason=reason,
        on_hand_delta=change,
        audit_action="stock.stocktake",
    )


def safety_stock_set(*, stock_id: int, quantity: int, actor: ActorContext) -> Stock:
    """Set a line's safety stock; an alert opens or resolves at once if the line crosses it."""
    quantity = _clean_quantity(quantity, field="safety_stock", allow_zero=True)
    with transaction.atomic():
        locked = _lock([stock_id])
        if stock_id not in locked:
            raise NotFound(_("No stock line %(id)s") % {"id": stock_id}, details={"stock_id": stock_id})
        stock = locked[stock_id]
        before = _snapshot(stock)
        if stock.safety_stock == quantity:
            return stock
        stock.safety_stock = quantity
        stock.save(update_fields=["safety_stock"])
        _sync_alerts([stock], now=timezone.now(), every=True)
        audit_record(
            actor=actor,
            action="stock.safety_stock",
            target=stock,
            object_label=f"{stock.warehouse.code} / SKU {stock.sku_id}",
            before=before,
            after=_snapshot(stock),
        )
    return stock


# --- counts in bulk (stock sheets, the catalog's quantities) --------------------------------


@dataclass(frozen=True)
class CountLine:
    """One counted line: `counted` sets on hand (None leaves it), `safety_stock` sets it (None leaves it).

    `warehouse_id=None` means the default warehouse.
    """

    sku_id: int
    warehouse_id: int | None
    counted: int | None
    reason: str
    reference: str = ""
    safety_stock: int | None = None


def warehouse_default(*, actor: ActorContext) -> Warehouse:
    """Where quantities without a warehouse go: the first active warehouse in list order.

    A shop that has no warehouse yet gets one, 总仓 (code MAIN), serving every mainland province.
    """
    found = Warehouse.objects.filter(is_active=True).order_by("position", "pk").first()
    if found is not None:
        return found
    warehouse, created = Warehouse.objects.get_or_create(
        code=DEFAULT_WAREHOUSE_CODE,
        defaults={
            "name": "总仓",
            "region": Region.EAST.value,
            "provinces": [p.name for p in PROVINCES if p.region is not Region.HMT],
        },
    )
    if created:
        audit_record(actor=actor, action="warehouse.create", target=warehouse, after={"code": warehouse.code})
    return warehouse


@dataclass(frozen=True)
class CountResult:
    lines: int
    changed: int  # lines whose on hand moved
    movements: list[StockMovement]


def stocktake_many(*, lines: Sequence[CountLine], actor: ActorContext, source: str) -> CountResult:
    """Apply many counts and safety stocks at once, all or nothing (one audit entry for `source`).

    Refuses, changing nothing, when a count is below the units reserved on its line; the details
    list each such line by its position in `lines`.
    """
    if not lines:
        return CountResult(lines=0, changed=0, movements=[])
    for index, line in enumerate(lines):
        if line.counted is not None:
            _clean_quantity(line.counted, field=f"lines.{index}.counted", allow_zero=True)
            _clean_reason(line.reason, required=True)
        if line.safety_stock is not None:
            _clean_quantity(line.safety_stock, field=f"lines.{index}.safety_stock", allow_zero=True)
        _clean_reference(line.reference)
    with transaction.atomic():
        default_id = warehouse_default(actor=actor).pk if any(line.warehouse_id is None for line in lines) else 0
        keys: list[tuple[int, int]] = [
            (line.warehouse_id if line.warehouse_id is not None else default_id, line.sku_id) for line in lines
        ]
        Stock.objects.bulk_create(
            [Stock(warehouse_id=w, sku_id=s) for w, s in dict.fromkeys(keys)], ignore_conflicts=True
        )
        pairs = Q()
        for warehouse_id, sku_id in dict.fromkeys(keys):
            pairs |= Q(warehouse_id=warehouse_id, sku_id=sku_id)
        ids = Stock.objects.filter(pairs).values_list("pk", flat=True)
        locked = _lock(ids)
        by_key = {(stock.warehouse_id, stock.sku_id): stock for stock in locked.values()}
        references = [line.reference for line in lines if line.reference]
        done = set(
            StockMovement.objects.filter(
                stock_id__in=list(locked), kind=MovementKind.STOCKTAKE, reference__in=references
            ).values_list("stock_id", "reference")
        ) if references else set()  # fmt: skip
        refused = [
            {"index": index, "sku_id": line.sku_id, "warehouse_id": key[0], "counted": line.counted,
             "reserved": by_key[key].reserved}
            for index, (line, key) in enumerate(zip(lines, keys, strict=True))
            if line.counted is not None and line.counted < by_key[key].reserved
        ]  # fmt: skip
        if refused:
            raise StockRefused(
                _("A count is below the units reserved for orders on its line; nothing was changed."),
                details={"lines": refused},
            )
        now = timezone.now()
        movements: list[StockMovement] = []
        touched: dict[int, Stock] = {}
        safety_changed: list[Stock] = []
        for line, key in zip(lines, keys, strict=True):
            stock = by_key[key]
            touched[stock.pk] = stock
            if line.counted is not None and (stock.pk, line.reference) not in done:
                movements.append(
                    _change(
                        stock,
                        kind=MovementKind.STOCKTAKE,
                        on_hand=line.counted - stock.on_hand,
                        reference=line.reference,
                        reason=line.reason.strip(),
                        actor=actor,
                        now=now,
                    )
                )
            if line.safety_stock is not None and line.safety_stock != stock.safety_stock:
                stock.safety_stock = line.safety_stock
                safety_changed.append(stock)
        if safety_changed:
            Stock.objects.bulk_update(safety_changed, ["safety_stock"])
        StockMovement.objects.bulk_create(movements)
        _sync_alerts(touched.values(), now=now, every=bool(safety_changed))
        changed = sum(1 for movement in movements if movement.on_hand_delta)
        audit_record(
            actor=actor,
            action="stock.count",
            object_type="inventory.stock",
            object_label=source[:200],
            after={"source": source, "lines": len(lines), "changed": changed, "safety_stock": len(safety_changed)},
        )
    return CountResult(lines=len(lines), changed=changed, movements=movements)


# --- reservations: order placed, cancelled or timed out, shipped ----------------------------


def _as_allocated(stock: Stock, quantity: int) -> Allocated:
    return Allocated(
        sku_id=stock.sku_id,
        warehouse_id=stock.warehouse_id,
        warehouse_code=stock.warehouse.code,
        warehouse_name=stock.warehouse.name,
        quantity=quantity,
    )


def stock_reserve(
    *, reference: str, lines: Sequence[ReserveLine], province: str, actor: ActorContext
) -> list[Allocated]:
    """Hold the order's units in the warehouses chosen by `domain.allocation` for the province.

    Raises OutOfStock (nothing held) when the reachable warehouses together have too few units,
    NotDeliverable when none reaches the province. A second call for a reference that already holds
    units returns what it holds, unchanged.
    """
    reference = _clean_reference(reference, required=True)
    try:
        wanted = merge_lines(Line(sku_id=line.sku_id, quantity=line.quantity) for line in lines)
    except ValueError:
        raise ValidationFailed(
            _("Every line needs a quantity above zero."),
            details={"lines": [{"sku_id": line.sku_id, "quantity": line.quantity} for line in lines]},
        ) from None
    if not wanted:
        raise ValidationFailed(_("Nothing to reserve."), details={"lines": []})
    with transaction.atomic():
        candidates = Stock.objects.filter(sku_id__in=[line.sku_id for line in wanted], warehouse__is_active=True)
        locked = _lock(candidates.values_list("pk", flat=True))
        held = list(
            StockReservation.objects.filter(reference=reference, state=ReservationState.ACTIVE)
            .select_related("stock__warehouse")
            .order_by("stock_id")
        )
        if held:
            return [_as_allocated(row.stock, row.quantity) for row in held]
        by_warehouse: dict[int, dict[int, int]] = {}
        for stock in locked.values():
            by_warehouse.setdefault(stock.warehouse_id, {})[stock.sku_id] = stock.available
        warehouses = [
            WarehouseStock(
                warehouse_id=warehouse.pk,
                region=Region(warehouse.region),
                provinces=frozenset(warehouse.provinces or ()),
                available=by_warehouse.get(warehouse.pk, {}),
                position=warehouse.position,
            )
            for warehouse in Warehouse.objects.filter(is_active=True)
        ]
        try:
            picks = allocate(wanted, warehouses, province)
        except Unreachable:
            raise NotDeliverable(
                _("We do not deliver to “%(province)s”.") % {"province": province}, details={"province": province}
            ) from None
        except CannotFill as short:
            raise OutOfStock(
                _("Not enough stock for %(count)s item(s) of the order.") % {"count": len(short.shortages)},
                details={
                    "skus": [
                        {"sku_id": s.sku_id, "requested": s.requested, "available": s.available}
                        for s in short.shortages
                    ]
                },
            ) from None
        by_key = {(stock.warehouse_id, stock.sku_id): stock for stock in locked.values()}
        now = timezone.now()
        movements: list[StockMovement] = []
        reservations: list[StockReservation] = []
        touched: list[tuple[Stock, int]] = []
        for pick in sorted(picks, key=lambda p: by_key[(p.warehouse_id, p.sku_id)].pk):
            stock = by_key[(pick.warehouse_id, pick.sku_id)]
            movements.append(
                _change(
                    stock,
                    kind=MovementKind.RESERVATION,
                    reserved=pick.quantity,
                    reference=reference,
                    reason="",
                    actor=actor,
                    now=now,
                )
            )
            reservations.append(
                StockReservation(reference=reference, stock=stock, quantity=pick.quantity, created_at=now)
            )
            touched.append((stock, pick.quantity))
        StockReservation.objects.bulk_create(reservations)
        StockMovement.objects.bulk_create(movements)
        _sync_alerts([stock for stock, _quantity in touched], now=now)
    return [_as_allocated(stock, quantity) for stock, quantity in touched]


def _close_reservations(
    *,
    reference: str,
    actor: ActorContext,
    reason: str,
    state: ReservationState,
    warehouse_id: int | None = None,
) -> int:
    reference = _clean_reference(reference, required=True)
    with transaction.atomic():
        active = StockReservation.objects.filter(reference=reference, state=ReservationState.ACTIVE)
        if warehouse_id is not None:
            active = active.filter(stock__warehouse_id=warehouse_id)
        locked = _lock(active.values_list("stock_id", flat=True))
        if not locked:
            return 0
        rows = list(active.filter(stock_id__in=list(locked)).select_for_update(of=("self",)).order_by("stock_id"))
        shipping = state is ReservationState.DEDUCTED
        kind = MovementKind.SHIPMENT if shipping else MovementKind.RELEASE
        now = timezone.now()
        movements = [
            _change(
                locked[row.stock_id],
                kind=kind,
                on_hand=-row.quantity if shipping else 0,
                reserved=-row.quantity,
                reference=reference,
                reason=reason,
                actor=actor,
                now=now,
            )
            for row in rows
        ]
        StockReservation.objects.filter(pk__in=[row.pk for row in rows]).update(state=state, closed_at=now)
        StockMovement.objects.bulk_create(movements)
        _sync_alerts(locked.values(), now=now)
    return sum(row.quantity for row in rows)


def stock_release(*, reference: str, actor: ActorContext, reason: str) -> int:
    """Give back every unit still held for the reference (order cancelled or not paid in time).

    Returns the units released; 0 when nothing is held (a second call, or already shipped).
    """
    return _close_reservations(
        reference=reference,
        actor=actor,
        reason=_clean_reason(reason, required=False),
        state=ReservationState.RELEASED,
    )


def stock_release_units(
    *, reference: str, warehouse_id: int, sku_id: int, quantity: int, actor: ActorContext, reason: str
) -> int:
    """Give back `quantity` of the units the reference holds of one SKU in one warehouse (part of
    an order refunded before it ships); the rest stays held. Releases at most what is held: returns
    the units released, 0 when nothing is held there any more."""
    reference = _clean_reference(reference, required=True)
    quantity = _clean_quantity(quantity, field="quantity")
    reason = _clean_reason(reason, required=False)
    with transaction.atomic():
        active = StockReservation.objects.filter(
            reference=reference, state=ReservationState.ACTIVE, stock__warehouse_id=warehouse_id, stock__sku_id=sku_id
        )
        locked = _lock(active.values_list("stock_id", flat=True))
        row = active.filter(stock_id__in=list(locked)).select_for_update(of=("self",)).order_by("stock_id").first()
        if row is None:
            return 0
        released = min(quantity, row.quantity)
        now = timezone.now()
        stock = locked[row.stock_id]
        movement = _change(
            stock,
            kind=MovementKind.RELEASE,
            reserved=-released,
            reference=reference,
            reason=reason,
            actor=actor,
            now=now,
        )
        if released == row.quantity:
            StockReservation.objects.filter(pk=row.pk).update(state=ReservationState.RELEASED, closed_at=now)
        else:
            StockReservation.objects.filter(pk=row.pk).update(quantity=F("quantity") - released)
        movement.save()
        _sync_alerts([stock], now=now)
    return released


def stock_deduct(*, reference: str, actor: ActorContext, warehouse_id: int | None = None) -> int:
    """The reference's held units leave the warehouse (shipped): on hand and reserved both go down.

    `warehouse_id` ships only that warehouse's part of a split order. Returns the units shipped;
    0 when nothing is held there any more (idempotent).
    """
    return _close_reservations(
        reference=reference, actor=actor, reason="", state=ReservationState.DEDUCTED, warehouse_id=warehouse_id
    )
