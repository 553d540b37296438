"""The after-sales state machine: which moves an application may make, for each kind.

refund only:      applied → approved → refunding → refunded
return + refund:  applied → approved → return shipped → received → inspected → refunding → refunded
exchange:         applied → approved → return shipped → received → inspected → exchange shipped → closed
An open application may be refused (applied), cancelled by the customer (applied, approved), and a
refund the gateway refused may be tried again (refund failed → refunding). Anything else is refused.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    REFUND_ONLY = "refund_only"  # 仅退款: not shipped, or not received
    RETURN_REFUND = "return_refund"  # 退货退款
    EXCHANGE = "exchange"  # 换货


class Status(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REFUSED = "refused"
    RETURN_SHIPPED = "return_shipped"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDING = "refunding"
    REFUND_FAILED = "refund_failed"
    REFUNDED = "refunded"
    EXCHANGE_SHIPPED = "exchange_shipped"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Action(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"
    CANCEL = "cancel"
    SHIP_RETURN = "ship_return"
    RECEIVE = "receive"
    INSPECT = "inspect"
    REFUND = "refund"
    REFUND_SUCCEED = "refund_succeed"
    REFUND_FAIL = "refund_fail"
    SHIP_EXCHANGE = "ship_exchange"
    CLOSE = "close"


class IllegalTransition(ValueError):
    def __init__(self, kind: Kind, status: Status, action: Action) -> None:
        super().__init__(f"A {kind.value} application that is {status.value} cannot {action.value}")
        self.kind = kind
        self.status = status
        self.action = action


_COMMON: dict[tuple[Status, Action], Status] = {
    (Status.APPLIED, Action.APPROVE): Status.APPROVED,
    (Status.APPLIED, Action.REFUSE): Status.REFUSED,
    (Status.APPLIED, Action.CANCEL): Status.CANCELLED,
    (Status.APPROVED, Action.CANCEL): Status.CANCELLED,
}
_GOODS_BACK: dict[tuple[Status, Action], Status] = {
    (Status.APPROVED, Action.SHIP_RETURN): Status.RETURN_SHIPPED,
    (Status.RETURN_SHIPPED, Action.RECEIVE): Status.RECEIVED,
    (Status.RECEIVED, Action.INSPECT): Status.INSPECTED,
}
_MONEY_BACK: dict[tuple[Status, Action], Status] = {
    (Status.REFUNDING, Action.REFUND_SUCCEED): Status.REFUNDED,
    (Status.REFUNDING, Action.REFUND_FAIL): Status.REFUND_FAILED,
    (Status.REFUND_FAILED, Action.REFUND): Status.REFUNDING,
    (Status.REFUND_FAILED, Action.REFUND_SUCCEED): Status.REFUNDED,  # the gateway changed its mind
}

TRANSITIONS: dict[Kind, dict[tuple[Status, Action], Status]] = {
    Kind.REFUND_ONLY: {**_COMMON, (Status.APPROVED, Action.REFUND): Status.REFUNDING, **_MONEY_BACK},
    Kind.RETURN_REFUND: {**_COMMON, **_GOODS_BACK, (Status.INSPECTED, Action.REFUND): Status.REFUNDING, **_MONEY_BACK},
    Kind.EXCHANGE: {
        **_COMMON,
        **_GOODS_BACK,
        (Status.INSPECTED, Action.SHIP_EXCHANGE): Status.EXCHANGE_SHIPPED,
        (Status.EXCHANGE_SHIPPED, Action.CLOSE): Status.CLOSED,
    },
}

FINAL = frozenset({Status.REFUSED, Status.REFUNDED, Status.CLOSED, Status.CANCELLED})
OPEN = frozenset(status for status in Status if status not in FINAL)
# Statuses in which the goods (or money) of the application are spoken for: they count against
# the line's quantity for further applications.
CLAIMING = frozenset(status for status in Status if status not in {Status.REFUSED, Status.CANCELLED})
AWAITING_REVIEW = frozenset({Status.APPLIED})


def next_status(kind: Kind, status: Status, action: Action) -> Status:
    """The status after `action`, or IllegalTransition."""
    try:
        return TRANSITIONS[kind][(status, action)]
    except KeyError:
        raise IllegalTransition(kind, status, action) from None


def allowed_actions(kind: Kind, status: Status) -> list[Action]:
    return [action for (source, action) in TRANSITIONS[kind] if source is status]


def is_open(status: Status) -> bool:
    return status in OPEN
