"""The shipment state machine: which moves are legal, and what each one is called.

to pick → picked → packed → shipped → delivered, plus exception (the carrier reported a problem
with a shipped parcel; it may still be delivered, or go back in transit) and cancelled (the order
was refunded in full before its parcel left). A packed parcel goes back to picked (unpack) when
refunded units come out of it: it is scanned again. Anything else is refused.
"""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    TO_PICK = "to_pick"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"


class ShipmentAction(StrEnum):
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    DELIVER = "deliver"
    FAIL = "fail"  # the carrier reported an exception
    RESUME = "resume"  # the parcel moves again after an exception
    CANCEL = "cancel"  # the order was refunded in full before shipping
    UNPACK = "unpack"  # refunded units came out of the packed parcel: scan it again


class IllegalShipmentMove(ValueError):
    def __init__(self, status: ShipmentStatus, action: ShipmentAction) -> None:
        super().__init__(f"A shipment that is {status.value} cannot {action.value}")
        self.status = status
        self.action = action


TRANSITIONS: dict[tuple[ShipmentStatus, ShipmentAction], ShipmentStatus] = {
    (ShipmentStatus.TO_PICK, ShipmentAction.PICK): ShipmentStatus.PICKED,
    (ShipmentStatus.PICKED, ShipmentAction.PACK): ShipmentStatus.PACKED,
    (ShipmentStatus.PACKED, ShipmentAction.SHIP): ShipmentStatus.SHIPPED,
    (ShipmentStatus.SHIPPED, ShipmentAction.DELIVER): ShipmentStatus.DELIVERED,
    (ShipmentStatus.SHIPPED, ShipmentAction.FAIL): ShipmentStatus.EXCEPTION,
    (ShipmentStatus.EXCEPTION, ShipmentAction.DELIVER): ShipmentStatus.DELIVERED,
    (ShipmentStatus.EXCEPTION, ShipmentAction.RESUME): ShipmentStatus.SHIPPED,
    (ShipmentStatus.TO_PICK, ShipmentAction.CANCEL): ShipmentStatus.CANCELLED,
    (ShipmentStatus.PICKED, ShipmentAction.CANCEL): ShipmentStatus.CANCELLED,
    (ShipmentStatus.PACKED, ShipmentAction.CANCEL): ShipmentStatus.CANCELLED,
    (ShipmentStatus.PACKED, ShipmentAction.UNPACK): ShipmentStatus.PICKED,
}

WAITING = frozenset({ShipmentStatus.TO_PICK, ShipmentStatus.PICKED, ShipmentStatus.PACKED})  # not shipped yet
ON_THE_WAY = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.EXCEPTION})


def next_status(status: ShipmentStatus, action: ShipmentAction) -> ShipmentStatus:
    """The status after `action`, or IllegalShipmentMove."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalShipmentMove(status, action) from None


def allowed_actions(status: ShipmentStatus) -> list[ShipmentAction]:
    return [action for (source, action) in TRANSITIONS if source is status]
