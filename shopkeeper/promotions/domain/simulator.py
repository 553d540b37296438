"""The campaign simulator: replay past carts through a proposed set of rules, before launch.

`simulate(carts, rules, shipping)` prices every cart with the engine exactly as checkout would
and adds up what the shop would take in (GMV: goods after discounts, shipping apart), what the
promotions would cost (goods discounts plus shipping they waive), the margin over the known
unit costs, and for each spend tier the share of orders whose spend on the tier's lines (after
item-level promotions) reaches it. Ratios are returned as (count, total) pairs, never floats, so
the caller decides how to show them. Pure and deterministic: the same carts give the same
projection in any order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import LineInput, ShippingTable, Wording
from shopkeeper.promotions.domain.base import CartItem, PricingContext, Rule, Shopper
from shopkeeper.promotions.domain.engine import promoted_outcome
from shopkeeper.promotions.domain.rules import SpendTier

_QUIET = Wording()  # the projection shows figures, not explanations: any wording will do


@dataclass(frozen=True)
class SimCart:
    """One past cart or order to replay."""

    lines: tuple[LineInput, ...]
    items: Mapping[str, CartItem]
    region: str | None = None
    shopper: Shopper = field(default_factory=Shopper)


@dataclass(frozen=True)
class TierShare:
    rule_id: str
    label: str
    threshold: Money
    reached: int  # orders whose spend on the rule's lines reached the threshold
    orders: int  # orders with at least one line the rule covers


@dataclass(frozen=True)
class RuleUse:
    rule_id: str
    label: str
    orders: int  # orders it applied to
    discount: Money  # goods discount it gave
    shipping_off: Money  # shipping it waived


@dataclass(frozen=True)
class Projection:
    orders: int
    subtotal: Money  # goods at list price
    gmv: Money  # goods after every discount (what customers pay for goods)
    discount_cost: Money  # goods discounts + shipping waived by promotions
    shipping: Money  # shipping customers pay
    cost: Money  # unit cost × units, where costs are known
    margin: Money  # gmv − cost
    costed_gmv: Money  # the part of GMV whose cost is known (margin % = margin / costed_gmv)
    tier_share: Mapping[str, tuple[int, int]]  # "rule_id:threshold fen" → (reached, orders)
    tiers: tuple[TierShare, ...] = ()
    uses: tuple[RuleUse, ...] = ()
    gifts: int = 0  # gift units given


def simulate(
    carts: Iterable[SimCart],
    rules: Sequence[Rule],
    shipping: ShippingTable,
    *,
    now: datetime | None = None,
) -> Projection:
    """The projection of replaying `carts` through `rules` (see the module docstring)."""
    ladders = sorted((rule for rule in rules if isinstance(rule, SpendTier)), key=lambda rule: rule.rule_id)
    reached: dict[tuple[str, int], int] = {}
    covered_orders: dict[str, int] = {}
    uses: dict[str, list[int]] = {}
    labels = {rule.rule_id: rule.label for rule in rules}
    orders = subtotal = gmv = discount = fee = cost = costed = shipping_off = gifts = 0
    for cart in carts:
        outcome = promoted_outcome(
            cart.lines,
            items=cart.items,
            rules=rules,
            shipping=shipping,
            region=cart.region,
            shopper=cart.shopper,
            wording=_QUIET,
            now=now,
            nudges=False,
        )
        orders += 1
        subtotal += outcome.subtotal
        gmv += outcome.goods
        discount += outcome.subtotal - outcome.goods
        paid, waived = outcome.shipping()
        fee += paid
        shipping_off += waived
        for rule, off, ship_off, units in outcome.rule_totals():
            use = uses.setdefault(rule.rule_id, [0, 0, 0])
            use[0] += 1
            use[1] += off
            use[2] += ship_off
            gifts += units
        line_cost, line_goods = outcome.costs()
        cost += line_cost
        costed += line_goods
        if ladders:
            _count_tiers(ladders, outcome.pricer.context, outcome.item_spend(), reached, covered_orders)
    tiers = tuple(
        TierShare(
            rule_id=rule.rule_id,
            label=rule.label,
            threshold=tier.threshold,
            reached=reached.get((rule.rule_id, tier.threshold.fen), 0),
            orders=covered_orders.get(rule.rule_id, 0),
        )
        for rule in ladders
        for tier in rule.tiers
    )
    return Projection(
        orders=orders,
        subtotal=Money(subtotal),
        gmv=Money(gmv),
        discount_cost=Money(discount + shipping_off),
        shipping=Money(fee),
        cost=Money(cost),
        margin=Money(gmv - cost),
        costed_gmv=Money(costed),
        tier_share={f"{t.rule_id}:{t.threshold.fen}": (t.reached, t.orders) for t in tiers},
        tiers=tiers,
        uses=tuple(
            RuleUse(
                rule_id=rule_id,
                label=labels.get(rule_id, rule_id),
                orders=use[0],
                discount=Money(use[1]),
                shipping_off=Money(use[2]),
            )
            for rule_id, use in sorted(uses.items())
        ),
        gifts=gifts,
    )


def _count_tiers(
    ladders: Sequence[SpendTier],
    context: PricingContext,
    spend_by_key: Mapping[str, int],
    reached: dict[tuple[str, int], int],
    covered_orders: dict[str, int],
) -> None:
    for rule in ladders:
        keys = context.covered(rule.scope)
        if not keys & spend_by_key.keys():
            continue
        covered_orders[rule.rule_id] = covered_orders.get(rule.rule_id, 0) + 1
        spend = sum(fen for key, fen in spend_by_key.items() if key in keys)
        for tier in rule.tiers:
            if spend >= tier.threshold.fen:
                key = (rule.rule_id, tier.threshold.fen)
                reached[key] = reached.get(key, 0) + 1
