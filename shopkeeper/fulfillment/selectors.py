"""Fulfilment reads for the warehouse desk, the storefront, after-sales, the API and the drill.

Each list runs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from shopkeeper.core.errors import NotFound
from shopkeeper.fulfillment.domain import surge
from shopkeeper.fulfillment.domain.states import WAITING
from shopkeeper.fulfillment.enums import ShipmentKind, ShipmentStatus
from shopkeeper.fulfillment.models import (
    DEFAULT_CAPACITY,
    NO_BIN,
    BinLocation,
    Carrier,
    SandboxPush,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    WarehouseCapacity,
)
from shopkeeper.inventory import selectors as inventory

WAITING_STATUSES = [status.value for status in WAITING]


def _with_lines(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return queryset.select_related("carrier", "warehouse").prefetch_related(
        Prefetch("lines", queryset=ShipmentLine.objects.order_by("id"))
    )


def order_shipments(order_id: int) -> list[Shipment]:
    """Every shipment of the order (split parcels and replacements), with lines and tracking."""
    return list(
        _with_lines(Shipment.objects.filter(order_id=order_id))
        .prefetch_related(Prefetch("tracking", queryset=TrackingEvent.objects.order_by("occurred_at", "id")))
        .order_by("opened_at", "id")
    )


def shipment_get(*, shipment_id: int) -> Shipment:
    shipment = (
        _with_lines(Shipment.objects.filter(pk=shipment_id))
        .prefetch_related(Prefetch("tracking", queryset=TrackingEvent.objects.order_by("occurred_at", "id")))
        .first()
    )
    if shipment is None:
        raise NotFound("No such shipment.", details={"shipment_id": shipment_id})
    return shipment


def shipment_of_customer(*, shipment_id: int, customer_id: int) -> Shipment | None:
    return Shipment.objects.filter(pk=shipment_id, customer_id=customer_id).first()


def queue(*, warehouse_id: int | None = None, status: str = "") -> QuerySet[Shipment]:
    """Shipments waiting in the warehouse: priority first, then the nearest dispatch deadline."""
    queryset = Shipment.objects.filter(status__in=[status] if status else WAITING_STATUSES)
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    return _with_lines(queryset).order_by("-priority", "dispatch_deadline", "id")


def queue_counts(*, warehouse_id: int | None = None) -> dict[str, int]:
    queryset = Shipment.objects.filter(status__in=WAITING_STATUSES)
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    counts = dict(queryset.values("status").annotate(n=Count("id")).order_by().values_list("status", "n"))
    overdue = queryset.filter(dispatch_deadline__lt=timezone.now()).count()
    return {**{status: int(counts.get(status, 0)) for status in WAITING_STATUSES}, "overdue": overdue}


def overdue(*, warehouse_id: int | None = None, now: datetime | None = None) -> QuerySet[Shipment]:
    """Shipments past their dispatch deadline and not shipped yet, the most overdue first."""
    queryset = Shipment.objects.filter(status__in=WAITING_STATUSES, dispatch_deadline__lt=now or timezone.now())
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    return _with_lines(queryset).order_by("dispatch_deadline", "id")


def shipments_search(*, q: str = "", status: str = "", warehouse_id: int | None = None) -> QuerySet[Shipment]:
    queryset = Shipment.objects.all()
    term = q.strip()
    if term:
        by_tracking = queryset.filter(tracking_no=term.upper())
        queryset = by_tracking if by_tracking.exists() else queryset.filter(order_number=term)
    if status:
        queryset = queryset.filter(status=status)
    if warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=warehouse_id)
    return _with_lines(queryset).order_by("-opened_at", "-id")


@dataclass(frozen=True)
class PickRow:
    bin: str
    sku_id: int | None
    sku_code: str
    title: str
    spec_label: str
    quantity: int
    shipments: int


def pick_list(*, warehouse_id: int, shipment_ids: Iterable[int]) -> list[PickRow]:
    """What to take from the shelves for these shipments: one row per SKU, in bin order."""
    lines = list(
        ShipmentLine.objects.filter(shipment_id__in=list(shipment_ids), shipment__warehouse_id=warehouse_id)
        .order_by("sku_code")
        .values("sku_id", "sku_code", "title", "spec_label", "quantity", "shipment_id")
    )
    bins = dict(
        BinLocation.objects.filter(
            warehouse_id=warehouse_id, sku_id__in={line["sku_id"] for line in lines}
        ).values_list("sku_id", "code")
    )
    rows: dict[str, dict[str, object]] = {}
    seen: dict[str, set[int]] = {}
    for line in lines:
        row = rows.setdefault(
            line["sku_code"],
            {
                "bin": bins.get(line["sku_id"], NO_BIN),
                "sku_id": line["sku_id"],
                "sku_code": line["sku_code"],
                "title": line["title"],
                "spec_label": line["spec_label"],
                "quantity": 0,
            },
        )
        row["quantity"] = int(str(row["quantity"])) + line["quantity"]
        seen.setdefault(line["sku_code"], set()).add(line["shipment_id"])
    result = [
        PickRow(
            bin=str(row["bin"]),
            sku_id=row["sku_id"] if isinstance(row["sku_id"], int) else None,
            sku_code=str(row["sku_code"]),
            title=str(row["title"]),
            spec_label=str(row["spec_label"]),
            quantity=int(str(row["quantity"])),
            shipments=len(seen[code]),
        )
        for code, row in rows.items()
    ]
    return sorted(result, key=lambda r: (r.bin == NO_BIN, r.bin, r.sku_code))


def carriers(*, active_only: bool = False) -> QuerySet[Carrier]:
    queryset = Carrier.objects.all()
    return queryset.filter(is_active=True) if active_only else queryset


def carrier_get(*, carrier_id: int) -> Carrier:
    carrier = Carrier.objects.filter(pk=carrier_id).first()
    if carrier is None:
        raise NotFound("No such carrier.", details={"carrier_id": carrier_id})
    return carrier


def bins(*, warehouse_id: int, sku_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        BinLocation.objects.filter(warehouse_id=warehouse_id, sku_id__in=list(sku_ids)).values_list("sku_id", "code")
    )


def capacities(warehouse_ids: Iterable[int]) -> dict[int, int]:
    """Orders per day per warehouse (DEFAULT_CAPACITY where none is set)."""
    ids = list(warehouse_ids)
    found = dict(WarehouseCapacity.objects.filter(warehouse_id__in=ids).values_list("warehouse_id", "orders_per_day"))
    return {warehouse_id: int(found.get(warehouse_id, DEFAULT_CAPACITY)) for warehouse_id in ids}


def sandbox_pushes(*, shipment_id: int) -> QuerySet[SandboxPush]:
    return SandboxPush.objects.filter(shipment_id=shipment_id).order_by("-created_at", "-id")


def daily_arrivals(*, days: int, today: date | None = None) -> dict[int, list[int]]:
    """Order shipments opened per warehouse per day over the last `days` full days (oldest first)."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    end = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    rows = (
        Shipment.objects.filter(kind="order", opened_at__gte=start, opened_at__lt=end)
        .annotate(day=TruncDate("opened_at", tzinfo=timezone.get_current_timezone()))
        .values("warehouse_id", "day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("warehouse_id", "day", "n")
    )
    result: dict[int, list[int]] = {}
    for warehouse_id, day, count in rows:
        series = result.setdefault(warehouse_id, [0] * days)
        index = (day - first).days
        if 0 <= index < days:
            series[index] += count
    return result


def status_label(value: str) -> str:
    return str(ShipmentStatus(value).label) if value in ShipmentStatus.values else value


# --- the surge drill -------------------------------------------------------------------------


def factor_percent(text: str) -> int:
    """The drill's factor typed by a person ("3", "2.5") in percent; ValueError if unreadable."""
    return surge.factor_percent(text)


@dataclass(frozen=True)
class WarehouseDrill:
    warehouse_id: int
    code: str
    name: str
    capacity: int
    first_day: date
    result: surge.SurgeResult

    @property
    def dated(self) -> list[tuple[date, surge.SurgeDay]]:
        """Each simulated day with its calendar date (drain days run on after the drill's window)."""
        return [(self.first_day + timedelta(days=day.index), day) for day in self.result.days]


@dataclass(frozen=True)
class SurgeDrill:
    days: int
    factor_percent: int
    deadline_hours: int
    first_day: date
    warehouses: list[WarehouseDrill]

    @property
    def on_time(self) -> bool:
        return all(w.result.on_time for w in self.warehouses)

    @property
    def late(self) -> int:
        return sum(w.result.late for w in self.warehouses)

    @property
    def arrivals(self) -> int:
        return sum(w.result.arrivals for w in self.warehouses)

    @property
    def max_backlog(self) -> int:
        return max((w.result.max_backlog for w in self.warehouses), default=0)

    @property
    def factor(self) -> str:
        whole, rest = divmod(self.factor_percent, 100)
        return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


def surge_drill(
    *, days: int, factor_percent: int, deadline_hours: int | None = None, today: date | None = None
) -> SurgeDrill:
    """Replay the last `days` days of order shipments × factor against each warehouse's capacity."""
    hours = int(settings.FULFILMENT_DISPATCH_HOURS) if deadline_hours is None else deadline_hours
    today = today or timezone.localdate()
    first = today - timedelta(days=days)
    arrivals = daily_arrivals(days=days, today=today)
    warehouses = list(inventory.warehouse_list(active_only=True))
    limits = capacities([w.pk for w in warehouses])
    report = surge.drill(
        {w.pk: arrivals.get(w.pk, [0] * days) for w in warehouses},
        limits,
        deadline_hours=hours,
        factor_percent=factor_percent,
    )
    return SurgeDrill(
        days=days,
        factor_percent=factor_percent,
        deadline_hours=hours,
        first_day=first,
        warehouses=[
            WarehouseDrill(
                warehouse_id=w.pk,
                code=w.code,
                name=w.name,
                capacity=limits[w.pk],
                first_day=first,
                result=report.results[w.pk],
            )
            for w in warehouses
        ],
    )


@dataclass(frozen=True)
class SkuDelivery:
    """Where the units of one SKU of an order are: every parcel holding it delivered (and when the
    last one was), or not."""

    delivered: bool
    delivered_at: datetime | None


def sku_delivery(*, order_id: int, sku_id: int) -> SkuDelivery | None:
    """Whether the order's parcels holding this SKU have all been delivered (split orders: one
    parcel may arrive while another is on its way). None when no parcel of the order holds it."""
    rows = list(
        Shipment.objects.filter(order_id=order_id, kind=ShipmentKind.ORDER, lines__sku_id=sku_id)
        .exclude(status=ShipmentStatus.CANCELLED)
        .values_list("status", "delivered_at")
        .distinct()
    )
    if not rows:
        return None
    delivered = all(status == ShipmentStatus.DELIVERED for status, _at in rows)
    latest = max((at for _status, at in rows if at is not None), default=None)
    return SkuDelivery(delivered=delivered, delivered_at=latest if delivered else None)
