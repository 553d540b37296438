"""How much may still be refunded: refunds that are pending or done never exceed what was paid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class RefundRefusal(StrEnum):
    NOT_POSITIVE = "not_positive"
    NOTHING_PAID = "nothing_paid"
    EXCEEDS_PAID = "exceeds_paid"
    NO_SINGLE_PAYMENT = "no_single_payment"  # enough in total, but spread over several trades


@dataclass(frozen=True)
class PaidTrade:
    """One paid payment: what it collected and what refunds (pending + succeeded) already claim."""

    payment_id: int
    paid_fen: int
    committed_fen: int

    @property
    def refundable_fen(self) -> int:
        return max(0, self.paid_fen - self.committed_fen)


@dataclass(frozen=True)
class RefundDecision:
    payment_id: int | None
    refusal: RefundRefusal | None
    paid_fen: int
    committed_fen: int

    @property
    def refundable_fen(self) -> int:
        return max(0, self.paid_fen - self.committed_fen)


def refund_decide(trades: Sequence[PaidTrade], requested_fen: int) -> RefundDecision:
    """Pick the trade to refund from (the earliest that can carry the whole amount), or say why not.

    A refund goes back through one trade, so it must fit on one; the reference's total
    (pending + succeeded refunds + this one) may never exceed the total paid.
    """
    paid = sum(trade.paid_fen for trade in trades)
    committed = sum(trade.committed_fen for trade in trades)

    def refuse(refusal: RefundRefusal) -> RefundDecision:
        return RefundDecision(payment_id=None, refusal=refusal, paid_fen=paid, committed_fen=committed)

    if requested_fen <= 0:
        return refuse(RefundRefusal.NOT_POSITIVE)
    if paid <= 0:
        return refuse(RefundRefusal.NOTHING_PAID)
    if committed + requested_fen > paid:
        return refuse(RefundRefusal.EXCEEDS_PAID)
    for trade in sorted(trades, key=lambda t: t.payment_id):
        if trade.refundable_fen >= requested_fen:
            return RefundDecision(payment_id=trade.payment_id, refusal=None, paid_fen=paid, committed_fen=committed)
    return refuse(RefundRefusal.NO_SINGLE_PAYMENT)
