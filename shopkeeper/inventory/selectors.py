"""Inventory reads shared by the storefront, checkout, the console, the API and reports.

Each function runs a fixed number of queries whatever the number of SKUs or warehouses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from shopkeeper.core.errors import NotFound
from shopkeeper.inventory.enums import ReservationState
from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, StockReservation, Warehouse

StockLine = Stock  # the stock-line model, for type hints in other apps (which may not import models)
AVAILABLE = ExpressionWrapper(F("on_hand") - F("reserved"), output_field=IntegerField())


@dataclass(frozen=True)
class Allocated:
    """Units of one SKU held for a reference in one warehouse."""

    sku_id: int
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    quantity: int


def sku_availability(sku_ids: Iterable[int]) -> dict[int, int]:
    """Units a shopper may buy now per SKU: on hand − reserved over the active warehouses (one query).

    Every id asked for is in the answer; an inactive SKU or one without stock has 0.
    """
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    found = dict(
        Stock.objects.filter(sku_id__in=ids, warehouse__is_active=True, sku__is_active=True)
        .values("sku_id")
        .annotate(units=Sum(AVAILABLE))
        .order_by()
        .values_list("sku_id", "units")
    )
    return {sku_id: max(int(found.get(sku_id) or 0), 0) for sku_id in ids}


def reservations_for(reference: str) -> list[Allocated]:
    """What is held (active) for a reference, per SKU and warehouse, in stock-line order."""
    rows = (
        StockReservation.objects.filter(reference=reference, state=ReservationState.ACTIVE)
        .select_related("stock__warehouse")
        .order_by("stock_id")
    )
    return [
        Allocated(
            sku_id=row.stock.sku_id,
            warehouse_id=row.stock.warehouse_id,
            warehouse_code=row.stock.warehouse.code,
            warehouse_name=row.stock.warehouse.name,
            quantity=row.quantity,
        )
        for row in rows
    ]


def _per_warehouse(queryset: QuerySet[Any], **totals: Any) -> Subquery:
    """One total per outer warehouse, as a correlated subquery (evaluated once per warehouse row)."""
    ((name, expression),) = totals.items()
    grouped = queryset.order_by().values("warehouse_id").annotate(**{name: expression}).values(name)
    return Subquery(grouped, output_field=IntegerField())


def warehouse_list(*, active_only: bool = False) -> QuerySet[Warehouse]:
    """Warehouses in order with their totals: `sku_lines`, `total_on_hand`, `total_reserved`,
    `total_available` and `open_alerts` (one query; each total is a subquery per warehouse, so
    the cost grows with the warehouses, not with their stock lines)."""
    lines = Stock.objects.filter(warehouse=OuterRef("pk"))
    alerts = LowStockAlert.objects.filter(stock__warehouse=OuterRef("pk"), resolved_at__isnull=True).annotate(
        warehouse_id=F("stock__warehouse_id")
    )
    zero = Value(0)
    queryset = Warehouse.objects.annotate(
        sku_lines=Coalesce(_per_warehouse(lines, n=Count("pk")), zero),
        total_on_hand=Coalesce(_per_warehouse(lines, n=Sum("on_hand")), zero),
        total_reserved=Coalesce(_per_warehouse(lines, n=Sum("reserved")), zero),
        open_alerts=Coalesce(_per_warehouse(alerts, n=Count("pk")), zero),
    ).annotate(total_available=F("total_on_hand") - F("total_reserved"))
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("position", "pk")


def warehouse_get(*, warehouse_id: int | None = None, code: str | None = None) -> Warehouse:
    found = Warehouse.objects.filter(Q(pk=warehouse_id) if warehouse_id is not None else Q(code=code)).first()
    if found is None:
        raise NotFound(
            _("No warehouse %(which)s") % {"which": code if warehouse_id is None else warehouse_id},
            details={"warehouse": code if warehouse_id is None else warehouse_id},
        )
    return found


@dataclass(frozen=True)
class StockFilters:
    warehouse_id: int | None = None
    query: str = ""  # a SKU code or barcode (exact), or words of the product title
    low_only: bool = False
    sku_id: int | None = None


def stock_list(filters: StockFilters | None = None) -> QuerySet[Stock]:
    """Stock lines with warehouse, SKU and product loaded and `available` annotated, warehouse then SKU order."""
    filters = filters or StockFilters()
    queryset = Stock.objects.select_related("warehouse", "sku", "sku__product").annotate(available_units=AVAILABLE)
    if filters.warehouse_id is not None:
        queryset = queryset.filter(warehouse_id=filters.warehouse_id)
    if filters.sku_id is not None:
        queryset = queryset.filter(sku_id=filters.sku_id)
    term = filters.query.strip()
    if term:
        queryset = queryset.filter(
            Q(sku__code__iexact=term) | Q(sku__barcode=term) | Q(sku__code__istartswith=term)
            | Q(sku__product__title__icontains=term)
        )  # fmt: skip
    if filters.low_only:
        queryset = queryset.filter(safety_stock__gt=0, available_units__lt=F("safety_stock"))
    return queryset.order_by("warehouse__position", "warehouse_id", "sku__code", "pk")


def stock_get(*, stock_id: int) -> Stock:
    found = stock_list().filter(pk=stock_id).first()
    if found is None:
        raise NotFound(_("No stock line %(id)s") % {"id": stock_id}, details={"stock_id": stock_id})
    return found


def stock_line(*, warehouse_id: int, sku_id: int) -> Stock | None:
    return stock_list().filter(warehouse_id=warehouse_id, sku_id=sku_id).first()


def stock_ledger(*, stock_id: int) -> QuerySet[StockMovement]:
    """The line's movements, newest first."""
    return StockMovement.objects.filter(stock_id=stock_id).select_related("actor").order_by("-id")


def alert_list(*, open_only: bool = True, warehouse_id: int | None = None) -> QuerySet[LowStockAlert]:
    """Low-stock alerts, newest first, with the stock line (and its current numbers) loaded."""
    queryset = LowStockAlert.objects.select_related("stock__warehouse", "stock__sku", "stock__sku__product")
    if open_only:
        queryset = queryset.filter(resolved_at__isnull=True)
    if warehouse_id is not None:
        queryset = queryset.filter(stock__warehouse_id=warehouse_id)
    return queryset.order_by("-opened_at", "-pk")


def open_alert_count() -> int:
    return LowStockAlert.objects.filter(resolved_at__isnull=True).count()


@dataclass(frozen=True)
class Imbalance:
    """A stock line whose numbers differ from the sum of its ledger (or of its active reservations)."""

    stock_id: int
    on_hand: int
    ledger_on_hand: int
    reserved: int
    ledger_reserved: int
    reservations: int


def ledger_imbalances() -> list[Imbalance]:
    """Every stock line whose on hand or reserved is not what its ledger adds up to, or whose reserved
    differs from its active reservations; empty when the books balance (two queries)."""
    active = (
        StockReservation.objects.filter(stock=OuterRef("pk"), state=ReservationState.ACTIVE)
        .order_by()
        .values("stock")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    ledger = (
        StockMovement.objects.filter(stock=OuterRef("pk"))
        .order_by()
        .values("stock")
        .annotate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    )
    rows = (
        Stock.objects.annotate(
            ledger_on_hand=Coalesce(Subquery(ledger.values("on_hand"), output_field=IntegerField()), Value(0)),
            ledger_reserved=Coalesce(Subquery(ledger.values("reserved"), output_field=IntegerField()), Value(0)),
            held=Coalesce(Subquery(active, output_field=IntegerField()), Value(0)),
        )
        .exclude(on_hand=F("ledger_on_hand"), reserved=F("ledger_reserved"), reserved__exact=F("held"))
        .order_by("pk")
        .values_list("pk", "on_hand", "ledger_on_hand", "reserved", "ledger_reserved", "held")
    )
    return [Imbalance(*row) for row in rows]
