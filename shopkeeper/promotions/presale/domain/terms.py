"""A presale's terms, what is wrong with them, how an order's money splits, and its phases.

Money is integer fen (`Money`). The deposit counts as its value: for q units at final price P,
deposit D and value V, the customer pays D·q now and P·q + shipping − V·q later; the order's
total is the sum, P·q + shipping − (V − D)·q, and its discount the expansion (V − D)·q.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shopkeeper.core.domain.money import Money


@dataclass(frozen=True)
class Terms:
    final_price: Money
    deposit: Money
    deposit_value: Money
    presale_starts: datetime
    presale_ends: datetime
    balance_starts: datetime
    balance_ends: datetime
    limit_per_customer: int


class ProblemCode(StrEnum):
    DEPOSIT_NOT_POSITIVE = "deposit_not_positive"
    DEPOSIT_NOT_BELOW_PRICE = "deposit_not_below_price"
    VALUE_BELOW_DEPOSIT = "value_below_deposit"
    VALUE_ABOVE_PRICE = "value_above_price"
    PRESALE_WINDOW_REVERSED = "presale_window_reversed"
    BALANCE_WINDOW_REVERSED = "balance_window_reversed"
    WINDOWS_OVERLAP = "windows_overlap"
    LIMIT_NOT_POSITIVE = "limit_not_positive"
    BELOW_FLOOR = "below_floor"
    DEPOSIT_WINDOW_OVER = "deposit_window_over"
    BALANCE_WINDOW_OVER = "balance_window_over"


@dataclass(frozen=True)
class Problem:
    field: str
    code: ProblemCode


def effective_price(terms: Terms) -> Money:
    """What one unit really costs the customer: deposit + balance = final − (value − deposit)."""
    return terms.final_price - (terms.deposit_value - terms.deposit)


def floor_price(*, cost: Money, min_margin_percent: int | None, min_price: Money | None) -> Money:
    """The lowest unit price the margin guard allows: cost plus the minimum margin (rounded up to
    the fen), or the minimum price, whichever is higher; never below cost."""
    floor = cost
    if min_margin_percent is not None:
        floor = floor.max(Money(-(-cost.fen * (100 + min_margin_percent) // 100)))
    if min_price is not None:
        floor = floor.max(min_price)
    return floor


def terms_problems(terms: Terms, *, floor: Money | None = None) -> list[Problem]:
    """Everything wrong with the terms, field by field (empty: they may be saved)."""
    problems: list[Problem] = []
    if terms.deposit.fen <= 0:
        problems.append(Problem("deposit", ProblemCode.DEPOSIT_NOT_POSITIVE))
    elif terms.deposit >= terms.final_price:
        problems.append(Problem("deposit", ProblemCode.DEPOSIT_NOT_BELOW_PRICE))
    if terms.deposit_value < terms.deposit:
        problems.append(Problem("deposit_value", ProblemCode.VALUE_BELOW_DEPOSIT))
    elif terms.deposit_value > terms.final_price:
        problems.append(Problem("deposit_value", ProblemCode.VALUE_ABOVE_PRICE))
    if terms.presale_ends <= terms.presale_starts:
        problems.append(Problem("presale_ends", ProblemCode.PRESALE_WINDOW_REVERSED))
    if terms.balance_ends <= terms.balance_starts:
        problems.append(Problem("balance_ends", ProblemCode.BALANCE_WINDOW_REVERSED))
    if terms.balance_starts < terms.presale_ends:
        problems.append(Problem("balance_starts", ProblemCode.WINDOWS_OVERLAP))
    if terms.limit_per_customer <= 0:
        problems.append(Problem("limit_per_customer", ProblemCode.LIMIT_NOT_POSITIVE))
    if floor is not None and not problems and effective_price(terms) < floor:
        problems.append(Problem("deposit_value", ProblemCode.BELOW_FLOOR))
    return problems


def over_problems(terms: Terms, now: datetime) -> list[Problem]:
    """Windows already over at `now`: a presale set up (or moved) so would never take a deposit
    or a balance."""
    problems: list[Problem] = []
    if terms.presale_ends <= now:
        problems.append(Problem("presale_ends", ProblemCode.DEPOSIT_WINDOW_OVER))
    if terms.balance_ends <= now:
        problems.append(Problem("balance_ends", ProblemCode.BALANCE_WINDOW_OVER))
    return problems


@dataclass(frozen=True)
class Split:
    """How a presale order's money splits between its two payments."""

    goods: Money  # final price × quantity
    deposit: Money
    deposit_value: Money
    expansion: Money  # (value − deposit) × quantity: the order's discount
    shipping: Money
    total: Money  # deposit + balance
    balance: Money  # goods + shipping − value

    @property
    def balance_before_shipping(self) -> Money:
        return self.goods - self.deposit_value


def split(terms: Terms, *, quantity: int, shipping: Money) -> Split:
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    goods = terms.final_price * quantity
    deposit = terms.deposit * quantity
    value = terms.deposit_value * quantity
    expansion = value - deposit
    total = goods + shipping - expansion
    return Split(
        goods=goods,
        deposit=deposit,
        deposit_value=value,
        expansion=expansion,
        shipping=shipping,
        total=total,
        balance=total - deposit,
    )


class Phase(StrEnum):
    UPCOMING = "upcoming"  # before the deposit window
    DEPOSIT = "deposit"  # deposits are taken
    WAITING = "waiting"  # between the windows
    BALANCE = "balance"  # balances are paid
    ENDED = "ended"


def phase_at(terms: Terms, now: datetime) -> Phase:
    if now < terms.presale_starts:
        return Phase.UPCOMING
    if now < terms.presale_ends:
        return Phase.DEPOSIT
    if now < terms.balance_starts:
        return Phase.WAITING
    if now < terms.balance_ends:
        return Phase.BALANCE
    return Phase.ENDED


class ReminderKind(StrEnum):
    BALANCE_OPENS = "balance_opens"
    BALANCE_CLOSES = "balance_closes"


def reminders_due(
    *, now: datetime, balance_starts: datetime, balance_ends: datetime, lead: timedelta
) -> tuple[ReminderKind, ...]:
    """Which reminders an order awaiting its balance should have had by `now`: the window opens
    within `lead` (or has opened), and the window closes within `lead`. Nothing once it closed."""
    if now >= balance_ends:
        return ()
    due: list[ReminderKind] = []
    if now >= balance_starts - lead:
        due.append(ReminderKind.BALANCE_OPENS)
    if now >= balance_ends - lead and now >= balance_starts:
        due.append(ReminderKind.BALANCE_CLOSES)
    return tuple(due)
