"""Product lifecycle and the checks before a product may go on sale."""

from __future__ import annotations

from datetime import date

import pytest

from shopkeeper.catalog.domain.lifecycle import (
    Action,
    IllegalTransition,
    ListingFacts,
    Problem,
    ProblemCode,
    SkuFacts,
    Status,
    listing_problems,
    next_status,
)

TODAY = date(2026, 11, 22)


def facts(**overrides: object) -> ListingFacts:
    base: dict[str, object] = {
        "title": "北欧风纯棉四件套",
        "skus": [SkuFacts(code="A", sale_price_fen=29900, list_price_fen=39900, cost_price_fen=12000)],
        "main_image_count": 1,
        "qualification_expiries": [date(2027, 1, 1)],
        "compliance_hits": [],
    }
    base.update(overrides)
    return ListingFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (Status.DRAFT, Action.LIST, Status.LISTED),
        (Status.DELISTED, Action.LIST, Status.LISTED),
        (Status.LISTED, Action.DELIST, Status.DELISTED),
    ],
)
def test_allowed_transitions(current: Status, action: Action, expected: Status) -> None:
    assert next_status(current, action) is expected


@pytest.mark.parametrize(("current", "action"), [(Status.LISTED, Action.LIST), (Status.DRAFT, Action.DELIST)])
def test_illegal_transitions_are_refused(current: Status, action: Action) -> None:
    with pytest.raises(IllegalTransition, match=f"A {current.value} product cannot be"):
        next_status(current, action)


def test_a_complete_product_may_be_listed() -> None:
    assert listing_problems(facts(), today=TODAY) == []


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"title": "  "}, Problem("title", ProblemCode.NO_TITLE)),
        ({"skus": []}, Problem("skus", ProblemCode.NO_ACTIVE_SKU)),
        ({"skus": [SkuFacts("A", 29900, 39900, 100, active=False)]}, Problem("skus", ProblemCode.NO_ACTIVE_SKU)),
        (
            {"skus": [SkuFacts("A", 0, 39900, 100)]},
            Problem("skus.A.sale_price", ProblemCode.SALE_PRICE_NOT_POSITIVE, {"sku": "A"}),
        ),
        (
            {"skus": [SkuFacts("A", 49900, 39900, 100)]},
            Problem("skus.A.sale_price", ProblemCode.SALE_ABOVE_LIST, {"sku": "A"}),
        ),
        ({"main_image_count": 0}, Problem("images", ProblemCode.NO_MAIN_IMAGE)),
        (
            {"qualification_expiries": [date(2026, 11, 21), date(2026, 1, 1)]},
            Problem("qualifications", ProblemCode.QUALIFICATION_EXPIRED, {"count": 2}),
        ),
        (
            {"compliance_hits": ["title[0:1] 最"]},
            Problem("compliance", ProblemCode.BANNED_WORD, {"hit": "title[0:1] 最"}),
        ),
    ],
)
def test_each_missing_piece_is_named_with_its_code_and_values(overrides: dict[str, object], problem: Problem) -> None:
    """The domain names the reason; the catalog services word it in the operator's language."""
    assert listing_problems(facts(**overrides), today=TODAY) == [problem]


def test_a_document_expiring_today_is_still_valid() -> None:
    assert listing_problems(facts(qualification_expiries=[TODAY, None]), today=TODAY) == []
