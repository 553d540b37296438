"""Fulfilment events, published inside the transaction that made the change (see core.events).

After-sales opens an item on the CS list on `ShipmentException`; an order's last delivered
shipment publishes `ShipmentDelivered` (the after-sales window starts from delivery).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShipmentException:
    """A carrier reported a problem with a parcel (lost, damaged, refused, address unknown)."""

    shipment_id: int
    order_id: int
    number: str  # the order number
    carrier: str  # the carrier's code, e.g. "SF"
    tracking_no: str
    note: str


@dataclass(frozen=True)
class ShipmentDelivered:
    """A shipment reached the customer (confirmed by the customer, the carrier or the auto-deliver task)."""

    shipment_id: int
    order_id: int
    number: str
