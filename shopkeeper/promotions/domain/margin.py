"""The margin guard at save time: the worst a rule could do to each SKU it covers, against its floor.

`margin_verdict(rule, catalog)` works out, for every SKU of the catalog the rule covers, the lowest
unit price the rule alone could bring it to (its *worst case*) and compares it with the rule's
floor (`Floor`: a margin over cost and/or a minimum price). The worst cases, all rounded down:

- percent off, a percent coupon, the N-th item: one unit at `percent_off` % off (a single unit of
  the SKU can be the discounted one when dearer items come first);
- fixed off: the price less the amount; buy X get Y: 0 (the unit can be the free one);
- a bundle: its share of the bundle price, in proportion to its price among the bundle's SKUs;
- member prices: the lowest member price of any tier;
- spend tiers and amount coupons: the largest share of a spend a tier or coupon takes (¥100 off
  ¥500 is 20 %), since an order discount is apportioned in proportion to the lines' amounts; an
  amount coupon with no threshold can take a unit to 0;
- gifts and free shipping leave prices as they are.

A rule without a floor has nothing to breach. At checkout the engine enforces the same floors
line by line, so a breach found here means the promotion would not deliver what it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.domain.base import CartItem, PricingContext
from shopkeeper.promotions.domain.rules import (
    Bundle,
    BuyXGetY,
    CouponDiscount,
    FixedOff,
    Floor,
    MemberPrice,
    NthItem,
    PercentOff,
    SpendTier,
    _RuleBase,
)


@dataclass(frozen=True)
class SkuPrice:
    """One SKU of the catalog with its selling price (its cost is on the CartItem)."""

    item: CartItem
    price: Money


@dataclass(frozen=True)
class Breach:
    sku_id: int
    price: Money
    cost: Money | None
    worst_price: Money
    floor_price: Money


@dataclass(frozen=True)
class Verdict:
    ok: bool
    breaches: tuple[Breach, ...] = ()


def _rows(catalog: Sequence[SkuPrice | tuple[CartItem, Money]]) -> list[SkuPrice]:
    return [row if isinstance(row, SkuPrice) else SkuPrice(item=row[0], price=row[1]) for row in catalog]


def _after_share(price: int, share: Fraction) -> int:
    """The price less `share` of it, the share rounded up (the worst case for the shop)."""
    off = -(-price * share.numerator // share.denominator)
    return max(0, price - off)


def _order_share(rule: SpendTier | CouponDiscount) -> Fraction | None:
    """The largest part of a spend an order-level rule takes (None: it may take everything)."""
    if isinstance(rule, SpendTier):
        ratios = [Fraction(t.off.fen, t.threshold.fen) for t in rule.tiers if t.threshold.fen > 0]
        if rule.repeat_every is not None and rule.repeat_off is not None and rule.repeat_every.fen > 0:
            ratios.append(Fraction(rule.repeat_off.fen, rule.repeat_every.fen))
        return min(Fraction(1), max(ratios, default=Fraction(0)))
    if rule.kind == "percent":
        return Fraction(rule.percent_off or 0, 100)
    if rule.kind == "amount":
        if rule.threshold.fen <= 0:
            return None
        return min(Fraction(1), Fraction(rule.amount.fen if rule.amount else 0, rule.threshold.fen))
    return Fraction(0)


def _worst_unit_price(rule: object, row: SkuPrice, rows: Sequence[SkuPrice], share: Fraction | None) -> int:
    """The lowest unit price in fen the rule alone could bring this SKU to. `share` is the rule's
    `_order_share` for spend tiers and coupons (worked out once per rule, not per SKU)."""
    price = row.price.fen
    if isinstance(rule, PercentOff | NthItem):
        return _after_share(price, Fraction(rule.percent_off, 100))
    if isinstance(rule, FixedOff):
        return max(0, price - rule.off_per_unit.fen)
    if isinstance(rule, BuyXGetY):
        return 0
    if isinstance(rule, Bundle):
        if row.item.sku_id not in rule.sku_ids:
            return price
        prices = {r.item.sku_id: r.price.fen for r in rows}
        value = sum(prices.get(sku, 0) for sku in set(rule.sku_ids))
        if value <= rule.price.fen or value <= 0:
            return price
        return price * rule.price.fen // value
    if isinstance(rule, MemberPrice):
        found = [p.fen for tier in rule.prices.values() if (p := tier.get(row.item.sku_id)) is not None]
        return min([price, *found])
    if isinstance(rule, SpendTier | CouponDiscount):
        if share is None:
            return max(0, price - (rule.amount.fen if isinstance(rule, CouponDiscount) and rule.amount else 0))
        return _after_share(price, share)
    return price


def margin_verdict(rule: object, catalog: Sequence[SkuPrice | tuple[CartItem, Money]]) -> Verdict:
    """Whether the rule's worst case keeps every covered SKU of `catalog` at or above its floor."""
    rows = _rows(catalog)
    floor = rule.floor if isinstance(rule, _RuleBase) else Floor()
    if not isinstance(rule, _RuleBase) or floor.none:
        return Verdict(ok=True)
    context = PricingContext(items={row.item.key: row.item for row in rows})
    covered = context.covered(rule.scope)
    share = _order_share(rule) if isinstance(rule, SpendTier | CouponDiscount) else None
    breaches: list[Breach] = []
    for row in sorted(rows, key=lambda r: (r.item.sku_id, r.item.key)):
        if row.item.key not in covered:
            continue
        floor_fen = floor.unit_floor(row.item.cost)
        if not floor_fen:
            continue
        worst = _worst_unit_price(rule, row, rows, share)
        if worst < floor_fen:
            breaches.append(
                Breach(
                    sku_id=row.item.sku_id,
                    price=row.price,
                    cost=row.item.cost,
                    worst_price=Money(worst),
                    floor_price=Money(floor_fen),
                )
            )
    return Verdict(ok=not breaches, breaches=tuple(breaches))
