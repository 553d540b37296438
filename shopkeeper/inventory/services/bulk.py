"""Opening stock in bulk (the demo, a first migration from another system): warehouses by code and
new stock lines with one receipt each in the ledger, written with bulk inserts so the books
balance from the first row. Lines under their safety stock get their low-stock alert at once
(opening balances publish no `LowStock` events: nothing fell, it starts there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.errors import Conflict, NotFound
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.inventory.enums import MovementKind
from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, Warehouse
from shopkeeper.inventory.services.warehouses import _clean

BATCH = 2000


@dataclass(frozen=True)
class WarehouseSpec:
    code: str
    name: str
    region: str
    provinces: Sequence[str]
    city: str = ""
    position: int = 0


@dataclass(frozen=True)
class OpeningLine:
    warehouse_code: str
    sku_id: int
    on_hand: int
    safety_stock: int = 0


@dataclass(frozen=True)
class OpeningResult:
    lines: int
    units: int
    alerts: int


def warehouses_ensure(*, specs: Sequence[WarehouseSpec], actor: ActorContext) -> dict[str, int]:
    """Create the warehouses whose codes do not exist yet (existing ones are kept as they are): code → id."""
    cleaned = [
        _clean(code=s.code, name=s.name, region=s.region, provinces=s.provinces, city=s.city, position=s.position)
        for s in specs
    ]
    with transaction.atomic():
        existing = dict(Warehouse.objects.filter(code__in=[c["code"] for c in cleaned]).values_list("code", "pk"))
        missing = [Warehouse(**data) for data in cleaned if data["code"] not in existing]
        if missing:
            Warehouse.objects.bulk_create(missing)
            audit_record(
                actor=actor,
                action="warehouse.create",
                object_type="inventory.warehouse",
                object_label=", ".join(w.code for w in missing)[:200],
                after={"codes": [w.code for w in missing]},
            )
        return dict(Warehouse.objects.filter(code__in=[c["code"] for c in cleaned]).values_list("code", "pk"))


def stock_open(
    *,
    lines: Iterable[OpeningLine],
    actor: ActorContext,
    reason: str,
    reference: str,
    at: datetime | None = None,
) -> OpeningResult:
    """Write new stock lines with their opening receipt. Refuses (Conflict) a line that already exists."""
    at = at or timezone.now()
    label = (actor.user.get_username() if actor.user else "system")[:150]
    wanted = [line for line in lines if line.on_hand > 0 or line.safety_stock > 0]
    codes = {line.warehouse_code for line in wanted}
    warehouse_ids = dict(Warehouse.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = sorted(codes - set(warehouse_ids))
    if unknown:
        raise NotFound(_("No warehouse %(which)s") % {"which": ", ".join(unknown)}, details={"warehouses": unknown})
    units = alerts = 0
    with transaction.atomic():
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            stocks = [
                Stock(
                    warehouse_id=warehouse_ids[line.warehouse_code],
                    sku_id=line.sku_id,
                    on_hand=line.on_hand,
                    safety_stock=line.safety_stock,
                    updated_at=at,
                )
                for line in chunk
            ]
            taken = Stock.objects.filter(
                warehouse_id__in=set(warehouse_ids.values()), sku_id__in={line.sku_id for line in chunk}
            ).values_list("warehouse_id", "sku_id")
            clash = {(s.warehouse_id, s.sku_id) for s in stocks} & set(taken)
            if clash:
                raise Conflict(
                    _("%(count)s stock line(s) exist already: opening stock is for new lines only.")
                    % {"count": len(clash)},
                    details={"lines": sorted(clash)[:20]},
                )
            Stock.objects.bulk_create(stocks)
            StockMovement.objects.bulk_create(
                [
                    StockMovement(
                        stock=stock,
                        kind=MovementKind.RECEIPT,
                        on_hand_delta=stock.on_hand,
                        reserved_delta=0,
                        on_hand_after=stock.on_hand,
                        reserved_after=0,
                        reference=reference,
                        reason=reason,
                        actor=actor.user,
                        actor_label=label,
                        created_at=at,
                    )
                    for stock in stocks
                    if stock.on_hand
                ]
            )
            low = [
                LowStockAlert(stock=stock, available=stock.available, safety_stock=stock.safety_stock, opened_at=at)
                for stock in stocks
                if stock.is_low
            ]
            LowStockAlert.objects.bulk_create(low)
            units += sum(stock.on_hand for stock in stocks)
            alerts += len(low)
        audit_record(
            actor=actor,
            action="stock.open",
            object_type="inventory.stock",
            object_label=reference[:200],
            after={"lines": len(wanted), "units": units, "alerts": alerts},
        )
    return OpeningResult(lines=len(wanted), units=units, alerts=alerts)
