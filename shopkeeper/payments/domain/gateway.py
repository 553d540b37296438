"""The payment gateway interface: what Shopkeeper asks of Alipay, WeChat Pay or the sandbox.

A gateway adapter turns these calls into the gateway's own API and its signed callbacks into the
plain notices below. Adapters are registered by name (`payments.gateways.gateway_register`); the
payments services are the only callers. Every call must be idempotent by our number
(`out_trade_no`, `out_refund_no`): the services retry after timeouts and reuse an open payment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable


class TradeState(StrEnum):
    """A trade's state in the gateway's words (Alipay's `trade_status`)."""

    WAITING = "WAIT_BUYER_PAY"
    SUCCESS = "TRADE_SUCCESS"
    FINISHED = "TRADE_FINISHED"  # paid, and past the gateway's refund window
    CLOSED = "TRADE_CLOSED"  # given up unpaid (timeout, the customer failed), or refunded in full
    NOT_FOUND = "TRADE_NOT_EXIST"  # only from a query: the gateway has no such trade (yet)


PAID_STATES = frozenset({TradeState.SUCCESS, TradeState.FINISHED})


class RefundState(StrEnum):
    SUCCESS = "REFUND_SUCCESS"
    CLOSED = "REFUND_CLOSED"  # the gateway could not carry the refund out


class NoticeProblem(StrEnum):
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"


class NoticeRejected(Exception):
    """A callback that must not be believed: its signature is wrong or its fields are unusable."""

    def __init__(self, problem: NoticeProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


class GatewayError(Exception):
    """The gateway could not be reached or answered nonsense: try again later."""


class GatewayRefusal(GatewayError):
    """The gateway said no for good (e.g. a refund larger than what is left on the trade)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PaymentOrder:
    """Ask the gateway to collect `amount_fen` for our trade number."""

    out_trade_no: str
    amount_fen: int
    subject: str
    return_url: str  # where the customer's browser goes afterwards (untrusted for state)
    notify_url: str  # where the gateway posts the signed asynchronous notification


@dataclass(frozen=True)
class PaymentNotice:
    """A verified payment notification (or a query answer) in plain terms."""

    out_trade_no: str
    trade_no: str
    amount_fen: int
    state: TradeState
    notify_id: str = ""
    paid_at: datetime | None = None


@dataclass(frozen=True)
class RefundOrder:
    out_trade_no: str
    trade_no: str
    out_refund_no: str
    amount_fen: int
    total_fen: int  # what the trade collected
    reason: str
    notify_url: str


@dataclass(frozen=True)
class RefundAccepted:
    gateway_refund_no: str = ""  # some gateways number the refund only in the notification


@dataclass(frozen=True)
class RefundNotice:
    out_trade_no: str
    out_refund_no: str
    gateway_refund_no: str
    amount_fen: int
    state: RefundState
    notify_id: str = ""
    refunded_at: datetime | None = None


@runtime_checkable
class PaymentGateway(Protocol):
    """What an adapter implements. `name` is the URL segment of its notify endpoints."""

    name: str

    def enabled(self) -> bool:
        """False when this deployment must not use the gateway (e.g. the sandbox in production)."""
        ...

    def payment_start(self, order: PaymentOrder) -> str:
        """Create (or find, for the same out_trade_no) the trade; return the URL to send the customer to."""
        ...

    def payment_notice_verify(self, params: Mapping[str, str]) -> PaymentNotice:
        """Verify the signature of an asynchronous payment notification and parse it (NoticeRejected)."""
        ...

    def refund_start(self, order: RefundOrder) -> RefundAccepted:
        """Ask for a refund; GatewayRefusal when refused for good, GatewayError to retry."""
        ...

    def refund_notice_verify(self, params: Mapping[str, str]) -> RefundNotice:
        """Verify and parse an asynchronous refund notification (NoticeRejected)."""
        ...

    def trade_query(self, out_trade_no: str) -> PaymentNotice:
        """The trade's state now, asked of the gateway (state NOT_FOUND when it has none)."""
        ...
