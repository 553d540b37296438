"""The order state machine: which moves are legal, and what each one is called.

pending payment → paid → allocated → shipped → delivered → completed, plus cancelled (an
unpaid order given up: by the customer, the shop or the payment timeout) and closed (a paid
order whose whole amount went back to the customer). Anything else is refused.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    ALLOCATED = "allocated"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class Action(StrEnum):
    PAY = "pay"
    ALLOCATE = "allocate"
    SHIP = "ship"
    DELIVER = "deliver"
    COMPLETE = "complete"
    CANCEL = "cancel"
    CLOSE = "close"


class IllegalTransition(ValueError):
    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(f"An order that is {status.value} cannot {action.value}")
        self.status = status
        self.action = action


TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.PENDING_PAYMENT, Action.PAY): Status.PAID,
    (Status.PENDING_PAYMENT, Action.CANCEL): Status.CANCELLED,
    (Status.PAID, Action.ALLOCATE): Status.ALLOCATED,
    (Status.PAID, Action.CLOSE): Status.CLOSED,
    (Status.ALLOCATED, Action.SHIP): Status.SHIPPED,
    (Status.ALLOCATED, Action.CLOSE): Status.CLOSED,
    (Status.SHIPPED, Action.DELIVER): Status.DELIVERED,
    (Status.SHIPPED, Action.CLOSE): Status.CLOSED,
    (Status.DELIVERED, Action.COMPLETE): Status.COMPLETED,
    (Status.DELIVERED, Action.CLOSE): Status.CLOSED,
    (Status.COMPLETED, Action.CLOSE): Status.CLOSED,
}

FINAL = frozenset({Status.CANCELLED, Status.CLOSED})
AWAITING_SHIPMENT = frozenset({Status.PAID, Status.ALLOCATED})  # 待发货


def next_status(status: Status, action: Action) -> Status:
    """The status after `action`, or IllegalTransition."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: Status) -> list[Action]:
    return [action for (source, action) in TRANSITIONS if source is status]


def is_paid(status: Status) -> bool:
    """Money has been received (even if it later went back)."""
    return status not in {Status.PENDING_PAYMENT, Status.CANCELLED}
