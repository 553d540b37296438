"""Whether an order still earns its gift once some of its units have gone back, and what a gift was
worth when the order was placed. Pure: after-sales asks through `promotions.selectors`.

A gift with purchase (`rules.GiftWithPurchase`) is earned when the lines its scope covers spend at
least the threshold (as the order group saw them: after item-level promotions and after the
order-level promotions the engine applied before the gift) and/or one of them is a trigger
product. After a refund the same question is put to what is left: a covered line keeps its spend
less the share of the units that went, `spend × gone // quantity` rounded down (the split
after-sales refunds by, so the units' shares of a line always add up to the line); a line with no
unit or no spend left no longer counts, as a line at ¥0 never counted for the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


class GiftError(ValueError):
    pass


@dataclass(frozen=True)
class SpendLine:
    """One order line as the gift's rule saw it when the order was priced."""

    line_id: int
    product_id: int
    quantity: int
    spend_fen: int  # what the line counted toward the threshold
    covered: bool = True  # in the gift promotion's scope

    def __post_init__(self) -> None:
        if self.quantity < 1 or self.spend_fen < 0:
            raise GiftError("a line has at least one unit and a spend of at least zero")


@dataclass(frozen=True)
class GiftTerms:
    """What earns the gift: a spend threshold, trigger products, or both (both must hold)."""

    threshold_fen: int | None = None
    trigger_product_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Standing:
    """The gift's standing against what is left of the order."""

    earned: bool
    spend_fen: int  # what the covered lines still spend
    threshold_fen: int | None
    trigger_left: bool  # a trigger product is still bought (True when the gift names none)

    @property
    def shortfall_fen(self) -> int:
        """How far the spend is below the threshold (0 when it is met, or there is none)."""
        if self.threshold_fen is None:
            return 0
        return max(self.threshold_fen - self.spend_fen, 0)


def spend_left(line: SpendLine, gone: int) -> int:
    """The line's spend once `gone` of its units have gone back."""
    if not 0 <= gone <= line.quantity:
        raise GiftError(f"{gone} units gone of a line of {line.quantity}")
    return line.spend_fen - line.spend_fen * gone // line.quantity


def gift_standing(terms: GiftTerms, lines: Iterable[SpendLine], gone: Mapping[int, int]) -> Standing:
    """Does the order, without the units in `gone` (line id → units), still earn the gift?

    Units gone beyond a line's quantity count as the whole line (a line refunded twice over is
    still just gone)."""
    spend = 0
    counted = False
    trigger = not terms.trigger_product_ids
    for line in lines:
        if not line.covered:
            continue
        units = min(max(gone.get(line.line_id, 0), 0), line.quantity)
        left = spend_left(line, units)
        if units >= line.quantity or left <= 0:
            continue
        counted = True
        spend += left
        if line.product_id in terms.trigger_product_ids:
            trigger = True
    met = terms.threshold_fen is None or spend >= terms.threshold_fen
    return Standing(
        earned=counted and trigger and met, spend_fen=spend, threshold_fen=terms.threshold_fen, trigger_left=trigger
    )


# --- what the gift's rule saw -------------------------------------------------------------------


@dataclass(frozen=True)
class PriorUse:
    """What one promotion took off one order line (a `PromotionUse` row)."""

    promotion_id: int
    group: str  # item | order | shipping
    stacks: bool
    line_id: int | None
    discount_fen: int


def rule_id(promotion_id: int) -> str:
    """The engine's id of a promotion's rule: rules are taken in the order of these strings."""
    return f"promo:{promotion_id}"


def applied_before_gift(use: PriorUse, *, gift_promotion_id: int, gift_stacks: bool) -> bool:
    """Whether the engine applied `use`'s promotion before the gift's, so the gift saw the line
    without that discount. Groups run item → order → coupon → shipping; within the order group the
    stacking rules apply in rule-id order, then the one exclusive rule on top of them."""
    if use.group == "item":
        return True
    if use.group != "order" or use.promotion_id == gift_promotion_id or not use.stacks:
        return False
    return not gift_stacks or rule_id(use.promotion_id) < rule_id(gift_promotion_id)


def line_spends(
    subtotals: Mapping[int, int], uses: Sequence[PriorUse], *, gift_promotion_id: int, gift_stacks: bool
) -> dict[int, int]:
    """Per line id, its spend as the gift's rule saw it: its subtotal less what the promotions
    applied before the gift took off it (never below zero)."""
    spends = dict(subtotals)
    for use in uses:
        if use.line_id in spends and applied_before_gift(
            use, gift_promotion_id=gift_promotion_id, gift_stacks=gift_stacks
        ):
            spends[use.line_id] -= use.discount_fen
    return {line_id: max(fen, 0) for line_id, fen in spends.items()}


# --- what the gift was worth --------------------------------------------------------------------


@dataclass(frozen=True)
class PriceChange:
    at: datetime
    old_fen: int
    new_fen: int


def price_at(current_fen: int, changes: Iterable[PriceChange], when: datetime) -> int:
    """A price at `when`, from today's price and the changes made since: the first change after
    `when` still had the price of that moment as its old value."""
    later = [change for change in changes if change.at > when]
    if not later:
        return current_fen
    return min(later, key=lambda change: change.at).old_fen


def gift_unit_value(*, list_fen: int, sale_fen: int) -> int:
    """What one gift unit is worth: its list price, or its sale price when it has no list price."""
    return list_fen if list_fen > 0 else max(sale_fen, 0)
