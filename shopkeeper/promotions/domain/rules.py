"""Every promotion mechanic as a pure rule: what it would take off the cart as priced so far.

Rules only answer an `Effect` (see `base.py`); the engine (`engine.py`) decides which apply
together, in which order, and holds each line above its floor. All math is in whole fen: a
percentage rounds half up to the fen, a share of a line's amount rounds down (the remainder goes
to the last line, as everywhere in Shopkeeper). A line's *unit value* below is its amount so far
divided by its quantity (kept as a fraction, never rounded before the end).

`rule_problems(rule)` lists what is wrong with a rule as set up (a ladder not increasing, a
percent over 100, …), each with a stable `code` the app translates, the `field` it concerns and
an English message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from math import lcm
from typing import ClassVar, Literal

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import LineAdjustment, OrderAdjustment, PricedLine
from shopkeeper.promotions.domain.base import Effect, Gift, Group, PricingContext, Scope, money

EVERYTHING = Scope()


@dataclass(frozen=True)
class Floor:
    """The lowest a promotion may take a unit: a margin over cost (percent of cost, so 20 means
    at least cost × 1.20) and/or a minimum unit price. The higher of the two holds."""

    min_margin_percent: int | None = None
    min_price: Money | None = None

    def unit_floor(self, cost: Money | None) -> int:
        """The floor of one unit in fen (0: no floor). A margin floor needs the cost."""
        floor = self.min_price.fen if self.min_price is not None else 0
        if self.min_margin_percent is not None and cost is not None:
            # ceil(cost × (100 + m) / 100): the floor never rounds below the margin asked for
            floor = max(floor, -(-cost.fen * (100 + self.min_margin_percent) // 100))
        return floor

    @property
    def none(self) -> bool:
        return self.min_price is None and self.min_margin_percent is None


NO_FLOOR = Floor()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule: `code` is stable (the app translates by it), `field` names
    the setting, `message` says it in English."""

    field: str
    message: str
    code: str = "invalid"


# --- shared pieces ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _RuleBase:
    rule_id: str
    label: str
    scope: Scope = EVERYTHING
    stacks: bool = False
    floor: Floor = NO_FLOOR
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def running(self, now: datetime | None) -> bool:
        """Whether the rule's window (if it has one) holds `now` (no `now`: always)."""
        if now is None:
            return True
        if self.starts_at is not None and now < self.starts_at:
            return False
        return not (self.ends_at is not None and now >= self.ends_at)

    def can_ship_free(self) -> bool:
        """Whether the rule can waive shipping."""
        return False

    # whether the rule can add gifts (the engine ranks a cart with more gifts higher)
    gives_gifts: ClassVar[bool] = False

    def possible(self, lines: Sequence[PricedLine], context: PricingContext) -> bool:
        """False when the rule can do nothing for this cart and has nothing to nudge about,
        whatever other rules take off first (checked once per cart, on the lines at list
        price): the engine then never evaluates it. True when it cannot tell."""
        return True

    def _covered_units(self, lines: Sequence[PricedLine], context: PricingContext) -> int:
        covered = context.covered(self.scope)
        return sum(line.quantity for line in lines if line.key in covered)

    def most_off(self, spend: int, units: int) -> int:
        """At most what the rule alone takes off lines worth `spend` fen in `units` units (at list
        price): the engine skips pricing a rule alone when even this could not beat the result."""
        return spend

    def _lines(self, lines: Sequence[PricedLine], context: PricingContext) -> list[PricedLine]:
        """The lines this rule covers that still have an amount to take from."""
        covered = context.covered(self.scope)
        return [line for line in lines if line.key in covered and line.total.fen > 0]

    def _spend(self, lines: Sequence[PricedLine], context: PricingContext) -> tuple[list[PricedLine], int]:
        """`_lines` and what they come to in fen (what the order-level rules' thresholds read), in
        the one pass that finds them: the search evaluates order rules on every cart it keeps."""
        covered = context.covered(self.scope)
        found: list[PricedLine] = []
        spend = 0
        for line in lines:
            if line.key in covered and (fen := line.total.fen) > 0:
                found.append(line)
                spend += fen
        return found, spend


@lru_cache(maxsize=1 << 16)
def yuan_text(fen: int) -> str:
    """What `str(Money(fen))` shows (¥1,234.56), without building the Money and its Decimal.
    Remembered: a cart's explanation writes the same few amounts hundreds of times, and the
    thousands separator makes the formatting cost twenty times a cache lookup."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def _percent(fen: int, percent: int) -> int:
    """`percent` % of `fen`, rounded half up to the fen."""
    return (fen * percent * 2 + 100) // 200


def _by_unit_value(lines: list[PricedLine]) -> list[PricedLine]:
    """Dearest unit first; equal units in key order (so the result never depends on input order).
    A unit's value is its line's amount over its quantity, compared exactly: every amount is
    scaled by the quantities' least common multiple, so the values are whole numbers."""
    if len(lines) < 2:
        return list(lines)
    scale = lcm(*(line.quantity for line in lines))
    return sorted(lines, key=lambda line: (-(line.total.fen * (scale // line.quantity)), line.key))


# --- order level ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tier:
    threshold: Money
    off: Money


@dataclass(frozen=True, kw_only=True)
class SpendTier(_RuleBase):
    """满减: the highest tier reached applies (¥30 off ¥200, ¥100 off ¥500), and/or the repeating
    form (¥20 off every ¥100, at most `repeat_cap`); when both are set the better one applies.
    Spend counts the covered lines after item-level promotions."""

    tiers: tuple[Tier, ...] = ()
    repeat_every: Money | None = None
    repeat_off: Money | None = None
    repeat_cap: Money | None = None

    group: ClassVar[Group] = Group.ORDER

    def off_for(self, spend: int) -> int:
        """What the rule takes off a spend of `spend` fen."""
        off = 0
        for tier in self.tiers:
            if spend >= tier.threshold.fen:
                off = max(off, tier.off.fen)
        if self.repeat_every is not None and self.repeat_off is not None and self.repeat_every.fen > 0:
            repeated = spend // self.repeat_every.fen * self.repeat_off.fen
            if self.repeat_cap is not None:
                repeated = min(repeated, self.repeat_cap.fen)
            off = max(off, repeated)
        return off

    def most_off(self, spend: int, units: int) -> int:
        return min(spend, self.off_for(spend))

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        covered, spend = self._spend(lines, context)
        if not covered:
            return None
        off = self.off_for(spend)
        note = self._nudge(spend, off, context)
        if off <= 0:
            return Effect(note=note) if note else None
        adjustment = OrderAdjustment(
            amount=money(min(off, spend)), label=self.label, line_keys=tuple(line.key for line in covered)
        )
        return Effect(adjustments=(adjustment,), note=note)

    def _nudge(self, spend: int, off: int, context: PricingContext) -> str:
        """The nearest next step worth more than what the spend gets now."""
        best: tuple[int, int] | None = None  # (gap, off there)
        for tier in self.tiers:
            if tier.threshold.fen > spend and tier.off.fen > off:
                gap = tier.threshold.fen - spend
                if best is None or gap < best[0]:
                    best = (gap, tier.off.fen)
        if self.repeat_every is not None and self.repeat_off is not None and self.repeat_every.fen > 0:
            step = self.repeat_every.fen
            target = (spend // step + 1) * step
            there = self.off_for(target)
            if there > off and (best is None or target - spend < best[0]):
                best = (target - spend, there)
        if best is None:
            return ""
        return context.wording.nudge_off.format(gap=yuan_text(best[0]), off=yuan_text(best[1]), label=self.label)


@dataclass(frozen=True, kw_only=True)
class GiftWithPurchase(_RuleBase):
    """Spend `threshold` on the covered lines and/or buy one of `trigger_product_ids`: the gift
    comes with the order (returned to checkout to add as a 0-priced line, never priced here)."""

    threshold: Money | None = None
    trigger_product_ids: frozenset[int] = frozenset()
    gift: Gift

    group: ClassVar[Group] = Group.ORDER

    def most_off(self, spend: int, units: int) -> int:
        return 0

    gives_gifts: ClassVar[bool] = True

    def possible(self, lines: Sequence[PricedLine], context: PricingContext) -> bool:
        if not self.trigger_product_ids:
            return True
        items = context.items
        return any(items[key].product_id in self.trigger_product_ids for key in context.covered(self.scope))

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        covered, spend = self._spend(lines, context)
        if not covered:
            return None
        if self.trigger_product_ids and not any(
            context.items[line.key].product_id in self.trigger_product_ids for line in covered
        ):
            return None
        if self.threshold is not None and spend < self.threshold.fen:
            gap = yuan_text(self.threshold.fen - spend)
            return Effect(note=context.wording.nudge_gift.format(gap=gap, gift=self.gift.label, label=self.label))
        return Effect(gifts=(self.gift,))


# --- item level ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PercentOff(_RuleBase):
    """`percent_off` % off every covered line (20: 8折)."""

    percent_off: int

    group: ClassVar[Group] = Group.ITEM

    def most_off(self, spend: int, units: int) -> int:
        return min(spend, _percent(spend, self.percent_off) + units)  # + a half fen per line, rounded

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        found = tuple(
            LineAdjustment(key=line.key, amount=money(off), label=self.label)
            for line in self._lines(lines, context)
            if (off := _percent(line.total.fen, self.percent_off)) > 0
        )
        return Effect(adjustments=found) if found else None


@dataclass(frozen=True, kw_only=True)
class FixedOff(_RuleBase):
    """`off_per_unit` off every covered unit (直降), never below zero."""

    off_per_unit: Money

    group: ClassVar[Group] = Group.ITEM

    def most_off(self, spend: int, units: int) -> int:
        return min(spend, self.off_per_unit.fen * units)

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        found = tuple(
            LineAdjustment(
                key=line.key, amount=money(min(self.off_per_unit.fen * line.quantity, line.total.fen)), label=self.label
            )
            for line in self._lines(lines, context)
        )
        return Effect(adjustments=found) if found and self.off_per_unit.fen > 0 else None


@dataclass(frozen=True, kw_only=True)
class NthItem(_RuleBase):
    """第N件X折: the covered units are lined up dearest first and every n-th one gets
    `percent_off` % off (n=2, 50: the second item half price), so the cheaper units get it."""

    n: int
    percent_off: int

    group: ClassVar[Group] = Group.ITEM

    def most_off(self, spend: int, units: int) -> int:
        # each discounted unit is the cheapest of its n: worth at most 1/n of their spend
        return min(spend, spend * self.percent_off // (100 * max(self.n, 1)) + units)

    def possible(self, lines: Sequence[PricedLine], context: PricingContext) -> bool:
        return self.n >= 1 and self._covered_units(lines, context) >= self.n

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        if self.n < 1:
            return None
        found: list[LineAdjustment] = []
        position = 0
        for line in _by_unit_value(self._lines(lines, context)):
            q = line.quantity
            hits = (position + q) // self.n - position // self.n
            position += q
            if hits:
                # hits units of this line at percent_off: T × hits / q × p / 100, half up
                denominator = q * 100
                off = (2 * line.total.fen * hits * self.percent_off + denominator) // (2 * denominator)
                if off > 0:
                    found.append(LineAdjustment(key=line.key, amount=money(off), label=self.label))
        return Effect(adjustments=tuple(found)) if found else None


@dataclass(frozen=True, kw_only=True)
class BuyXGetY(_RuleBase):
    """买X送Y: the covered units, dearest first, go in sets of buy + get; in each full set the
    `get` cheapest units are free (buy 1 get 1: of every pair the cheaper is free). Pairing the
    dearest together is the pairing that gives the customer the most."""

    buy: int
    get: int

    group: ClassVar[Group] = Group.ITEM

    def most_off(self, spend: int, units: int) -> int:
        # the free units are the cheapest `get` of each buy + get
        size = max(self.buy + self.get, 1)
        return min(spend, spend * self.get // size + units)

    def possible(self, lines: Sequence[PricedLine], context: PricingContext) -> bool:
        return self.buy >= 1 and self.get >= 1 and self._covered_units(lines, context) >= self.buy + self.get

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        if self.buy < 1 or self.get < 1:
            return None
        size = self.buy + self.get
        ordered = _by_unit_value(self._lines(lines, context))
        units = sum(line.quantity for line in ordered)
        end = units // size * size  # units in full sets
        if not end:
            return None

        def free_before(x: int) -> int:  # free positions in [0, x)
            x = min(x, end)
            return x // size * self.get + max(0, x % size - self.buy)

        found: list[LineAdjustment] = []
        position = 0
        for line in ordered:
            q = line.quantity
            free = free_before(position + q) - free_before(position)
            position += q
            if free:
                off = line.total.fen * free // q
                if off > 0:
                    found.append(LineAdjustment(key=line.key, amount=money(off), label=self.label))
        return Effect(adjustments=tuple(found)) if found else None


@dataclass(frozen=True, kw_only=True)
class Bundle(_RuleBase):
    """组合价: one of each of `sku_ids` together for `price`, as many sets as the cart holds; the
    saving is split over the lines of the set in proportion to their value."""

    sku_ids: tuple[int, ...]
    price: Money

    group: ClassVar[Group] = Group.ITEM

    def most_off(self, spend: int, units: int) -> int:
        return max(0, spend - self.price.fen)

    def possible(self, lines: Sequence[PricedLine], context: PricingContext) -> bool:
        items = context.items
        present = {items[key].sku_id for key in context.covered(self.scope)}
        return len(set(self.sku_ids)) >= 2 and present.issuperset(self.sku_ids)

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        wanted = set(self.sku_ids)
        if len(wanted) < 2:
            return None
        by_sku: dict[int, list[PricedLine]] = {}
        for line in self._lines(lines, context):
            sku = context.items[line.key].sku_id
            if sku in wanted:
                by_sku.setdefault(sku, []).append(line)
        if len(by_sku) < len(wanted):
            return None
        sets = min(sum(line.quantity for line in found) for found in by_sku.values())
        taken: list[tuple[PricedLine, int]] = []  # (line, value of the units the sets take from it)
        for sku in sorted(by_sku):
            left = sets
            for line in sorted(by_sku[sku], key=lambda pl: pl.key):
                if not left:
                    break
                units = min(left, line.quantity)
                left -= units
                taken.append((line, line.total.fen * units // line.quantity))
        taken.sort(key=lambda pair: pair[0].key)
        value = sum(v for _, v in taken)
        saving = value - sets * self.price.fen
        if saving <= 0 or value <= 0:
            return None
        shares = Money(saving).allocate([v for _, v in taken])
        found = tuple(
            LineAdjustment(key=line.key, amount=share, label=self.label)
            for (line, _), share in zip(taken, shares, strict=True)
            if share.fen > 0
        )
        return Effect(adjustments=found) if found else None


@dataclass(frozen=True, kw_only=True)
class MemberPrice(_RuleBase):
    """会员价: tier → SKU → unit price for shoppers of that tier (`Shopper.tier`)."""

    prices: Mapping[str, Mapping[int, Money]]

    group: ClassVar[Group] = Group.ITEM

    def __hash__(self) -> int:  # the mapping is not hashable; the id is the rule's identity
        return hash(self.rule_id)

    def possible(self, lines: Sequence[PricedLine], context: PricingContext) -> bool:
        prices = self.prices.get(context.shopper.tier) if context.shopper.tier is not None else None
        if not prices:
            return False
        items = context.items
        return any(items[key].sku_id in prices for key in context.covered(self.scope))

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        tier = context.shopper.tier
        if tier is None or tier not in self.prices:
            return None
        prices = self.prices[tier]
        found: list[LineAdjustment] = []
        for line in self._lines(lines, context):
            price = prices.get(context.items[line.key].sku_id)
            if price is not None:
                off = line.total.fen - price.fen * line.quantity
                if off > 0:
                    found.append(LineAdjustment(key=line.key, amount=money(off), label=self.label))
        return Effect(adjustments=tuple(found)) if found else None


# --- shipping and coupons ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FreeShipping(_RuleBase):
    """包邮: free shipping when the covered goods (after every discount) reach `over` and/or
    there are at least `min_items` covered units; every condition set must hold (set up two
    rules for "either"); none set: always. Regions in `excluded_regions` pay shipping."""

    over: Money | None = None
    min_items: int | None = None
    excluded_regions: frozenset[str] = frozenset()

    group: ClassVar[Group] = Group.SHIPPING

    def can_ship_free(self) -> bool:
        return True

    def most_off(self, spend: int, units: int) -> int:
        return 0

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        if context.region is not None and context.region in self.excluded_regions:
            return None
        covered, spend = self._spend(lines, context)
        if not covered:
            return None
        wording = context.wording
        if self.over is not None and spend < self.over.fen:
            gap = yuan_text(self.over.fen - spend)
            return Effect(note=wording.nudge_free_shipping.format(gap=gap, label=self.label))
        if self.min_items is not None:
            units = sum(line.quantity for line in covered)
            if units < self.min_items:
                return Effect(note=wording.nudge_items.format(count=self.min_items - units, label=self.label))
        return Effect(free_shipping=True)


CouponKind = Literal["amount", "percent", "free_shipping"]
COUPON_KINDS: tuple[str, ...] = ("amount", "percent", "free_shipping")


@dataclass(frozen=True, kw_only=True)
class CouponDiscount(_RuleBase):
    """A coupon as a rule: `amount` off, `percent_off` % off (at most `cap`), or free shipping,
    once the covered goods after promotions reach `threshold` (0: no threshold). Coupons are
    exclusive by default: one per order unless a template says it stacks."""

    kind: CouponKind
    amount: Money | None = None
    percent_off: int | None = None
    cap: Money | None = None
    threshold: Money = field(default_factory=Money.zero)

    group: ClassVar[Group] = Group.COUPON

    def can_ship_free(self) -> bool:
        return self.kind == "free_shipping"

    def most_off(self, spend: int, units: int) -> int:
        if spend < self.threshold.fen or self.kind == "free_shipping":
            return 0
        if self.kind == "amount":
            return min(spend, self.amount.fen if self.amount is not None else 0)
        off = _percent(spend, self.percent_off or 0)
        return min(spend, off if self.cap is None else min(off, self.cap.fen))

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        covered, spend = self._spend(lines, context)
        if not covered:
            return None
        if spend < self.threshold.fen:
            gap = yuan_text(self.threshold.fen - spend)
            return Effect(note=context.wording.nudge_use.format(gap=gap, label=self.label))
        if self.kind == "free_shipping":
            return Effect(free_shipping=True)
        if self.kind == "amount":
            off = self.amount.fen if self.amount is not None else 0
        elif self.kind == "percent" and self.percent_off is not None:
            off = _percent(spend, self.percent_off)
            if self.cap is not None:
                off = min(off, self.cap.fen)
        else:
            return None
        off = min(off, spend)
        if off <= 0:
            return None
        keys = tuple(line.key for line in covered)
        return Effect(adjustments=(OrderAdjustment(amount=money(off), label=self.label, line_keys=keys),))


PromotionRule = (
    SpendTier
    | PercentOff
    | FixedOff
    | NthItem
    | BuyXGetY
    | Bundle
    | MemberPrice
    | GiftWithPurchase
    | FreeShipping
    | CouponDiscount
)


# --- what is wrong with a rule ------------------------------------------------------------------------


def _percent_problems(field_name: str, percent: int | None) -> list[Problem]:
    if percent is None:
        return [Problem(field_name, "Give a percentage off.", "percent_missing")]
    if percent <= 0 or percent > 100:
        return [Problem(field_name, "A percentage off is more than 0 and at most 100.", "percent_out_of_range")]
    return []


def _positive(field_name: str, amount: Money | None, code: str, what: str) -> list[Problem]:
    if amount is not None and amount.fen <= 0:
        return [Problem(field_name, f"{what} must be more than ¥0.00.", code)]
    return []


def rule_problems(rule: object) -> list[Problem]:
    """Everything wrong with a rule as set up; empty when it can be saved."""
    problems: list[Problem] = []
    if not isinstance(rule, _RuleBase):
        return [Problem("kind", "Not a promotion rule.", "kind_unknown")]
    if not rule.rule_id:
        problems.append(Problem("rule_id", "The rule needs an id.", "rule_id_missing"))
    if not rule.label.strip():
        problems.append(Problem("label", "Give the label shoppers will see.", "label_missing"))
    if rule.starts_at is not None and rule.ends_at is not None and rule.ends_at <= rule.starts_at:
        problems.append(Problem("ends_at", "The window must end after it starts.", "window_ends_before_start"))
    floor = rule.floor
    if floor.min_margin_percent is not None and not 0 <= floor.min_margin_percent <= 1000:
        problems.append(
            Problem("min_margin_percent", "A minimum margin is between 0 and 1000 %.", "floor_margin_out_of_range")
        )
    if floor.min_price is not None and floor.min_price.fen < 0:
        problems.append(Problem("min_price", "A minimum price cannot be negative.", "floor_price_negative"))
    problems.extend(_kind_problems(rule))
    return problems


def _kind_problems(rule: _RuleBase) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(rule, SpendTier):
        repeating = rule.repeat_every is not None or rule.repeat_off is not None
        if not rule.tiers and not repeating:
            problems.append(Problem("tiers", "Give at least one tier or a repeating reduction.", "tiers_missing"))
        previous: Tier | None = None
        for index, tier in enumerate(rule.tiers):
            where = f"tiers.{index}"
            if tier.threshold.fen <= 0:
                problems.append(
                    Problem(
                        where + ".threshold", "A tier's threshold must be more than ¥0.00.", "threshold_not_positive"
                    )
                )
            if tier.off.fen <= 0:
                problems.append(Problem(where + ".off", "A tier must take something off.", "off_not_positive"))
            elif tier.off >= tier.threshold:
                problems.append(
                    Problem(
                        where + ".off",
                        f"{tier.off} off must be less than its threshold {tier.threshold}.",
                        "off_not_below_threshold",
                    )
                )
            if previous is not None:
                if tier.threshold <= previous.threshold:
                    problems.append(
                        Problem(
                            where + ".threshold",
                            "Each tier's threshold must be higher than the one before.",
                            "ladder_not_increasing",
                        )
                    )
                elif tier.off <= previous.off:
                    problems.append(
                        Problem(
                            where + ".off",
                            "A higher tier must take more off than the one before.",
                            "ladder_off_not_increasing",
                        )
                    )
            previous = tier
        if repeating:
            if rule.repeat_every is None or rule.repeat_off is None:
                problems.append(
                    Problem("repeat_every", "A repeating reduction needs both “every” and “off”.", "repeat_incomplete")
                )
            else:
                problems += _positive("repeat_every", rule.repeat_every, "threshold_not_positive", "“Every”")
                problems += _positive("repeat_off", rule.repeat_off, "off_not_positive", "“Off”")
                if 0 < rule.repeat_every.fen <= rule.repeat_off.fen:
                    problems.append(
                        Problem(
                            "repeat_off",
                            "The amount off must be less than the spend it repeats on.",
                            "off_not_below_threshold",
                        )
                    )
        elif rule.repeat_cap is not None:
            problems.append(Problem("repeat_cap", "A cap applies only to a repeating reduction.", "repeat_incomplete"))
        problems += _positive("repeat_cap", rule.repeat_cap, "cap_not_positive", "A cap")
    elif isinstance(rule, PercentOff):
        problems += _percent_problems("percent_off", rule.percent_off)
    elif isinstance(rule, FixedOff):
        if rule.off_per_unit.fen <= 0:
            problems.append(
                Problem("off_per_unit", "The amount off each unit must be more than ¥0.00.", "off_not_positive")
            )
    elif isinstance(rule, NthItem):
        if rule.n < 2:
            problems.append(Problem("n", "The discounted item is the 2nd or later.", "n_too_small"))
        problems += _percent_problems("percent_off", rule.percent_off)
    elif isinstance(rule, BuyXGetY):
        if rule.buy < 1:
            problems.append(Problem("buy", "Buy at least 1.", "buy_too_small"))
        if rule.get < 1:
            problems.append(Problem("get", "Give at least 1 free.", "get_too_small"))
    elif isinstance(rule, Bundle):
        if len(set(rule.sku_ids)) < 2:
            problems.append(Problem("sku_ids", "A bundle has at least 2 different SKUs.", "bundle_too_small"))
        if len(set(rule.sku_ids)) != len(rule.sku_ids):
            problems.append(Problem("sku_ids", "Each SKU appears once in a bundle.", "bundle_duplicate_sku"))
        if rule.price.fen <= 0:
            problems.append(Problem("price", "A bundle price must be more than ¥0.00.", "price_not_positive"))
    elif isinstance(rule, MemberPrice):
        if not any(rule.prices.values()):
            problems.append(Problem("prices", "Give at least one member price.", "prices_missing"))
        for tier_name, prices in sorted(rule.prices.items()):
            if not tier_name.strip():
                problems.append(Problem("prices", "Each member price belongs to a tier.", "tier_missing"))
            for sku, price in sorted(prices.items()):
                if price.fen <= 0:
                    problems.append(
                        Problem(
                            f"prices.{tier_name}.{sku}", "A member price must be more than ¥0.00.", "price_not_positive"
                        )
                    )
    elif isinstance(rule, GiftWithPurchase):
        problems += _positive("threshold", rule.threshold, "threshold_not_positive", "A threshold")
        if rule.gift.sku_id <= 0:
            problems.append(Problem("gift", "Choose the gift SKU.", "gift_missing"))
        if rule.gift.quantity < 1:
            problems.append(Problem("gift.quantity", "Give at least 1 gift.", "gift_quantity_too_small"))
        if rule.gift.refund_rule not in ("recover", "charge", "after_receipt"):
            problems.append(
                Problem("gift.refund_rule", "Say what happens to the gift on refund.", "gift_refund_rule_unknown")
            )
    elif isinstance(rule, FreeShipping):
        problems += _positive("over", rule.over, "threshold_not_positive", "A threshold")
        if rule.min_items is not None and rule.min_items < 1:
            problems.append(Problem("min_items", "Count at least 1 item.", "min_items_too_small"))
    elif isinstance(rule, CouponDiscount):
        problems += _coupon_problems(rule)
    return problems


def _coupon_problems(rule: CouponDiscount) -> list[Problem]:
    problems: list[Problem] = []
    if rule.threshold.fen < 0:
        problems.append(Problem("threshold", "A threshold cannot be negative.", "threshold_negative"))
    if rule.kind == "amount":
        if rule.amount is None:
            problems.append(Problem("amount", "Give the amount off.", "amount_missing"))
        elif rule.amount.fen <= 0:
            problems.append(Problem("amount", "The amount off must be more than ¥0.00.", "off_not_positive"))
        elif rule.threshold.fen > 0 and rule.amount >= rule.threshold:
            problems.append(
                Problem(
                    "amount",
                    f"{rule.amount} off must be less than the threshold {rule.threshold}.",
                    "off_not_below_threshold",
                )
            )
    elif rule.kind == "percent":
        problems += _percent_problems("percent_off", rule.percent_off)
        problems += _positive("cap", rule.cap, "cap_not_positive", "A cap")
    elif rule.kind != "free_shipping":
        problems.append(Problem("kind", "A coupon takes an amount off, a percent off or the shipping.", "kind_unknown"))
    return problems
