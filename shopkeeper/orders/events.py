"""Orders events, published inside the transaction that made the change (see core.events).

Fulfilment opens shipments on `OrderPaid` (unless the order is held) and on `OrderReleased`;
the campaign mechanics give back what a cancelled order took (a flash-sale unit, a coupon) on
`OrderCancelled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OrderPaid:
    """The order's money arrived and its stock is allocated to warehouses."""

    order_id: int
    number: str
    reference: str
    kind: str
    paid_at: datetime
    priority: bool
    held: bool  # fulfilment_hold is set: do not ship until OrderReleased


@dataclass(frozen=True)
class OrderReleased:
    """A held, paid order may now be shipped (the group formed, the presale balance was paid)."""

    order_id: int
    number: str


@dataclass(frozen=True)
class OrderCancelled:
    """An unpaid order was given up (customer, staff or the payment timeout); its stock is released."""

    order_id: int
    number: str
    reference: str
    kind: str
    customer_id: int
