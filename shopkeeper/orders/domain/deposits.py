"""A presale order's two payments (定金 + 尾款) and when its deposit goes back: pure rules.

The deposit is paid first and counts as its *value* (¥50 counts as ¥100): the order's total is
final price × quantity + shipping − (value − deposit) × quantity, so the balance the customer
pays second is total − deposit, and deposit + balance is exactly the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PresalePayment(StrEnum):
    DEPOSIT = "deposit"
    BALANCE = "balance"
    NONE = "none"  # not a payment this order expects now: it goes back


@dataclass(frozen=True)
class DepositState:
    total_fen: int
    deposit_fen: int
    paid_fen: int
    deposit_paid: bool
    balance_from: datetime
    balance_until: datetime


def balance_of(total_fen: int, deposit_fen: int) -> int:
    """What is left to pay once the deposit is in."""
    return total_fen - deposit_fen


def payment_kind(state: DepositState, *, amount_fen: int, at: datetime) -> PresalePayment:
    """Which of its two payments an arriving amount is, or NONE (a duplicate, a wrong amount,
    a balance paid before its window opened)."""
    if not state.deposit_paid:
        return PresalePayment.DEPOSIT if amount_fen == state.deposit_fen else PresalePayment.NONE
    balance = state.total_fen - state.paid_fen
    if balance > 0 and amount_fen == balance and at >= state.balance_from:
        return PresalePayment.BALANCE
    return PresalePayment.NONE


def deposit_refundable(*, by_shop: bool, now: datetime, balance_until: datetime) -> bool:
    """Issue 6: the deposit is not refundable after the balance window closes unless the shop
    cancels. Before it closes, a customer who cancels gets the deposit back; the shop's cancel
    always gives it back."""
    return by_shop or now < balance_until
