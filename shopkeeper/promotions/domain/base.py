"""The contract every promotion rule keeps (item, order, coupon and shipping rules alike).

A rule sees the cart as priced so far (the pipeline's `PricedLine`s) plus what promotions need to
know about each line (`CartItem`: product, brand, categories, scenes, cost) and the shopper
(`Shopper`), and answers an `Effect`: money off (item-level `LineAdjustment`s, order-level
`OrderAdjustment`s the pipeline apportions), free shipping, gifts. The engine decides which rules
apply together (groups, stacking, the best combination for the customer) and in which order
(item → order → coupon → shipping); a rule only says what it would do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import LineAdjustment, OrderAdjustment, PricedLine, Wording

_new = object.__new__
_set = object.__setattr__


@lru_cache(maxsize=1 << 16)
def money(fen: int) -> Money:
    """`Money(fen)` in CNY for a fen the engine has worked out itself (always an int), built
    without the constructor's checks and remembered (Money is immutable, so one object per
    amount serves every cart): the search asks for hundreds per cart, mostly the same few."""
    built: Money = _new(Money)
    _set(built, "fen", fen)
    _set(built, "currency", "CNY")
    return built


class Group(StrEnum):
    """Where a rule sits in the order of application."""

    ITEM = "item"
    ORDER = "order"
    COUPON = "coupon"
    SHIPPING = "shipping"


APPLICATION_ORDER = (Group.ITEM, Group.ORDER, Group.COUPON, Group.SHIPPING)


@dataclass(frozen=True)
class CartItem:
    """What promotions know about one cart line besides its price (keyed like the PricedLine)."""

    key: str
    sku_id: int
    product_id: int
    brand_id: int | None = None
    category_ids: frozenset[int] = frozenset()  # the category and its ancestors
    scene_ids: frozenset[int] = frozenset()
    cost: Money | None = None  # unit cost, for the margin guard


@dataclass(frozen=True)
class Scope:
    """Which lines a rule covers: empty everywhere means the whole store."""

    sku_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    brand_ids: frozenset[int] = frozenset()
    scene_ids: frozenset[int] = frozenset()
    excluded_product_ids: frozenset[int] = frozenset()

    @property
    def everything(self) -> bool:
        return not (self.sku_ids or self.product_ids or self.category_ids or self.brand_ids or self.scene_ids)

    def covers(self, item: CartItem) -> bool:
        if item.product_id in self.excluded_product_ids:
            return False
        if self.everything:
            return True
        return (
            item.sku_id in self.sku_ids
            or item.product_id in self.product_ids
            or item.brand_id in self.brand_ids
            or bool(item.category_ids & self.category_ids)
            or bool(item.scene_ids & self.scene_ids)
        )


@dataclass(frozen=True)
class Shopper:
    """Who is buying, as far as rules care (member prices, new-customer offers)."""

    customer_id: int | None = None
    tier: str | None = None
    first_order: bool = False


@dataclass(frozen=True)
class Gift:
    """A SKU given with the order at price 0 (stock is reserved like any line)."""

    sku_id: int
    quantity: int
    label: str
    refund_rule: str = "recover"  # what happens on refund: recover | charge | after_receipt


@dataclass(frozen=True, init=False)
class Effect:
    """What a rule would do to the cart as it stands. (Built once per rule per cart the search
    looks at, so it fills its fields directly, as the pipeline's adjustments do.)"""

    adjustments: tuple[LineAdjustment | OrderAdjustment, ...] = ()
    free_shipping: bool = False
    gifts: tuple[Gift, ...] = ()
    note: str = ""  # e.g. "spend ¥80.00 more for ¥100.00 off" (a nudge, not an adjustment)

    def __init__(
        self,
        adjustments: tuple[LineAdjustment | OrderAdjustment, ...] = (),
        free_shipping: bool = False,
        gifts: tuple[Gift, ...] = (),
        note: str = "",
    ) -> None:
        fields = self.__dict__
        fields["adjustments"] = adjustments
        fields["free_shipping"] = free_shipping
        fields["gifts"] = gifts
        fields["note"] = note


@dataclass(frozen=True)
class PricingContext:
    items: Mapping[str, CartItem]
    shopper: Shopper = field(default_factory=Shopper)
    now: datetime | None = None
    region: str | None = None
    wording: Wording = field(default_factory=Wording)  # for the nudges rules write
    # Which line keys each scope covers, worked out once per cart (rules ask through `covered`).
    # (by the scope's id, holding the scope so the id stays its own while cached)
    _covered: dict[int, tuple[Scope, frozenset[str]]] = field(default_factory=dict, compare=False, repr=False)
    _index: list[_CartIndex] = field(default_factory=list, compare=False, repr=False)
    # Scopes (by id) the engine has worked out for this cart already: any of them not in
    # `_covered` covers no line (the engine fills both from its rule set's scope index).
    _settled: list[Mapping[int, Scope]] = field(default_factory=list, compare=False, repr=False)

    def covered(self, scope: Scope) -> frozenset[str]:
        """The keys of the cart lines `scope` covers (lines without a CartItem are never covered)."""
        cached = self._covered.get(id(scope))
        if cached is not None and cached[0] is scope:
            return cached[1]
        for settled in self._settled:
            if settled.get(id(scope)) is scope:
                return _NOTHING
        if not self._index:
            self._index.append(_CartIndex(self.items))
        found = self._index[0].covered(scope)
        self._covered[id(scope)] = (scope, found)
        return found


_NOTHING: frozenset[str] = frozenset()


class _CartIndex:
    """The cart's lines by SKU, product, brand, category and scene, so a scope's lines are a few
    set intersections instead of a scan of every line for every rule."""

    def __init__(self, items: Mapping[str, CartItem]) -> None:
        self.keys = frozenset(items)
        self.by_sku: dict[int, set[str]] = {}
        self.by_product: dict[int, set[str]] = {}
        self.by_brand: dict[int, set[str]] = {}
        self.by_category: dict[int, set[str]] = {}
        self.by_scene: dict[int, set[str]] = {}
        for key, item in items.items():
            self.by_sku.setdefault(item.sku_id, set()).add(key)
            self.by_product.setdefault(item.product_id, set()).add(key)
            if item.brand_id is not None:
                self.by_brand.setdefault(item.brand_id, set()).add(key)
            for category in item.category_ids:
                self.by_category.setdefault(category, set()).add(key)
            for scene in item.scene_ids:
                self.by_scene.setdefault(scene, set()).add(key)

    def covered(self, scope: Scope) -> frozenset[str]:
        if scope.everything:
            found: set[str] = set(self.keys)
        else:
            found = set()
            for wanted, index in (
                (scope.sku_ids, self.by_sku),
                (scope.product_ids, self.by_product),
                (scope.brand_ids, self.by_brand),
                (scope.category_ids, self.by_category),
                (scope.scene_ids, self.by_scene),
            ):
                if wanted:
                    for value in wanted & index.keys():
                        found |= index[value]
        for product in scope.excluded_product_ids & self.by_product.keys():
            found -= self.by_product[product]
        return frozenset(found)


class Rule(Protocol):
    """One promotion or coupon, ready to be evaluated. Implementations are frozen dataclasses.

    Besides what is declared here, the engine uses these methods when a rule has them (all of
    the project's rules do, through `rules._RuleBase`); each only lets it skip work, never
    changes an answer, so a rule without them is priced the same, more slowly:

    - `most_off(spend, units) -> int`: at most what the rule takes off lines worth `spend` fen in
      `units` units at list price (never less than what it really could);
    - `can_ship_free() -> bool`: whether it can waive shipping;
    - `gives_gifts` (a class attribute): whether rules of the class can add gifts;
    - `possible(lines, context) -> bool`: False when it can do nothing for the cart (lines at list
      price) and has nothing to nudge about, whatever other rules take off first;
    - `running(now) -> bool`: whether its window holds `now`.
    """

    @property
    def rule_id(self) -> str: ...  # stable id, e.g. "promo:12" or "coupon:345"

    @property
    def group(self) -> Group: ...

    @property
    def stacks(self) -> bool: ...  # False: exclusive within its group (the engine picks the best one)

    @property
    def label(self) -> str: ...  # as shown to the shopper, e.g. "满500减100"

    def evaluate(self, lines: Sequence[PricedLine], context: PricingContext) -> Effect | None:
        """What this rule takes off the cart as priced so far, or None when it does not apply."""
        ...
