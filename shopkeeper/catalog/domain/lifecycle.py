"""The product lifecycle (draft → listed ⇄ delisted) and what a product needs before listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    LISTED = "listed"
    DELISTED = "delisted"


class Action(StrEnum):
    LIST = "list"
    DELIST = "delist"


_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.DRAFT, Action.LIST): Status.LISTED,
    (Status.DELISTED, Action.LIST): Status.LISTED,
    (Status.LISTED, Action.DELIST): Status.DELISTED,
}


class IllegalTransition(ValueError):
    def __init__(self, current: Status, action: Action) -> None:
        super().__init__(f"A {current.value} product cannot be {action.value}ed")
        self.current = current
        self.action = action


def next_status(current: Status, action: Action) -> Status:
    try:
        return _TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(current, action) from None


@dataclass(frozen=True)
class SkuFacts:
    code: str
    sale_price_fen: int
    list_price_fen: int
    cost_price_fen: int
    active: bool = True


@dataclass(frozen=True)
class ListingFacts:
    title: str
    skus: Sequence[SkuFacts]
    main_image_count: int
    qualification_expiries: Sequence[date | None]
    compliance_hits: Sequence[str]  # described hits, e.g. "title[0:1] 最"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def listing_problems(facts: ListingFacts, *, today: date) -> list[Problem]:
    """Everything that stops a product going on sale; empty means it may be listed."""
    problems: list[Problem] = []
    if not facts.title.strip():
        problems.append(Problem("title", "a title is required"))
    active = [sku for sku in facts.skus if sku.active]
    if not active:
        problems.append(Problem("skus", "at least one active SKU is required"))
    for sku in active:
        if sku.sale_price_fen <= 0:
            problems.append(Problem(f"skus.{sku.code}.sale_price", "the sale price must be above zero"))
        if sku.list_price_fen and sku.sale_price_fen > sku.list_price_fen:
            problems.append(Problem(f"skus.{sku.code}.sale_price", "the sale price is above the list price"))
    if facts.main_image_count == 0:
        problems.append(Problem("images", "at least one main image is required"))
    expired = [day for day in facts.qualification_expiries if day is not None and day < today]
    if expired:
        problems.append(Problem("qualifications", f"{len(expired)} qualification document(s) expired"))
    for hit in facts.compliance_hits:
        problems.append(Problem("compliance", f"banned word {hit}"))
    return problems
