"""A group buy's terms and what happens to a group when its time runs out, as pure rules.

`terms_problems` lists what is wrong with a group buy before it is saved (the console, the API
and the demo share it); `expiry_outcome` decides whether a group whose time is up forms (with
virtual members, when the group buy allows it) or fails and refunds its members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shopkeeper.core.domain.money import Money

MAX_GROUP_SIZE = 100
MAX_TIME_LIMIT_HOURS = 24 * 7


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


@dataclass(frozen=True)
class Terms:
    group_price: Money
    normal_price: Money  # the SKU's usual sale price
    cost: Money | None  # unit cost, for the margin floor; None when unknown
    min_margin_percent: int | None  # the floor: the group price stays this far above cost
    group_size: int
    time_limit_hours: int
    per_customer_limit: int
    starts_at: datetime
    ends_at: datetime
    virtual_max_missing: int


def floor_price(cost: Money, min_margin_percent: int) -> Money:
    """The lowest price that keeps `min_margin_percent` over cost, rounded up to the fen."""
    return Money(-((-cost.fen * (100 + min_margin_percent)) // 100))


def terms_problems(terms: Terms) -> list[Problem]:
    """What is wrong with these terms (empty when they can be saved). English: callers translate."""
    problems: list[Problem] = []
    if terms.group_size < 2:
        problems.append(Problem("group_size", "A group needs at least 2 people."))
    elif terms.group_size > MAX_GROUP_SIZE:
        problems.append(Problem("group_size", "A group has at most 100 people."))
    if terms.time_limit_hours <= 0:
        problems.append(Problem("time_limit_hours", "The time limit must be at least 1 hour."))
    elif terms.time_limit_hours > MAX_TIME_LIMIT_HOURS:
        problems.append(Problem("time_limit_hours", "The time limit is at most 168 hours (7 days)."))
    if terms.per_customer_limit <= 0:
        problems.append(Problem("per_customer_limit", "The limit per customer must be at least 1."))
    if terms.group_price.fen <= 0:
        problems.append(Problem("group_price", "The group price must be more than zero."))
    elif terms.group_price >= terms.normal_price:
        problems.append(Problem("group_price", "The group price must be below the normal price."))
    elif terms.cost is not None and terms.min_margin_percent is not None:
        lowest = floor_price(terms.cost, terms.min_margin_percent)
        if terms.group_price < lowest:
            problems.append(Problem("group_price", "The group price is below the margin floor."))
    if terms.min_margin_percent is not None and not 0 <= terms.min_margin_percent <= 1000:
        problems.append(Problem("min_margin_percent", "The margin floor is a percentage from 0 to 1000."))
    if terms.ends_at <= terms.starts_at:
        problems.append(Problem("ends_at", "The window must end after it starts."))
    if terms.virtual_max_missing < 0 or terms.virtual_max_missing >= terms.group_size:
        problems.append(Problem("virtual_max_missing", "Virtual members fill at most the group size less one."))
    return problems


class Outcome(StrEnum):
    FORM = "form"
    FAIL = "fail"


@dataclass(frozen=True)
class Expiry:
    outcome: Outcome
    virtual_members: int  # how many virtual members complete the group (0 unless it forms so)


def expiry_outcome(*, paid: int, group_size: int, virtual_allowed: bool, virtual_max_missing: int) -> Expiry:
    """A group whose time ran out with `paid` paying members.

    It forms with virtual members only when the group buy allows it, at least one real member
    paid, and no more than `virtual_max_missing` seats are empty; otherwise it fails.
    """
    if paid >= group_size:
        return Expiry(Outcome.FORM, 0)
    missing = group_size - paid
    if virtual_allowed and paid >= 1 and missing <= virtual_max_missing:
        return Expiry(Outcome.FORM, missing)
    return Expiry(Outcome.FAIL, 0)
