"""Inventory API schemas. Warehouses and SKUs are named by code, as sheets and scripts name them.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from ninja import Field, Schema

from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, Warehouse


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    region: str = Field(..., description="east, south, north, central, southwest, northwest, northeast or hmt")
    region_name: str
    city: str
    provinces: list[str] = Field(..., description="Province names served first, e.g. 上海市")
    is_active: bool
    position: int
    sku_lines: int = 0
    total_on_hand: int = 0
    total_reserved: int = 0
    total_available: int = 0
    open_alerts: int = 0

    @staticmethod
    def resolve_region_name(obj: Warehouse) -> str:
        return str(obj.get_region_display())


class WarehouseIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=64)
    region: str
    provinces: list[str] = Field(default_factory=list)
    city: str = Field("", max_length=32)
    position: int = Field(0, ge=0)
    is_active: bool = True


class WarehouseRef(Schema):
    id: int
    code: str
    name: str


class SkuRefOut(Schema):
    id: int
    code: str
    product_id: int
    product_title: str


class StockOut(Schema):
    id: int
    warehouse: WarehouseRef
    sku: SkuRefOut
    on_hand: int
    reserved: int
    available: int
    safety_stock: int
    low: bool = Field(..., description="Available is under the safety stock")
    updated_at: datetime

    @staticmethod
    def resolve_sku(obj: Stock) -> SkuRefOut:
        sku = obj.sku
        return SkuRefOut(id=sku.pk, code=sku.code, product_id=sku.product_id, product_title=sku.product.title)

    @staticmethod
    def resolve_low(obj: Stock) -> bool:
        return obj.is_low


class MovementOut(Schema):
    id: int
    kind: str = Field(
        ..., description="receipt, reservation, release, shipment, return, adjustment, stocktake or write_off"
    )
    on_hand_delta: int
    reserved_delta: int
    on_hand_after: int
    reserved_after: int
    reference: str
    reason: str
    by: str
    created_at: datetime

    @staticmethod
    def resolve_by(obj: StockMovement) -> str:
        return obj.actor_label


class StockDetailOut(StockOut):
    ledger: list[MovementOut] = Field(..., description="Movements, newest first (at most `ledger_limit`)")
    ledger_count: int


class ChangeOut(Schema):
    stock: StockOut
    movement: MovementOut


class LineIn(Schema):
    warehouse: str = Field(..., min_length=1, max_length=32, description="Warehouse code")
    sku: str = Field(..., min_length=1, max_length=64, description="SKU code")
    reference: str = Field("", max_length=100, description="Your id for this change: repeating it changes nothing")


class AdjustIn(LineIn):
    delta: int = Field(..., description="Units to add (positive) or take away (negative); not 0")
    reason: str = Field(..., max_length=200, description="Required")
    write_off: bool = Field(False, description="Record a write-off (damaged, expired, lost): delta must be negative")


class StocktakeIn(LineIn):
    counted: int = Field(..., description="Units counted on the shelf: on hand becomes this")
    reason: str = Field(..., max_length=200, description="Required")


class ReceiveIn(LineIn):
    quantity: int = Field(..., description="Units received (above zero)")
    reason: str = Field("", max_length=200)


class SafetyStockIn(Schema):
    safety_stock: int = Field(..., ge=0, le=10_000_000)


class AlertOut(Schema):
    id: int
    stock: StockOut
    available_when_opened: int
    safety_stock_when_opened: int
    opened_at: datetime
    resolved_at: datetime | None

    @staticmethod
    def resolve_available_when_opened(obj: LowStockAlert) -> int:
        return obj.available

    @staticmethod
    def resolve_safety_stock_when_opened(obj: LowStockAlert) -> int:
        return obj.safety_stock


class ImbalanceOut(Schema):
    stock_id: int
    on_hand: int
    ledger_on_hand: int
    reserved: int
    ledger_reserved: int
    reservations: int


class LedgerCheckOut(Schema):
    balanced: bool
    imbalances: list[ImbalanceOut]
