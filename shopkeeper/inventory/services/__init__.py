"""Inventory writes. Import from here: `from shopkeeper.inventory import services`."""

from shopkeeper.inventory.selectors import Allocated, reservations_for
from shopkeeper.inventory.services.bulk import (
    OpeningLine,
    OpeningResult,
    WarehouseSpec,
    stock_open,
    warehouses_ensure,
)
from shopkeeper.inventory.services.imports import (
    SheetError,
    StockImportResult,
    stock_import,
    stock_import_template,
)
from shopkeeper.inventory.services.pools import (
    PoolLine,
    stock_pool_release,
    stock_pool_reserve,
    stock_reservation_return,
    stock_reservation_transfer,
)
from shopkeeper.inventory.services.stock import (
    DEFAULT_WAREHOUSE_CODE,
    CountLine,
    CountResult,
    ReserveLine,
    safety_stock_set,
    sku_ref,
    stock_adjust,
    stock_deduct,
    stock_receive,
    stock_release,
    stock_release_units,
    stock_reserve,
    stock_return,
    stocktake,
    stocktake_many,
    warehouse_default,
)
from shopkeeper.inventory.services.warehouses import warehouse_create, warehouse_update

# `Allocated` and `reservations_for` are reads, re-exported so an order's code can say
# `stock.stock_reserve(...)` and `stock.reservations_for(...)` through one name.
__all__ = [
    "DEFAULT_WAREHOUSE_CODE",
    "Allocated",
    "CountLine",
    "CountResult",
    "OpeningLine",
    "OpeningResult",
    "PoolLine",
    "ReserveLine",
    "SheetError",
    "StockImportResult",
    "WarehouseSpec",
    "reservations_for",
    "safety_stock_set",
    "sku_ref",
    "stock_adjust",
    "stock_deduct",
    "stock_import",
    "stock_import_template",
    "stock_open",
    "stock_pool_release",
    "stock_pool_reserve",
    "stock_receive",
    "stock_release",
    "stock_release_units",
    "stock_reservation_return",
    "stock_reservation_transfer",
    "stock_reserve",
    "stock_return",
    "stocktake",
    "stocktake_many",
    "warehouse_create",
    "warehouse_default",
    "warehouse_update",
    "warehouses_ensure",
]
