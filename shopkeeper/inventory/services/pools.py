"""Pools: units of a SKU set aside under a campaign's reference (a flash-sale item's
`flash:item:42`), out of available stock so normal orders cannot take them, and moved to an order's
reference when an order is placed from the pool.

A pool is an ordinary reservation (one active `StockReservation` per stock line), so the stock
list counts it as reserved, `ledger_imbalances` balances it, and every change writes ledger rows
under the pool's reference with the caller's reason. Four moves:

- `stock_pool_reserve`: set units aside, spread over the active warehouses in proportion to their
  available units (`domain.spread`); all or nothing.
- `stock_pool_release`: give units (or all of them) back to available stock.
- `stock_reservation_transfer`: pool → order on the same lines. On hand, reserved and available
  do not change (the stock lines are not updated); two ledger rows say whose the units are now.
- `stock_reservation_return`: an order's released units → back under the pool, on the same lines.

Locks follow stock.py: the stock lines first, in primary-key order, in one statement, before any
reservation row is read. Reserving and releasing lock *every* line of the SKU (release includes
inactive warehouses, where a pool may still sit), so they queue behind any order of the SKU being
placed, cancelled or shipped at that moment, and a pool never changes under someone's feet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.domain.regions import Region
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory.domain.allocation import CannotFill, Line, WarehouseStock, allocate, merge_lines
from shopkeeper.inventory.domain.allocation import NotDeliverable as Unreachable
from shopkeeper.inventory.domain.spread import spread
from shopkeeper.inventory.enums import MovementKind, ReservationState
from shopkeeper.inventory.errors import NotDeliverable, OutOfStock
from shopkeeper.inventory.models import Stock, StockMovement, StockReservation
from shopkeeper.inventory.selectors import Allocated
from shopkeeper.inventory.services.stock import (
    REASON_MAX,
    ReserveLine,
    _as_allocated,
    _change,
    _clean_quantity,
    _clean_reason,
    _clean_reference,
    _label,
    _lock,
    _sync_alerts,
)


@dataclass(frozen=True)
class PoolLine:
    """One pool of one SKU. `quantity`: units to set aside, or to give back (None: all it holds)."""

    reference: str
    sku_id: int
    quantity: int | None = None


def _merged(lines: Sequence[PoolLine], *, release: bool) -> dict[tuple[str, int], int | None]:
    """One entry per (reference, SKU), in the order given; quantities checked and added up."""
    merged: dict[tuple[str, int], int | None] = {}
    for index, line in enumerate(lines):
        key = (_clean_reference(line.reference, required=True), line.sku_id)
        if line.quantity is None:
            if not release:
                raise ValidationFailed(_("Give a whole number."), details={f"lines.{index}.quantity": None})
            merged[key] = None
            continue
        quantity = _clean_quantity(line.quantity, field=f"lines.{index}.quantity")
        if key in merged:
            before = merged[key]
            merged[key] = None if before is None else before + quantity
        else:
            merged[key] = quantity
    return merged


def _note(arrow: str, reference: str, reason: str) -> str:
    """A ledger reason that names the other side of a move: "→ order:SK… 秒杀「双11」"."""
    return f"{arrow} {reference} {reason}".strip()[:REASON_MAX]


def _ledger_row(
    stock: Stock, *, kind: MovementKind, reserved: int, reserved_after: int, reference: str, reason: str,
    actor: ActorContext, now: datetime,
) -> StockMovement:  # fmt: skip
    """A ledger row for a move that does not change the line's totals (a transfer's two halves)."""
    return StockMovement(
        stock=stock,
        kind=kind,
        on_hand_delta=0,
        reserved_delta=reserved,
        on_hand_after=stock.on_hand,
        reserved_after=reserved_after,
        reference=reference,
        reason=reason,
        actor=actor.user,
        actor_label=_label(actor),
        created_at=now,
    )


def _add_to(
    held: dict[tuple[str, int], StockReservation],
    fresh: dict[tuple[str, int], StockReservation],
    *,
    reference: str,
    stock: Stock,
    quantity: int,
    now: datetime,
) -> None:
    """Grow the reference's active row on the line (saved by the caller), or start one."""
    key = (reference, stock.pk)
    if key in held:
        held[key].quantity += quantity
    elif key in fresh:
        fresh[key].quantity += quantity
    else:
        fresh[key] = StockReservation(reference=reference, stock=stock, quantity=quantity, created_at=now)


def _save_rows(
    held: dict[tuple[str, int], StockReservation], grown: set[tuple[str, int]], fresh: list[StockReservation]
) -> None:
    changed = [held[key] for key in sorted(grown, key=lambda key: held[key].pk)]
    if changed:
        StockReservation.objects.bulk_update(changed, ["quantity"])
    if fresh:
        StockReservation.objects.bulk_create(fresh)


# --- setting units aside and giving them back ---------------------------------------------------


def stock_pool_reserve(*, lines: Sequence[PoolLine], actor: ActorContext, reason: str) -> list[Allocated]:
    """Set each line's units aside under its reference, on top of what the pool holds already,
    spread over the active warehouses in proportion to what each has available.

    All or nothing: raises OutOfStock, holding nothing, when the warehouses together have too few
    units of a SKU (`details.skus`: `sku_id`, `requested`, `available`, over every line asked for
    it). Answers what this call set aside, per SKU and warehouse.
    """
    reason = _clean_reason(reason, required=True)
    wanted = _merged(lines, release=False)
    if not wanted:
        return []
    sku_ids = sorted({sku_id for _reference, sku_id in wanted})
    with transaction.atomic():
        locked = _lock(Stock.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True).values_list("pk", flat=True))
        by_sku: dict[int, list[Stock]] = defaultdict(list)
        for stock in locked.values():  # primary-key order
            by_sku[stock.sku_id].append(stock)
        asked: dict[int, int] = defaultdict(int)
        for (_reference, sku_id), quantity in wanted.items():
            asked[sku_id] += quantity or 0
        shortages = [
            {"sku_id": sku_id, "requested": requested, "available": available}
            for sku_id, requested in sorted(asked.items())
            if requested > (available := sum(max(stock.available, 0) for stock in by_sku[sku_id]))
        ]
        if shortages:
            raise OutOfStock(
                _("Not enough stock to set aside for %(count)s SKU(s); nothing was set aside.")
                % {"count": len(shortages)},
                details={"skus": shortages},
            )
        references = sorted({reference for reference, _sku_id in wanted})
        held = {
            (row.reference, row.stock_id): row
            for row in StockReservation.objects.filter(
                reference__in=references, state=ReservationState.ACTIVE, stock_id__in=list(locked)
            )
        }
        now = timezone.now()
        movements: list[StockMovement] = []
        fresh: dict[tuple[str, int], StockReservation] = {}
        grown: set[tuple[str, int]] = set()
        answered: list[Allocated] = []
        for (reference, sku_id), quantity in wanted.items():
            stocks = {stock.pk: stock for stock in by_sku[sku_id]}
            shares = spread(quantity or 0, {pk: stock.available for pk, stock in stocks.items()})
            for stock_id, units in shares.items():
                stock = stocks[stock_id]
                movements.append(
                    _change(stock, kind=MovementKind.RESERVATION, reserved=units, reference=reference,
                            reason=reason, actor=actor, now=now)
                )  # fmt: skip
                if (reference, stock_id) in held:
                    grown.add((reference, stock_id))
                _add_to(held, fresh, reference=reference, stock=stock, quantity=units, now=now)
                answered.append(_as_allocated(stock, units))
        _save_rows(held, grown, list(fresh.values()))
        StockMovement.objects.bulk_create(movements)
        _sync_alerts(locked.values(), now=now)
    return answered


def stock_pool_release(*, lines: Sequence[PoolLine], actor: ActorContext, reason: str) -> int:
    """Give back to available stock `quantity` of the units each pool holds of its SKU (all of
    them when `quantity` is None), from its lines in proportion to what each holds.

    Gives back at most what is held; answers the units given back, so releasing a pool that holds
    nothing (a second end-of-session sweep) answers 0 and writes nothing.
    """
    reason = _clean_reason(reason, required=True)
    wanted = _merged(lines, release=True)
    if not wanted:
        return 0
    sku_ids = sorted({sku_id for _reference, sku_id in wanted})
    with transaction.atomic():
        locked = _lock(Stock.objects.filter(sku_id__in=sku_ids).values_list("pk", flat=True))
        references = sorted({reference for reference, _sku_id in wanted})
        rows = list(
            StockReservation.objects.filter(
                reference__in=references, state=ReservationState.ACTIVE, stock_id__in=list(locked)
            ).order_by("stock_id")
        )
        by_pool: dict[tuple[str, int], dict[int, StockReservation]] = defaultdict(dict)
        for row in rows:
            by_pool[(row.reference, locked[row.stock_id].sku_id)][row.stock_id] = row
        now = timezone.now()
        movements: list[StockMovement] = []
        closed: list[int] = []
        shrunk: list[StockReservation] = []
        touched: list[Stock] = []
        for (reference, sku_id), quantity in wanted.items():
            pool = by_pool.get((reference, sku_id), {})
            holding = sum(row.quantity for row in pool.values())
            give = holding if quantity is None else min(quantity, holding)
            for stock_id, units in spread(give, {pk: row.quantity for pk, row in pool.items()}).items():
                stock, row = locked[stock_id], pool[stock_id]
                movements.append(
                    _change(stock, kind=MovementKind.RELEASE, reserved=-units, reference=reference, reason=reason,
                            actor=actor, now=now)
                )  # fmt: skip
                touched.append(stock)
                if units == row.quantity:
                    closed.append(row.pk)
                else:
                    row.quantity -= units
                    shrunk.append(row)
        if closed:
            StockReservation.objects.filter(pk__in=closed).update(state=ReservationState.RELEASED, closed_at=now)
        if shrunk:
            StockReservation.objects.bulk_update(shrunk, ["quantity"])
        StockMovement.objects.bulk_create(movements)
        _sync_alerts(touched, now=now)
    return -sum(movement.reserved_delta for movement in movements)


# --- pool → order, and back ---------------------------------------------------------------------


def stock_reservation_transfer(
    *,
    from_reference: str,
    to_reference: str,
    lines: Sequence[ReserveLine],
    province: str,
    actor: ActorContext,
    reason: str = "",
) -> list[Allocated]:
    """Give an order (`to_reference`) units a pool (`from_reference`) holds, on the same stock
    lines: on hand, reserved and available stay as they are; the pool's row shrinks (closed at 0),
    the order gets its own, and the ledger gets a release under the pool and a reservation under
    the order, each naming the other.

    Which lines: the order's usual routing (`domain.allocation`) over what the pool holds in each
    active warehouse — the warehouse that serves the province if its pool units fill the order,
    else the nearest region's, else a split — so any pool line that has units and ships there.
    Raises OutOfStock (nothing moved) when the pool's units that ship there are too few,
    NotDeliverable when none of the pool's warehouses ships to the province. A second call for a
    `to_reference` that already holds units answers what it holds, unchanged.
    """
    from_reference = _clean_reference(from_reference, required=True)
    to_reference = _clean_reference(to_reference, required=True)
    reason = _clean_reason(reason, required=False)
    if from_reference == to_reference:
        raise ValidationFailed(_("A transfer needs two different references."), details={"reference": to_reference})
    try:
        wanted = merge_lines(Line(sku_id=line.sku_id, quantity=line.quantity) for line in lines)
    except ValueError:
        raise ValidationFailed(
            _("Every line needs a quantity above zero."),
            details={"lines": [{"sku_id": line.sku_id, "quantity": line.quantity} for line in lines]},
        ) from None
    if not wanted:
        raise ValidationFailed(_("Nothing to reserve."), details={"lines": []})
    sku_ids = [line.sku_id for line in wanted]
    both = StockReservation.objects.filter(
        reference__in=[from_reference, to_reference], state=ReservationState.ACTIVE, stock__sku_id__in=sku_ids
    )
    with transaction.atomic():
        locked = _lock(both.values_list("stock_id", flat=True))
        rows = list(both.filter(stock_id__in=list(locked)).order_by("stock_id"))
        mine = [row for row in rows if row.reference == to_reference]
        if mine:
            return [_as_allocated(locked[row.stock_id], row.quantity) for row in mine]
        pool = {row.stock_id: row for row in rows}
        if not pool:  # released meanwhile (the session ended, the sale went back to draft)
            raise OutOfStock(
                _("Not enough units left for this sale."),
                details={"skus": [{"sku_id": line.sku_id, "requested": line.quantity, "available": 0}
                                  for line in wanted]},
            )  # fmt: skip
        holding: dict[int, dict[int, int]] = defaultdict(dict)
        warehouses = {}
        for stock_id, row in pool.items():
            stock = locked[stock_id]
            if stock.warehouse.is_active:
                holding[stock.warehouse_id][stock.sku_id] = row.quantity
                warehouses[stock.warehouse_id] = stock.warehouse
        try:
            picks = allocate(
                wanted,
                [
                    WarehouseStock(warehouse_id=w.pk, region=Region(w.region), provinces=frozenset(w.provinces or ()),
                                   available=holding[w.pk], position=w.position)
                    for w in warehouses.values()
                ],
                province,
            )  # fmt: skip
        except Unreachable:
            raise NotDeliverable(
                _("The units set aside for this sale do not ship to “%(province)s”.") % {"province": province},
                details={"province": province},
            ) from None
        except CannotFill as short:
            raise OutOfStock(
                _("Not enough units left for this sale."),
                details={
                    "skus": [
                        {"sku_id": s.sku_id, "requested": s.requested, "available": s.available}
                        for s in short.shortages
                    ]
                },
            ) from None
        by_key = {(locked[pk].warehouse_id, locked[pk].sku_id): locked[pk] for pk in pool}
        now = timezone.now()
        movements: list[StockMovement] = []
        fresh: list[StockReservation] = []
        closed: list[int] = []
        answered: list[Allocated] = []
        for pick in sorted(picks, key=lambda p: by_key[(p.warehouse_id, p.sku_id)].pk):
            stock = by_key[(pick.warehouse_id, pick.sku_id)]
            row, units = pool[stock.pk], pick.quantity
            if units == row.quantity:
                closed.append(row.pk)
            else:
                StockReservation.objects.filter(pk=row.pk, quantity__gt=units).update(quantity=F("quantity") - units)
            movements += [
                _ledger_row(stock, kind=MovementKind.RELEASE, reserved=-units, reserved_after=stock.reserved - units,
                            reference=from_reference, reason=_note("→", to_reference, reason), actor=actor, now=now),
                _ledger_row(stock, kind=MovementKind.RESERVATION, reserved=units, reserved_after=stock.reserved,
                            reference=to_reference, reason=_note("←", from_reference, reason), actor=actor, now=now),
            ]  # fmt: skip
            fresh.append(StockReservation(reference=to_reference, stock=stock, quantity=units, created_at=now))
            answered.append(_as_allocated(stock, units))
        if closed:
            StockReservation.objects.filter(pk__in=closed).update(state=ReservationState.RELEASED, closed_at=now)
        StockReservation.objects.bulk_create(fresh)
        StockMovement.objects.bulk_create(movements)
    return answered


def stock_reservation_return(*, from_reference: str, to_reference: str, actor: ActorContext, reason: str) -> int:
    """Put the units `from_reference` (an order) held and has released back under `to_reference`
    (the pool they came from), on the same lines, as far as those lines still have them
    available. Called in the transaction that released them — a flash order cancelled while its
    session runs — the lines are still locked and every unit goes back.

    Idempotent per pair of references: a second call finds the first's ledger rows and answers 0.
    Answers the units put back.
    """
    from_reference = _clean_reference(from_reference, required=True)
    to_reference = _clean_reference(to_reference, required=True)
    note = _note("←", from_reference, _clean_reason(reason, required=False))
    marker = _note("←", from_reference, "")
    with transaction.atomic():
        released = StockReservation.objects.filter(reference=from_reference, state=ReservationState.RELEASED)
        locked = _lock(released.values_list("stock_id", flat=True))
        if not locked:
            return 0
        done = StockMovement.objects.filter(
            Q(reason=marker) | Q(reason__startswith=f"{marker} "),
            stock_id__in=list(locked),
            kind=MovementKind.RESERVATION,
            reference=to_reference,
        )
        if done.exists():
            return 0
        gave: dict[int, int] = defaultdict(int)
        for stock_id, quantity in released.filter(stock_id__in=list(locked)).values_list("stock_id", "quantity"):
            gave[stock_id] += quantity
        held = {
            (row.reference, row.stock_id): row
            for row in StockReservation.objects.filter(
                reference=to_reference, state=ReservationState.ACTIVE, stock_id__in=list(gave)
            )
        }
        now = timezone.now()
        movements: list[StockMovement] = []
        fresh: dict[tuple[str, int], StockReservation] = {}
        grown: set[tuple[str, int]] = set()
        for stock_id in sorted(gave):
            stock = locked[stock_id]
            units = min(gave[stock_id], max(stock.available, 0))
            if units <= 0:
                continue
            movements.append(
                _change(stock, kind=MovementKind.RESERVATION, reserved=units, reference=to_reference, reason=note,
                        actor=actor, now=now)
            )  # fmt: skip
            if (to_reference, stock_id) in held:
                grown.add((to_reference, stock_id))
            _add_to(held, fresh, reference=to_reference, stock=stock, quantity=units, now=now)
        _save_rows(held, grown, list(fresh.values()))
        StockMovement.objects.bulk_create(movements)
        _sync_alerts(locked.values(), now=now)
    return sum(movement.reserved_delta for movement in movements)
