"""The pricing pipeline: a cart in, priced lines with their explanations out. Pure and exact.

Stages run in a fixed order: subtotal → discount stages (item-level, then order-level; the
promotions work adds them) → shipping → total. A discount stage sees the cart as priced so far
and answers adjustments; an order-level adjustment is apportioned across the lines it applies
to in proportion to their amounts, the rounding remainder on the last eligible line, so the
lines always sum to the order and a partial refund can return exactly one line's share.
Pricing never depends on the order in which lines were given: lines are priced in key order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shopkeeper.core.domain.money import Money, money_sum


class PricingError(ValueError):
    """A cart that cannot be priced: a negative price, a quantity below one, duplicate keys."""


@dataclass(frozen=True)
class LineInput:
    key: str  # stable identity of the line (e.g. the SKU code); lines are priced in key order
    sku_id: int
    title: str
    unit_price: Money
    quantity: int
    weight_g: int = 0


@dataclass(frozen=True)
class ShippingRate:
    fee: Money
    free_over: Money | None = None  # goods total (after discounts) from which shipping is free


@dataclass(frozen=True)
class ShippingTable:
    """Shipping rates by region; a region without its own rate pays the default."""

    default: ShippingRate
    regions: Mapping[str, ShippingRate] = field(default_factory=dict)

    def rate_for(self, region: str | None) -> ShippingRate:
        if region is None:
            return self.default
        return self.regions.get(region, self.default)


# The adjustments are built hundreds of times per cart by the promotions engine's rules, so they
# fill their fields directly: a frozen dataclass's generated __init__ sets each field through
# object.__setattr__ and costs more than twice as much. They stay frozen (setting a field raises).


@dataclass(frozen=True, init=False)
class LineAdjustment:
    """A discount on one line (item level): `amount` is positive, `label` says why."""

    key: str
    amount: Money
    label: str

    def __init__(self, key: str, amount: Money, label: str) -> None:
        fields = self.__dict__
        fields["key"] = key
        fields["amount"] = amount
        fields["label"] = label


@dataclass(frozen=True, init=False)
class OrderAdjustment:
    """A discount on the whole order (or some of its lines), apportioned across those lines."""

    amount: Money
    label: str
    line_keys: tuple[str, ...] | None = None  # None: every line

    def __init__(self, amount: Money, label: str, line_keys: tuple[str, ...] | None = None) -> None:
        fields = self.__dict__
        fields["amount"] = amount
        fields["label"] = label
        fields["line_keys"] = line_keys


@dataclass(frozen=True)
class PricedLine:
    key: str
    sku_id: int
    title: str
    unit_price: Money
    quantity: int
    subtotal: Money
    discount: Money
    total: Money  # what the customer pays for this line: its share of the goods total
    explanation: tuple[str, ...]


@dataclass(frozen=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    subtotal: Money
    discount: Money
    shipping: Money
    total: Money
    explanation: tuple[str, ...]
    free_shipping_gap: Money | None = None  # how much more to spend for free shipping

    @property
    def goods_total(self) -> Money:
        return self.subtotal - self.discount

    def line(self, key: str) -> PricedLine:
        for line in self.lines:
            if line.key == key:
                return line
        raise KeyError(key)


@dataclass(frozen=True)
class Wording:
    """The words of the cart-level explanation; the caller passes them in the shopper's language."""

    subtotal: str = "Subtotal"
    shipping: str = "Shipping"
    free_over: str = "free over"
    total: str = "Total"
    # Promotions (placeholders: {gap} what is still to spend, {off} what it would take off,
    # {label} the promotion as the shopper sees it, {gift} the gift's name).
    nudge_off: str = "Spend {gap} more for {off} off ({label})"
    nudge_use: str = "Spend {gap} more to use {label}"
    nudge_gift: str = "Spend {gap} more for a free {gift} ({label})"
    nudge_free_shipping: str = "Spend {gap} more for free shipping ({label})"
    nudge_items: str = "Add {count} more item(s) for free shipping ({label})"


class DiscountStage(Protocol):
    """A pricing stage that may take money off. It sees the lines as priced so far."""

    def adjustments(self, lines: Sequence[PricedLine]) -> Sequence[LineAdjustment | OrderAdjustment]: ...


@dataclass
class _Working:
    line: LineInput
    discount: Money
    steps: list[str] = field(default_factory=list)

    def priced(self) -> PricedLine:
        subtotal = self.line.unit_price * self.line.quantity
        return PricedLine(
            key=self.line.key,
            sku_id=self.line.sku_id,
            title=self.line.title,
            unit_price=self.line.unit_price,
            quantity=self.line.quantity,
            subtotal=subtotal,
            discount=self.discount,
            total=subtotal - self.discount,
            explanation=tuple(self.steps),
        )


def check_lines(lines: Sequence[LineInput]) -> None:
    """Refuse a cart that cannot be priced (raises PricingError)."""
    keys = [line.key for line in lines]
    if len(set(keys)) != len(keys):
        raise PricingError("Each cart line needs its own key")
    for line in lines:
        if line.quantity < 1:
            raise PricingError(f"Quantity of {line.key} must be at least 1")
        if line.unit_price.fen < 0:
            raise PricingError(f"Price of {line.key} cannot be negative")


def _capped(shares: list[Money], rooms: list[int]) -> list[Money]:
    """Proportional shares, none above its line's room: the rounding remainder that `allocate` puts
    on the last line moves back to earlier lines when the last line cannot take it (three ¥0.01
    lines sharing ¥0.02 off: 0, 1, 1 fen, not 0, 0, 2)."""
    fen = [share.fen for share in shares]
    excess = 0
    for index, room in enumerate(rooms):
        if fen[index] > room:
            excess += fen[index] - room
            fen[index] = room
    for index in range(len(fen) - 1, -1, -1):
        if not excess:
            break
        take = min(rooms[index] - fen[index], excess)
        fen[index] += take
        excess -= take
    return [Money(value) for value in fen]


def _apply(working: dict[str, _Working], adjustment: LineAdjustment | OrderAdjustment) -> str | None:
    """Apply one adjustment, never taking a line below zero. Answers the order-level step text."""
    if isinstance(adjustment, LineAdjustment):
        target = working[adjustment.key]
        room = target.priced().total
        amount = adjustment.amount.min(room)
        if amount.fen > 0:
            target.discount = target.discount + amount
            target.steps.append(f"− {amount} {adjustment.label}")
        return None
    keys = sorted(adjustment.line_keys) if adjustment.line_keys is not None else sorted(working)
    eligible = [working[key] for key in keys if key in working and working[key].priced().total.fen > 0]
    if not eligible:
        return None
    room = money_sum(item.priced().total for item in eligible)
    amount = adjustment.amount.min(room)
    if amount.fen <= 0:
        return None
    rooms = [item.priced().total.fen for item in eligible]
    shares = _capped(amount.allocate(rooms), rooms)
    for item, share in zip(eligible, shares, strict=True):
        if share.fen:
            item.discount = item.discount + share
            item.steps.append(f"− {share} {adjustment.label} ({amount})")
    return f"− {amount} {adjustment.label}"


def price_cart(
    lines: Sequence[LineInput],
    *,
    shipping: ShippingTable,
    region: str | None,
    stages: Sequence[DiscountStage] = (),
    wording: Wording = Wording(),
) -> PricedCart:
    """Price a cart. Deterministic; independent of the order of `lines`."""
    check_lines(lines)
    ordered = sorted(lines, key=lambda line: line.key)
    working = {line.key: _Working(line=line, discount=Money.zero()) for line in ordered}
    for item in working.values():
        item.steps.append(
            f"{item.line.unit_price} × {item.line.quantity} = {item.line.unit_price * item.line.quantity}"
        )
    explanation: list[str] = []
    subtotal = money_sum(item.priced().subtotal for item in working.values())
    explanation.append(f"{wording.subtotal} {subtotal}")
    for stage in stages:
        current = [item.priced() for item in working.values()]
        for adjustment in stage.adjustments(current):
            step = _apply(working, adjustment)
            if step:
                explanation.append(step)
    priced = tuple(item.priced() for item in working.values())
    discount = money_sum(line.discount for line in priced)
    goods = subtotal - discount
    rate = shipping.rate_for(region)
    fee = rate.fee if priced else Money.zero()
    gap: Money | None = None
    if rate.free_over is not None and fee.fen > 0:
        if goods >= rate.free_over:
            explanation.append(f"{wording.shipping} {fee} − {fee} {wording.free_over} {rate.free_over}")
            fee = Money.zero()
        else:
            gap = rate.free_over - goods
    if fee.fen:
        explanation.append(f"{wording.shipping} {fee}")
    total = goods + fee
    explanation.append(f"{wording.total} {total}")
    return PricedCart(
        lines=priced,
        subtotal=subtotal,
        discount=discount,
        shipping=fee,
        total=total,
        explanation=tuple(explanation),
        free_shipping_gap=gap,
    )
