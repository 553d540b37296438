"""Inventory's domain events (published inside the transaction that caused them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LowStock:
    """A stock line's available units fell under its safety stock (a `LowStockAlert` was opened)."""

    sku_id: int
    warehouse_id: int
    available: int
    safety_stock: int
