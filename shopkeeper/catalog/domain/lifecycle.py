"""The product lifecycle (draft → listed ⇄ delisted) and what a product needs before listing."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
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


class ProblemCode(StrEnum):
    """Why a product may not be listed yet; the services turn each code into a translated sentence."""

    NO_TITLE = "no_title"
    NO_ACTIVE_SKU = "no_active_sku"
    SALE_PRICE_NOT_POSITIVE = "sale_price_not_positive"  # params: sku
    SALE_ABOVE_LIST = "sale_above_list"  # params: sku
    NO_MAIN_IMAGE = "no_main_image"
    QUALIFICATION_EXPIRED = "qualification_expired"  # params: count
    BANNED_WORD = "banned_word"  # params: hit


@dataclass(frozen=True)
class Problem:
    """One thing that stops listing: the part it concerns, why, and the values the sentence names."""

    field: str
    code: ProblemCode
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


def listing_problems(facts: ListingFacts, *, today: date) -> list[Problem]:
    """Everything that stops a product going on sale; empty means it may be listed."""
    problems: list[Problem] = []
    if not facts.title.strip():
        problems.append(Problem("title", ProblemCode.NO_TITLE))
    active = [sku for sku in facts.skus if sku.active]
    if not active:
        problems.append(Problem("skus", ProblemCode.NO_ACTIVE_SKU))
    for sku in active:
        if sku.sale_price_fen <= 0:
            problems.append(
                Problem(f"skus.{sku.code}.sale_price", ProblemCode.SALE_PRICE_NOT_POSITIVE, {"sku": sku.code})
            )
        if sku.list_price_fen and sku.sale_price_fen > sku.list_price_fen:
            problems.append(Problem(f"skus.{sku.code}.sale_price", ProblemCode.SALE_ABOVE_LIST, {"sku": sku.code}))
    if facts.main_image_count == 0:
        problems.append(Problem("images", ProblemCode.NO_MAIN_IMAGE))
    expired = [day for day in facts.qualification_expiries if day is not None and day < today]
    if expired:
        problems.append(Problem("qualifications", ProblemCode.QUALIFICATION_EXPIRED, {"count": len(expired)}))
    for hit in facts.compliance_hits:
        problems.append(Problem("compliance", ProblemCode.BANNED_WORD, {"hit": hit}))
    return problems
