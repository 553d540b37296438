"""Payments events, published inside the transaction that records the change (see core.events).

Subscribers (the orders app) register in their AppConfig.ready(); a handler that raises rolls the
change back, the notification is answered `fail`, and the gateway delivers it again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PaymentSucceeded:
    """The gateway collected the money; published once per payment, however many notifications arrive."""

    payment_id: int
    reference: str
    amount_fen: int
    gateway: str
    trade_no: str
    paid_at: datetime


@dataclass(frozen=True)
class PaymentFailed:
    """The gateway closed the trade unpaid (the customer failed or gave up)."""

    payment_id: int
    reference: str


@dataclass(frozen=True)
class RefundSucceeded:
    refund_id: int
    reference: str
    request_key: str
    amount_fen: int


@dataclass(frozen=True)
class RefundFailed:
    """The gateway refused or closed the refund; its amount is refundable again."""

    refund_id: int
    reference: str
    request_key: str
    amount_fen: int
    reason: str
