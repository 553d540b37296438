"""The gift question after a refund, without a database: does what is left of the order still earn
its gift (monotone in what goes, independent of line order, blind to lines the gift does not
cover), what each line counted toward it, and what the gift was worth when the order was placed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.promotions.domain.gifts import (
    GiftError,
    GiftTerms,
    PriceChange,
    PriorUse,
    SpendLine,
    applied_before_gift,
    gift_standing,
    gift_unit_value,
    line_spends,
    price_at,
    spend_left,
)

T0 = datetime(2026, 11, 1, tzinfo=UTC)


@st.composite
def orders(draw: st.DrawFn) -> tuple[GiftTerms, list[SpendLine], dict[int, int]]:
    count = draw(st.integers(min_value=1, max_value=6))
    lines = [
        SpendLine(
            line_id=index + 1,
            product_id=draw(st.integers(min_value=1, max_value=4)),
            quantity=draw(st.integers(min_value=1, max_value=5)),
            spend_fen=draw(st.integers(min_value=0, max_value=50_000)),
            covered=draw(st.booleans()),
        )
        for index in range(count)
    ]
    threshold = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=100_000)))
    triggers = frozenset(draw(st.sets(st.integers(min_value=1, max_value=4), max_size=2)))
    gone = {line.line_id: draw(st.integers(min_value=0, max_value=line.quantity)) for line in lines}
    return GiftTerms(threshold_fen=threshold, trigger_product_ids=triggers), lines, gone


@given(orders())
def test_more_units_gone_never_earns_a_gift_back(case: tuple[GiftTerms, list[SpendLine], dict[int, int]]) -> None:
    terms, lines, gone = case
    fewer = {line_id: units // 2 for line_id, units in gone.items()}
    if gift_standing(terms, lines, gone).earned:
        assert gift_standing(terms, lines, fewer).earned
    assert gift_standing(terms, lines, fewer).spend_fen >= gift_standing(terms, lines, gone).spend_fen


@given(orders(), st.randoms(use_true_random=False))
def test_the_standing_does_not_depend_on_line_order(
    case: tuple[GiftTerms, list[SpendLine], dict[int, int]], rnd: random.Random
) -> None:
    terms, lines, gone = case
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    assert gift_standing(terms, shuffled, gone) == gift_standing(terms, lines, gone)


@given(orders())
def test_lines_the_gift_does_not_cover_never_matter(case: tuple[GiftTerms, list[SpendLine], dict[int, int]]) -> None:
    terms, lines, gone = case
    moved = {line.line_id: (line.quantity if not line.covered else gone[line.line_id]) for line in lines}
    assert gift_standing(terms, lines, moved) == gift_standing(terms, lines, gone)


@given(orders())
def test_an_order_with_every_unit_gone_earns_nothing(case: tuple[GiftTerms, list[SpendLine], dict[int, int]]) -> None:
    terms, lines, _gone = case
    assert not gift_standing(terms, lines, {line.line_id: line.quantity for line in lines}).earned


@given(orders())
def test_the_spend_left_is_the_covered_lines_less_the_units_shares(
    case: tuple[GiftTerms, list[SpendLine], dict[int, int]],
) -> None:
    terms, lines, gone = case
    standing = gift_standing(terms, lines, gone)
    assert standing.spend_fen == sum(spend_left(line, gone[line.line_id]) for line in lines if line.covered)
    assert standing.shortfall_fen >= 0
    if terms.threshold_fen is not None and standing.earned:
        assert standing.spend_fen >= terms.threshold_fen


@given(st.integers(min_value=1, max_value=30), st.integers(min_value=0, max_value=10_000_000), st.data())
def test_units_taken_one_by_one_leave_what_taking_them_at_once_leaves(
    quantity: int, spend: int, data: st.DataObject
) -> None:
    line = SpendLine(line_id=1, product_id=1, quantity=quantity, spend_fen=spend)
    gone = data.draw(st.integers(min_value=0, max_value=quantity))
    shares = [spend_left(line, units - 1) - spend_left(line, units) for units in range(1, gone + 1)]
    assert all(share >= 0 for share in shares)
    assert spend_left(line, gone) == spend - sum(shares)
    assert spend_left(line, quantity) == 0


def test_the_examples_of_the_guide() -> None:
    """¥199 dress + ¥59 cup, ¥250 threshold: the cup going leaves ¥199, ¥51 short."""
    terms = GiftTerms(threshold_fen=25000)
    lines = [SpendLine(1, 10, 1, 19900), SpendLine(2, 11, 1, 5900)]
    assert gift_standing(terms, lines, {}).earned
    cup_gone = gift_standing(terms, lines, {2: 1})
    assert (cup_gone.earned, cup_gone.spend_fen, cup_gone.shortfall_fen) == (False, 19900, 5100)
    dress_bought = GiftTerms(trigger_product_ids=frozenset({10}))
    assert gift_standing(dress_bought, lines, {2: 1}).earned  # the trigger product stays
    assert not gift_standing(dress_bought, lines, {1: 1}).earned
    assert not gift_standing(terms, [SpendLine(1, 10, 2, 0, covered=True)], {}).earned  # ¥0 lines never count


def test_a_line_with_no_unit_or_a_negative_spend_is_refused() -> None:
    with pytest.raises(GiftError):
        SpendLine(1, 1, 0, 100)
    with pytest.raises(GiftError):
        spend_left(SpendLine(1, 1, 2, 100), 3)


def test_what_the_gift_saw_is_the_subtotal_less_the_promotions_applied_before_it() -> None:
    item = PriorUse(promotion_id=7, group="item", stacks=False, line_id=1, discount_fen=1000)
    stacking_early = PriorUse(promotion_id=10, group="order", stacks=True, line_id=1, discount_fen=500)
    stacking_late = PriorUse(promotion_id=30, group="order", stacks=True, line_id=2, discount_fen=700)
    exclusive = PriorUse(promotion_id=5, group="order", stacks=False, line_id=2, discount_fen=900)
    shipping = PriorUse(promotion_id=4, group="shipping", stacks=False, line_id=None, discount_fen=800)
    uses = [item, stacking_early, stacking_late, exclusive, shipping]
    # a stacking gift (promo:2) comes after "promo:10" (rule ids are ordered as strings) but before "promo:30"
    assert line_spends({1: 19900, 2: 5900}, uses, gift_promotion_id=2, gift_stacks=True) == {1: 18400, 2: 5900}
    # an exclusive gift comes after every stacking order rule; never after another exclusive one
    assert line_spends({1: 19900, 2: 5900}, uses, gift_promotion_id=2, gift_stacks=False) == {1: 18400, 2: 5200}
    assert not applied_before_gift(shipping, gift_promotion_id=2, gift_stacks=False)
    gift_itself = PriorUse(promotion_id=2, group="order", stacks=True, line_id=1, discount_fen=100)
    assert not applied_before_gift(gift_itself, gift_promotion_id=2, gift_stacks=True)
    assert line_spends({1: 300}, [item], gift_promotion_id=2, gift_stacks=True) == {1: 0}  # never below zero


@given(
    st.integers(min_value=0, max_value=100_000),
    st.lists(st.integers(min_value=0, max_value=100_000), max_size=6),
    st.integers(min_value=-1, max_value=7),
)
def test_a_price_at_a_moment_is_the_one_in_effect_then(start: int, news: list[int], moment: int) -> None:
    """Prices `start`, then each of `news` from day 1, 2, …: asked at day `moment` (+ half a day)."""
    changes = []
    price = start
    for day, new in enumerate(news, start=1):
        changes.append(PriceChange(at=T0 + timedelta(days=day), old_fen=price, new_fen=new))
        price = new
    when = T0 + timedelta(days=moment, hours=12)
    in_effect = start if moment < 1 else ([start, *news][min(moment, len(news))])
    assert price_at(price, reversed(changes), when) == in_effect


def test_a_gift_is_worth_its_list_price_or_its_sale_price_without_one() -> None:
    assert gift_unit_value(list_fen=3900, sale_fen=2900) == 3900
    assert gift_unit_value(list_fen=0, sale_fen=2900) == 2900
