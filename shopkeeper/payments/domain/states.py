"""What a gateway's word does to our payment and refund records.

Payments: pending → succeeded when the trade is paid; pending → closed when the gateway closes the
trade unpaid. Money that arrives after we gave up (closed or failed) is still recorded as
succeeded: the customer paid, and the order side decides what to do (refund it). A closed trade
after success means a full refund at the gateway, which the refund records carry, so it changes
nothing here. Repeats change nothing: ten identical notifications are one change.
"""

from __future__ import annotations

from enum import StrEnum

from shopkeeper.payments.domain.gateway import PAID_STATES, RefundState, TradeState


class PaymentState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the gateway refused to open the trade
    CLOSED = "closed"  # the gateway closed the trade unpaid


class RefundRecordState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Effect(StrEnum):
    SUCCEED = "succeed"  # a state change
    CLOSE = "close"  # a state change
    FAIL = "fail"  # a state change (refunds)
    DUPLICATE = "duplicate"  # already in that state: acknowledge, change nothing
    IGNORE = "ignore"  # nothing to do with this word in this state: acknowledge, change nothing


CHANGES = frozenset({Effect.SUCCEED, Effect.CLOSE, Effect.FAIL})


def payment_effect(current: PaymentState, trade: TradeState) -> Effect:
    if trade in PAID_STATES:
        return Effect.DUPLICATE if current is PaymentState.SUCCEEDED else Effect.SUCCEED
    if trade is TradeState.CLOSED:
        if current is PaymentState.PENDING:
            return Effect.CLOSE
        return Effect.DUPLICATE if current is PaymentState.CLOSED else Effect.IGNORE
    return Effect.IGNORE  # WAIT_BUYER_PAY, TRADE_NOT_EXIST: nothing has happened yet


def refund_effect(current: RefundRecordState, refund: RefundState) -> Effect:
    if refund is RefundState.SUCCESS:
        # A refund the gateway carried out is money gone, even if we had marked it failed.
        return Effect.DUPLICATE if current is RefundRecordState.SUCCEEDED else Effect.SUCCEED
    if current is RefundRecordState.PENDING:
        return Effect.FAIL
    return Effect.DUPLICATE if current is RefundRecordState.FAILED else Effect.IGNORE
