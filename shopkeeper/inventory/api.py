"""Inventory endpoints under /api/v1/inventory: warehouses, stock lines with their ledger, adjust,
stocktake and receive, safety stock, low-stock alerts and the ledger check. Thin: parse, call a
service or selector, answer. Refusals come back as `{"code", "message", "details"}` and change nothing.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import MANAGE_STOCK, SET_SAFETY_STOCK, VIEW_INVENTORY
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors, services
from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, Warehouse
from shopkeeper.inventory.schemas import (
    AdjustIn,
    AlertOut,
    ChangeOut,
    ImbalanceOut,
    LedgerCheckOut,
    LineIn,
    ReceiveIn,
    SafetyStockIn,
    StockDetailOut,
    StockOut,
    StocktakeIn,
    WarehouseIn,
    WarehouseOut,
)

router = Router(tags=["inventory"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _line(payload: LineIn) -> tuple[int, int]:
    """The warehouse and SKU ids a payload names by code (404 when either is unknown)."""
    warehouse = selectors.warehouse_get(code=payload.warehouse.strip())
    return warehouse.pk, services.sku_ref(code=payload.sku).id


def _changed(movement: StockMovement) -> dict[str, object]:
    return {"stock": selectors.stock_get(stock_id=movement.stock_id), "movement": movement}


# --- warehouses -----------------------------------------------------------------------------


@router.get("/warehouses", response=list[WarehouseOut], summary="Warehouses with their stock totals")
@requires(VIEW_INVENTORY, api=True)
def warehouse_list(request: HttpRequest) -> QuerySet[Warehouse]:
    return selectors.warehouse_list()


@router.post("/warehouses", response={201: WarehouseOut}, summary="Create a warehouse")
@requires(MANAGE_STOCK, api=True)
def warehouse_create(request: HttpRequest, payload: WarehouseIn) -> Status[Warehouse]:
    warehouse = services.warehouse_create(actor=_actor(request), **payload.dict())
    return Status(201, selectors.warehouse_list().get(pk=warehouse.pk))


# --- stock lines ----------------------------------------------------------------------------


class StockFilter(Schema):
    warehouse: str | None = Field(None, description="Warehouse code")
    q: str | None = Field(None, max_length=100, description="SKU code or barcode, or words of the product title")
    low: bool = Field(False, description="Only lines whose available units are under their safety stock")


@router.get(
    "/stock",
    response=list[StockOut],
    summary="Stock lines, filtered",
    description="One line per SKU per warehouse. Answers `{items, count}`; page with `limit` and `offset`.",
)
@requires(VIEW_INVENTORY, api=True)
@paginate(LimitOffsetPagination)
def stock_list(request: HttpRequest, filters: Query[StockFilter]) -> QuerySet[Stock]:
    warehouse_id = selectors.warehouse_get(code=filters.warehouse).pk if filters.warehouse else None
    return selectors.stock_list(
        selectors.StockFilters(warehouse_id=warehouse_id, query=filters.q or "", low_only=filters.low)
    )


class LedgerPaging(Schema):
    ledger_limit: int = Field(50, ge=1, le=500)


@router.get("/stock/{int:stock_id}", response=StockDetailOut, summary="One stock line with its ledger")
@requires(VIEW_INVENTORY, api=True)
def stock_get(request: HttpRequest, stock_id: int, paging: Query[LedgerPaging]) -> Stock:
    stock = selectors.stock_get(stock_id=stock_id)
    ledger = selectors.stock_ledger(stock_id=stock.pk)
    stock.ledger = list(ledger[: paging.ledger_limit])  # type: ignore[attr-defined]  # read by StockDetailOut
    stock.ledger_count = ledger.count()  # type: ignore[attr-defined]
    return stock


@router.post("/stock/adjust", response=ChangeOut, summary="Adjust or write off on hand, with a reason")
@requires(MANAGE_STOCK, api=True)
def stock_adjust(request: HttpRequest, payload: AdjustIn) -> dict[str, object]:
    warehouse_id, sku_id = _line(payload)
    movement = services.stock_adjust(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        delta=payload.delta,
        reason=payload.reason,
        reference=payload.reference,
        write_off=payload.write_off,
        actor=_actor(request),
    )
    return _changed(movement)


@router.post("/stock/stocktake", response=ChangeOut, summary="Record a count: on hand becomes what was counted")
@requires(MANAGE_STOCK, api=True)
def stock_stocktake(request: HttpRequest, payload: StocktakeIn) -> dict[str, object]:
    warehouse_id, sku_id = _line(payload)
    movement = services.stocktake(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        counted=payload.counted,
        reason=payload.reason,
        reference=payload.reference,
        actor=_actor(request),
    )
    return _changed(movement)


@router.post("/stock/receive", response=ChangeOut, summary="Receive goods into a warehouse")
@requires(MANAGE_STOCK, api=True)
def stock_receive(request: HttpRequest, payload: ReceiveIn) -> dict[str, object]:
    warehouse_id, sku_id = _line(payload)
    movement = services.stock_receive(
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        quantity=payload.quantity,
        reason=payload.reason,
        reference=payload.reference,
        actor=_actor(request),
    )
    return _changed(movement)


@router.put("/stock/{int:stock_id}/safety-stock", response=StockOut, summary="Set a stock line's safety stock")
@requires(SET_SAFETY_STOCK, api=True)
def stock_safety(request: HttpRequest, stock_id: int, payload: SafetyStockIn) -> Stock:
    services.safety_stock_set(stock_id=stock_id, quantity=payload.safety_stock, actor=_actor(request))
    return selectors.stock_get(stock_id=stock_id)


# --- alerts and the ledger check ------------------------------------------------------------


class AlertFilter(Schema):
    open: bool = Field(True, description="Only alerts still open (false: resolved ones too)")
    warehouse: str | None = Field(None, description="Warehouse code")


@router.get(
    "/alerts",
    response=list[AlertOut],
    summary="Low-stock alerts, newest first",
    description="An alert opens when a line's available units fall under its safety stock and resolves when "
    "they recover. Answers `{items, count}`; page with `limit` and `offset`.",
)
@requires(VIEW_INVENTORY, api=True)
@paginate(LimitOffsetPagination)
def alert_list(request: HttpRequest, filters: Query[AlertFilter]) -> QuerySet[LowStockAlert]:
    warehouse_id = selectors.warehouse_get(code=filters.warehouse).pk if filters.warehouse else None
    return selectors.alert_list(open_only=filters.open, warehouse_id=warehouse_id)


@router.get("/ledger/check", response=LedgerCheckOut, summary="Does every line equal the sum of its ledger?")
@requires(VIEW_INVENTORY, api=True)
def ledger_check(request: HttpRequest) -> LedgerCheckOut:
    found = selectors.ledger_imbalances()
    return LedgerCheckOut(
        balanced=not found,
        imbalances=[ImbalanceOut(**vars(imbalance)) for imbalance in found],
    )
