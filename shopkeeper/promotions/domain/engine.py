"""The promotions engine: a cart and the running rules in, the best price the rules allow out.

How a cart is priced (`price_promoted`):

1. Lines are taken in key order and rules in id order, so the result never depends on the order
   either was given in. Each rule's lines (its scope) are worked out once per cart. A rule set
   seen again (the same rule objects: a simulation, a batch) is sorted, checked and indexed by
   what its scopes name once (`_ScopeIndex`, kept for the last few rule sets), so a cart finds
   the scopes covering each line by dict lookups and skips every rule whose scope covers none of
   its lines without looking at it. Amounts are whole fen
   (ints) inside; Money and PricedLine objects are built only for what rules see and the answer.
2. Groups run in a fixed order: item → order → coupon → shipping. A group sees the cart as the
   groups before it left it. Within a group every *stacking* rule applies (in id order), then at
   most one *exclusive* rule: each exclusive candidate is tried on top of the stackers.
3. Choosing the exclusive rule of one group changes what the next group sees (a 5 % item
   discount can take the cart below a 满500 threshold), so the engine keeps the `BEAM` best
   partial carts after each group (least to pay so far, shipping included) and carries each
   through the next group: a bounded beam search; after the last group only the best is kept,
   and a cart that cannot end below what the best one ends at at most (the groups left take at
   most their rules' `most_off` and the shipping fee) is not carried on. The same bound is
   checked again before a kept cart runs a group, against the best cart the group has made so
   far, and a cart that fails it is neither run nor built (a cart is built, its choice applied,
   only when it runs). Dropping such a cart can only leave room for better ones.
   Per group it evaluates each rule at most once per kept cart and builds at most `BEAM` new
   carts, never the product of all choices; exclusive candidates are ranked by what they would
   take off (measured without building the cart).
   What the search leaves out (never changing its answer; `_Pricer.skips` turns it off, and a
   property test compares both):
   - a rule that cannot apply to the cart whatever runs first (`possible`: a bundle missing one
     of its SKUs, a member price for another tier, 第N件 with fewer than N units) is never
     evaluated;
   - exclusive rules are tried from the largest possible saving (`most_off`) down; once the beam
     is full, a rule whose best possible rank (total less its `most_off`, every gift it could
     add) is below the carts kept is skipped, and the rest with it once even its total cannot
     compete. Skipped order, coupon and shipping rules are remembered with the cart they would
     have seen (`_State.later`), and their nudges are worked out only for the cart written out.
   The best finished cart wins (lowest total with shipping; then more gifts, fewer coupons,
   then rule ids, so ties are deterministic).
4. The customer is never worse off than with any one applicable rule alone: after the search,
   each rule that could still beat the result (taken by `most_off` from the largest down, then
   by evaluating it on the bare cart) is priced alone, and the better result is kept.
5. Every discount is held above the floors of the rules that touched the line (`Floor`): an item
   discount is cut to what the floor leaves, an order discount is apportioned over its lines in
   proportion to their amounts, each line's share capped at its room above its floor, the
   rounding remainder on the last line that can take it, so the lines always sum to the order.
6. Shipping: the shipping table's own free-over threshold first, then a free-shipping rule, then
   a free-shipping coupon (so a coupon is not used up when the shop ships free anyway); the fee
   waived is that rule's `Applied.shipping_off`. When shipping is free already, shipping rules
   are not evaluated. Gifts are returned, never priced: checkout adds them as 0-priced lines.

All amounts are whole fen; explanations come from the rules' labels and the caller's `Wording`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import (
    LineAdjustment,
    LineInput,
    OrderAdjustment,
    PricedCart,
    PricedLine,
    PricingError,
    ShippingTable,
    Wording,
    check_lines,
)
from shopkeeper.promotions.domain.base import (
    APPLICATION_ORDER,
    CartItem,
    Effect,
    Gift,
    Group,
    PricingContext,
    Rule,
    Scope,
    Shopper,
    money,
)
from shopkeeper.promotions.domain.rules import Floor, _RuleBase, yuan_text

_NO_FLOORS: list[int] = []  # a marker: the rule's floors are not worked out yet
BEAM = 2  # partial carts kept after each group (see the module docstring, step 3)


@dataclass(frozen=True)
class Applied:
    """One rule that changed the price: `discount` what it took off the goods (the applied
    discounts sum to `PricedCart.discount`), `shares` the same per line (key → amount, the part a
    refund of that line returns), `shipping_off` the shipping fee it waived, `gifts` it gave."""

    rule_id: str
    label: str
    group: Group
    discount: Money
    shares: tuple[tuple[str, Money], ...] = ()
    free_shipping: bool = False
    shipping_off: Money = field(default_factory=Money.zero)
    gifts: tuple[Gift, ...] = ()


@dataclass(frozen=True)
class PromotedCart:
    priced: PricedCart
    applied: tuple[Applied, ...] = ()
    gifts: tuple[Gift, ...] = ()
    nudges: tuple[str, ...] = ()


class _Step:
    """One rule's outcome in a state: money off per line, gifts, free shipping."""

    __slots__ = ("free_shipping", "gifts", "rule", "shares")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.shares: dict[int, int] = {}
        self.free_shipping = False
        self.gifts: tuple[Gift, ...] = ()


class _State:
    """A partly priced cart; copied before each choice (a few lists of one int per line)."""

    __slots__ = (
        "coupon_free",
        "coupons",
        "dirty",
        "discount",
        "done",
        "floor",
        "gift_count",
        "goods",
        "ids",
        "later",
        "notes",
        "shop_free",
        "steps",
        "views",
    )

    def __init__(self) -> None:
        self.views: list[PricedLine] = []
        self.dirty: set[int] = set()  # lines whose view is stale (rebuilt before a rule looks)
        self.discount: list[int] = []
        self.floor: list[int] = []
        # per line, what took money off it: (fen, label, the order discount it is a share of or 0);
        # the explanation text is written only for the cart the search keeps
        self.steps: list[tuple[tuple[int, str, int], ...]] = []
        self.done: tuple[_Step, ...] = ()
        self.ids: tuple[str, ...] = ()
        self.notes: tuple[str, ...] = ()
        # rules the search skipped without evaluating them (they could not enter the beam), with
        # the cart they would have seen: their nudges are worked out only if this cart is written out
        self.later: tuple[tuple[_State, tuple[Rule, ...]], ...] = ()
        self.goods = 0
        self.gift_count = 0
        self.coupons = 0
        self.coupon_free: Rule | None = None
        self.shop_free: Rule | None = None

    def copy(self) -> _State:
        other = _State.__new__(_State)  # every slot is set below: skip __init__'s defaults
        other.views = list(self.views)
        other.dirty = set(self.dirty)
        other.discount = list(self.discount)
        other.floor = list(self.floor)
        other.steps = list(self.steps)
        other.done = self.done
        other.ids = self.ids
        other.notes = self.notes
        other.later = self.later
        other.goods = self.goods
        other.gift_count = self.gift_count
        other.coupons = self.coupons
        other.coupon_free = self.coupon_free
        other.shop_free = self.shop_free
        return other

    def rank(self, total: int) -> tuple[int, int, int, tuple[str, ...]]:
        return (total, -self.gift_count, self.coupons, self.ids)


# (rank, the base it builds on, the exclusive rule and its effect, the state once built)
_Candidate = tuple[tuple[int, int, int, tuple[str, ...]], _State, Rule | None, Effect | None, _State | None]


def _does_something(effect: Effect) -> bool:
    return bool(effect.adjustments or effect.free_shipping or effect.gifts)


def _capped(amount: int, weights: list[int], rooms: list[int]) -> list[int]:
    """`amount` split in proportion to `weights` (remainder on the last positive weight), no part
    above its room; what a part cannot take moves to the others, last line first."""
    total = sum(weights)
    parts = [amount * weight // total for weight in weights]
    last = len(weights) - 1
    while weights[last] <= 0:
        last -= 1
    parts[last] += amount - sum(parts)
    excess = 0
    for index, room in enumerate(rooms):
        if parts[index] > room:
            excess += parts[index] - room
            parts[index] = room
    if not excess:
        return parts
    for index in range(len(parts) - 1, -1, -1):
        if not excess:
            break
        take = min(rooms[index] - parts[index], excess)
        if take > 0:
            parts[index] += take
            excess -= take
    return parts


class _Pricer:
    """Everything worked out once per cart, shared by every state the search looks at."""

    # Whether the search may leave out rules that cannot change its answer (see `run_group` and
    # `promoted_outcome`); the tests turn it off to show that leaving them out changes nothing.
    skips = True

    def __init__(
        self,
        lines: Sequence[LineInput],
        items: Mapping[str, CartItem],
        shipping: ShippingTable,
        region: str | None,
        shopper: Shopper,
        wording: Wording,
        now: datetime | None,
        scopes: _ScopeIndex | None = None,
        writes_nudges: bool = True,
    ) -> None:
        # False: the nudges of rules that did nothing are not collected (the simulator reads
        # figures only); the price is the same either way
        self.writes_nudges = writes_nudges
        self.lines = ordered = sorted(lines, key=_key)
        self.position: dict[str, int] = {}
        self.subtotals: list[int] = []
        self._fixed: list[dict[str, object]] = []  # a line's fields that no rule changes
        self.costs: list[Money | None] = []
        known: dict[str, CartItem] = {}
        units = 0
        for index, line in enumerate(ordered):
            key, quantity = line.key, line.quantity
            subtotal = line.unit_price.fen * quantity
            self.position[key] = index
            self.subtotals.append(subtotal)
            units += quantity
            self._fixed.append(
                {
                    "key": key,
                    "sku_id": line.sku_id,
                    "title": line.title,
                    "unit_price": line.unit_price,
                    "quantity": quantity,
                    "subtotal": money(subtotal),
                    "explanation": (),
                }
            )
            item = items.get(key)
            if item is not None:
                known[key] = item
            self.costs.append(item.cost if item is not None else None)
        self.subtotal = sum(self.subtotals)
        self.units = units
        self.items = known
        self.context = PricingContext(items=known, shopper=shopper, now=now, region=region, wording=wording)
        self.shipping = shipping
        self.region = region
        self.rate = shipping.rate_for(region)
        self.full_fee = self.rate.fee.fen if self.lines else 0
        self.free_over = self.rate.free_over.fen if self.rate.free_over is not None else None
        self.wording = wording
        self._floors: dict[str, list[int] | None] = {}
        self._start: _State | None = None
        self._reach: dict[str, tuple[int, int]] = {}
        self._place_reach: dict[int, tuple[int, int]] = {}  # by the scope index's place
        self._most_off: dict[str, int] = {}
        # With the rule set's scope index: which scopes cover which lines, found line by line;
        # a rule whose scope covers no line is known without looking at it.
        self.scopes = scopes
        self.hit: dict[int, set[str]] = {}
        if scopes is not None:
            self.hit = scopes.covering(known)
            cache = self.context._covered
            for place, keys in self.hit.items():
                scope = scopes.scopes[place]
                cache[id(scope)] = (scope, frozenset(keys))
            self.context._settled.append(scopes.by_id)  # every other scope of the set: no line

    # --- states -------------------------------------------------------------------------------
    def start(self) -> _State:
        """The cart at list price, as a state of its own to price."""
        return self._bare().copy()

    def _bare(self) -> _State:
        """The cart at list price (never changed: `start` hands out copies)."""
        if self._start is None:
            count = len(self.lines)
            start = _State()
            start.views = [self._view(index, 0) for index in range(count)]
            start.discount = [0] * count
            start.floor = [0] * count
            start.steps = [()] * count
            start.goods = self.subtotal
            self._start = start
        return self._start

    def _view(self, index: int, discount: int) -> PricedLine:
        """The line as priced so far. Built by filling a PricedLine's fields directly (the frozen
        dataclass's __init__ costs twice as much, and the search builds hundreds per cart)."""
        view: PricedLine = object.__new__(PricedLine)
        fields = view.__dict__
        fields.update(self._fixed[index])
        fields["discount"] = money(discount)
        fields["total"] = money(self.subtotals[index] - discount)
        return view

    def _rule_floors(self, rule: Rule) -> list[int] | None:
        """Each line's floor (its whole quantity) under `rule`, None when the rule sets no floor."""
        found: list[int] | None = self._floors.get(rule.rule_id, _NO_FLOORS)
        if found is not _NO_FLOORS:
            return found
        found = None
        floor = getattr(rule, "floor", None)
        if isinstance(floor, Floor) and not floor.none:
            found = [floor.unit_floor(cost) * line.quantity for cost, line in zip(self.costs, self.lines, strict=True)]
        self._floors[rule.rule_id] = found
        return found

    def _take(self, state: _State, step: _Step, index: int, fen: int, label: str, of: int, floor: int) -> None:
        state.discount[index] += fen
        state.floor[index] = floor
        state.goods -= fen
        state.steps[index] = (*state.steps[index], (fen, label, of))
        state.dirty.add(index)
        shares = step.shares
        shares[index] = shares.get(index, 0) + fen

    def apply(self, state: _State, rule: Rule, effect: Effect) -> None:
        """Apply a rule's effect to `state` in place, held above the floors."""
        if effect.note:
            state.notes = (*state.notes, effect.note)
        step = _Step(rule)
        if effect.adjustments:
            floors = self._rule_floors(rule)
            for adjustment in effect.adjustments:
                if isinstance(adjustment, LineAdjustment):
                    self._apply_line(state, step, floors, adjustment)
                else:
                    self._apply_order(state, step, floors, adjustment)
        group = rule.group
        if effect.free_shipping:
            if group is Group.SHIPPING and state.shop_free is None:
                state.shop_free = rule
                step.free_shipping = True
            elif group is not Group.SHIPPING and state.coupon_free is None:
                state.coupon_free = rule
                step.free_shipping = True
        step.gifts = effect.gifts
        if step.shares or step.free_shipping or step.gifts:
            state.done = (*state.done, step)
            state.ids = (*state.ids, rule.rule_id)
            state.gift_count += len(step.gifts)
            if group is Group.COUPON:
                state.coupons += 1

    def _apply_line(self, state: _State, step: _Step, floors: list[int] | None, adjustment: LineAdjustment) -> None:
        index = self.position.get(adjustment.key)
        if index is None:
            return
        floor = state.floor[index] if floors is None else max(state.floor[index], floors[index])
        room = self.subtotals[index] - state.discount[index] - floor
        fen = min(adjustment.amount.fen, room)
        if fen > 0:
            self._take(state, step, index, fen, adjustment.label, 0, floor)

    def _apply_order(
        self, state: _State, step: _Step, rule_floors: list[int] | None, adjustment: OrderAdjustment
    ) -> None:
        position = self.position
        keys = adjustment.line_keys
        if keys is None:
            indexes: Iterable[int] = range(len(self.lines))
        else:
            indexes = sorted({position[key] for key in keys if key in position})
        eligible: list[int] = []
        weights: list[int] = []
        rooms: list[int] = []
        floors: list[int] = []
        subtotals, discounts, held = self.subtotals, state.discount, state.floor
        for index in indexes:
            total = subtotals[index] - discounts[index]
            if total <= 0:
                continue
            floor = held[index] if rule_floors is None else max(held[index], rule_floors[index])
            eligible.append(index)
            weights.append(total)
            floors.append(floor)
            rooms.append(total - floor if total > floor else 0)
        if not eligible:
            return
        amount = min(adjustment.amount.fen, sum(rooms))
        if amount <= 0:
            return
        take, label = self._take, adjustment.label
        for index, share, floor in zip(eligible, _capped(amount, weights, rooms), floors, strict=True):
            if share:
                take(state, step, index, share, label, amount, floor)

    def evaluate(self, rule: Rule, state: _State) -> Effect | None:
        """`rule.evaluate` on the cart as `state` has it."""
        return rule.evaluate(self.views(state), self.context)

    def views(self, state: _State) -> list[PricedLine]:
        """The lines as priced so far, for a rule to look at."""
        if state.dirty:
            for index in state.dirty:
                state.views[index] = self._view(index, state.discount[index])
            state.dirty.clear()
        return state.views

    # --- groups and the search ----------------------------------------------------------------
    def measure(self, state: _State, rule: Rule, effect: Effect) -> int | None:
        """Exactly what `apply` would take off the goods, without applying it; None for an effect
        whose adjustments build on each other (then the engine applies it to a copy)."""
        adjustments = effect.adjustments
        rule_floors = self._rule_floors(rule)
        if len(adjustments) > 1 and any(isinstance(a, OrderAdjustment) for a in adjustments):
            return None
        off = 0
        seen: set[int] = set()
        for adjustment in adjustments:
            if isinstance(adjustment, LineAdjustment):
                index = self.position.get(adjustment.key)
                if index is None:
                    continue
                if index in seen:
                    return None
                seen.add(index)
                floor = state.floor[index] if rule_floors is None else max(state.floor[index], rule_floors[index])
                off += max(0, min(adjustment.amount.fen, self.subtotals[index] - state.discount[index] - floor))
            else:
                if adjustment.line_keys is None:
                    indexes: Iterable[int] = range(len(self.lines))
                else:
                    indexes = {self.position[key] for key in adjustment.line_keys if key in self.position}
                room = 0
                subtotals, discounts, held = self.subtotals, state.discount, state.floor
                for index in indexes:
                    total = subtotals[index] - discounts[index]
                    if total > 0:
                        floor = held[index] if rule_floors is None else max(held[index], rule_floors[index])
                        if total > floor:
                            room += total - floor
                off += max(0, min(adjustment.amount.fen, room))
        return off

    def candidate(self, base: _State, rule: Rule, effect: Effect) -> _Candidate | None:
        """The choice of `rule` (with `effect`) on top of `base`, ranked; None when it would change
        nothing (then its nudge, if any, is worth showing). The state is built only when the
        effect cannot be measured."""
        if not (effect.adjustments or effect.free_shipping or effect.gifts):
            return None
        group = rule.group
        off = self.measure(base, rule, effect)
        if off is None:
            built = base.copy()
            self.apply(built, rule, effect)
            if built.done == base.done:
                return None
            return (built.rank(self.total_of(built)), base, rule, effect, built)
        waives = effect.free_shipping and (
            base.shop_free is None if group is Group.SHIPPING else base.coupon_free is None
        )
        if not (off or waives or effect.gifts):
            return None
        goods = base.goods - off
        # a discount can take the goods below the free-over threshold: then shipping is to pay again
        waived = waives or base.shop_free is not None or base.coupon_free is not None
        rank = (
            self.total_for(goods, waived=waived),
            -(base.gift_count + len(effect.gifts)),
            base.coupons + (group is Group.COUPON),
            (*base.ids, rule.rule_id),
        )
        return (rank, base, rule, effect, None)

    def run_group(
        self,
        state: _State,
        group: Group,
        stackers: Sequence[Rule],
        exclusives: Sequence[tuple[int, Rule]],
        beam: int = BEAM,
    ) -> tuple[_State, list[_Candidate]]:
        """The stackers applied on a copy of `state` (the base), and every exclusive rule that
        would do something on top of it, ranked by what it would take off (measured, not applied:
        the search builds only the candidates it keeps).

        The exclusive rules are tried from the largest possible saving (`most_off`) down, and the
        rest skipped once none could enter the beam: a rule's total is at least the base's goods
        less its `most_off` (shipping is never negative), and a rule that is not among the `BEAM`
        best of its own base is not among the `BEAM` best of the group. The skipped rules are kept
        with the base (`later`) so the nudges they would write are still shown."""
        # a state is looked at by one group only, so without stackers the base is the state itself
        base = state.copy() if stackers else state
        if group is Group.SHIPPING and not self.fee(base)[0]:
            return base, []  # shipping is free already: nothing to waive, nothing to nudge towards
        for rule in stackers:
            effect = self.evaluate(rule, base)
            if effect is not None:
                self.apply(base, rule, effect)
        notes: list[str] = []
        candidates: list[_Candidate] = []
        kept = [base.rank(self.total_of(base))]  # the best ranks so far (at most `beam`)
        skipped: list[Rule] = []
        for at, (off, rule) in enumerate(exclusives):
            if len(kept) >= beam and self.skips:
                least = base.goods - off  # the least total the rule could leave
                worst_kept = kept[-1]
                if least > worst_kept[0]:
                    skipped.extend(rule for _, rule in exclusives[at:])  # the rest take off no more
                    break
                # at a total below the carts kept it enters the beam; at the same total the rest
                # of its best possible rank decides
                if (
                    least == worst_kept[0]
                    and (
                        least,
                        -base.gift_count - (1 << 30 if _gives_gifts(rule) else 0),
                        base.coupons + (group is Group.COUPON),
                        (*base.ids, rule.rule_id),
                    )
                    > worst_kept
                ):  # even at its best it ranks below the carts kept
                    skipped.append(rule)
                    continue
            effect = self.evaluate(rule, base)
            if effect is None:
                continue
            found = self.candidate(base, rule, effect)
            if found is None:
                if effect.note and self.writes_nudges:
                    notes.append(effect.note)
                continue
            candidates.append(found)
            rank = found[0]
            if len(kept) < beam:
                kept.append(rank)
            elif rank < kept[-1]:
                kept[-1] = rank
            else:
                continue
            if len(kept) > 1 and kept[-1] < kept[-2]:  # keep them in order (a beam holds two)
                kept.sort()
        if notes:  # the nudges of the rules that did nothing here go with every cart built on it
            base.notes = (*base.notes, *notes)
            for *_, built in candidates:
                if built is not None:
                    built.notes = (*built.notes, *notes)
        if skipped and group is not Group.ITEM and self.writes_nudges:  # item rules write no nudges
            entry = (base.copy(), tuple(skipped))
            base.later = (*base.later, entry)
            for *_, built in candidates:
                if built is not None:
                    built.later = (*built.later, entry)
        return base, candidates

    def search(self, rules: Sequence[Rule]) -> tuple[_State, int]:
        """The best finished state for `rules` (sorted, running) and its total in fen."""
        groups: dict[Group, tuple[list[Rule], list[Rule]]] = {}
        for rule in rules:
            found = groups.get(rule.group)
            if found is None:
                found = groups[rule.group] = ([], [])
            found[0 if rule.stacks else 1].append(rule)
        start = self.start()
        kept: list[_Candidate] = [(start.rank(self.total_of(start)), start, None, None, start)]
        used = [group for group in APPLICATION_ORDER if group in groups]
        most_off = self.most_off
        # per group, the exclusive rules with what each could take off at most, largest first;
        # and at most what the group takes off (its stackers and its largest exclusive)
        ranked: list[list[tuple[int, Rule]]] = []
        takes: list[int] = []
        for group in used:
            stackers, exclusive = groups[group]
            exclusives: list[tuple[int, Rule]] = [(most_off(rule), rule) for rule in exclusive]
            if len(exclusives) > 1:
                exclusives.sort(key=_largest_first)
            ranked.append(exclusives)
            takes.append((sum(map(most_off, stackers)) if stackers else 0) + (exclusives[0][0] if exclusives else 0))
        full_fee = self.full_fee
        # From each group on, at most what it and the ones after take off a cart (`lefts`; shipping
        # is never negative); and what the best cart of a group can rise by afterwards (`rises`:
        # the fee, when stacking rules later take it below the free-over threshold).
        count = len(used)
        lefts = [0] * (count + 1)
        rises = [0] * count
        stacks_after = False
        for at in range(count - 1, -1, -1):
            lefts[at] = lefts[at + 1] + takes[at]
            rises[at] = full_fee if stacks_after else 0
            stacks_after = stacks_after or bool(groups[used[at]][0])
        for at, group in enumerate(used):
            stackers, exclusives = groups[group][0], ranked[at]
            beam = 1 if at == count - 1 else BEAM  # after the last group only the best matters
            left, rise = lefts[at], rises[at]
            pool: list[_Candidate] = []
            for rank, base, chosen, effect, built in kept:
                if pool:
                    # a kept cart that cannot end below what the best cart so far ends at at most
                    # is not run (nor built: a measured choice is applied only when it runs)
                    goods = built.goods if built is not None else rank[0] - full_fee
                    if goods - left > min(entry[0][0] for entry in pool) + rise:
                        continue
                if built is None:
                    built = self.build(base, chosen, effect)
                state, candidates = self.run_group(built, group, stackers, exclusives, beam)
                pool.append((state.rank(self.total_of(state)), state, None, None, state))
                pool.extend(candidates)
            pool.sort(key=_first)
            worst = pool[0][0][0]
            if beam > 1 and len(pool) > 1:
                # A cart that cannot end below what the best one ends at at most is not kept: the
                # groups left take at most what they `take` off its goods (and may waive its
                # shipping), while the best can only rise by the fee, when stacking rules take it
                # below the free-over threshold.
                worst += lefts[at + 1] + full_fee + rise
            kept = []
            for entry in pool[:beam]:
                if entry[0][0] > worst:
                    break
                kept.append(entry)
        _, base, chosen, effect, best = kept[0]
        if best is None:
            best = self.build(base, chosen, effect)
        return best, self.total_of(best)

    def build(self, base: _State, rule: Rule | None, effect: Effect | None) -> _State:
        """The state of a measured choice: `rule`'s `effect` applied on a copy of `base`."""
        if rule is None or effect is None:
            raise PricingError("A measured choice names its rule and effect")
        built = base.copy()
        self.apply(built, rule, effect)
        return built

    def fee(self, state: _State) -> tuple[int, str]:
        """Shipping to pay and who waived it: "" none, "table", "shop" or "coupon"."""
        rate = self.rate
        fee = rate.fee.fen if self.lines else 0
        if fee <= 0:
            return 0, ""
        if rate.free_over is not None and state.goods >= rate.free_over.fen:
            return 0, "table"
        if state.shop_free is not None:
            return 0, "shop"
        if state.coupon_free is not None:
            return 0, "coupon"
        return fee, ""

    def total_of(self, state: _State) -> int:
        """What the customer pays in `state`, shipping included (as `fee` works it out)."""
        waived = state.shop_free is not None or state.coupon_free is not None
        return self.total_for(state.goods, waived=waived)

    def total_for(self, goods: int, *, waived: bool) -> int:
        """What the customer pays for goods worth `goods` fen, shipping included (`waived`: a
        rule or coupon already waives it)."""
        fee = self.full_fee
        if waived or fee <= 0 or (self.free_over is not None and goods >= self.free_over):
            return goods
        return goods + fee

    # --- the answer ---------------------------------------------------------------------------
    def finish(self, state: _State) -> PromotedCart:
        wording = self.wording
        rate = self.rate
        full_fee = rate.fee.fen if self.lines else 0
        fee, waived_by = self.fee(state)
        applied: list[Applied] = []
        gifts: list[Gift] = []
        explanation = [f"{wording.subtotal} {yuan_text(self.subtotal)}"]
        for step in state.done:
            rule = step.rule
            shares = tuple((self.lines[index].key, money(fen)) for index, fen in sorted(step.shares.items()))
            discount = sum(step.shares.values())
            free = step.free_shipping and (
                (waived_by == "shop" and rule is state.shop_free)
                or (waived_by == "coupon" and rule is state.coupon_free)
            )
            if not (discount or free or step.gifts):
                continue  # e.g. a free-shipping coupon when the shop ships free anyway: not used
            if discount:
                explanation.append(f"− {yuan_text(discount)} {rule.label}")
            applied.append(
                Applied(
                    rule_id=rule.rule_id,
                    label=rule.label,
                    group=rule.group,
                    discount=money(discount),
                    shares=shares,
                    free_shipping=free,
                    shipping_off=money(full_fee if free else 0),
                    gifts=step.gifts,
                )
            )
            gifts.extend(step.gifts)
        gap: Money | None = None
        if full_fee:
            if waived_by == "table" and rate.free_over is not None:
                waived = yuan_text(full_fee)
                explanation.append(f"{wording.shipping} {waived} − {waived} {wording.free_over} {rate.free_over}")
            elif waived_by:
                waiver = state.shop_free if waived_by == "shop" else state.coupon_free
                label = waiver.label if waiver is not None else ""
                explanation.append(f"{wording.shipping} {yuan_text(full_fee)} − {yuan_text(full_fee)} {label}")
            else:
                explanation.append(f"{wording.shipping} {yuan_text(fee)}")
                if rate.free_over is not None:
                    gap = money(rate.free_over.fen - state.goods)
        total = state.goods + fee
        explanation.append(f"{wording.total} {yuan_text(total)}")
        priced_lines = tuple(
            self._line_out(index, discount, steps)
            for index, (discount, steps) in enumerate(zip(state.discount, self._explained(state), strict=True))
        )
        priced = PricedCart(
            lines=priced_lines,
            subtotal=money(self.subtotal),
            discount=money(self.subtotal - state.goods),
            shipping=money(fee),
            total=money(total),
            explanation=tuple(explanation),
            free_shipping_gap=gap,
        )
        return PromotedCart(
            priced=priced, applied=tuple(applied), gifts=tuple(gifts), nudges=tuple(dict.fromkeys(self.nudges(state)))
        )

    def nudges(self, state: _State) -> list[str]:
        """The nudges of the cart the search kept: those its rules wrote, then those of the rules
        the search skipped (evaluated now, on the cart each would have seen)."""
        notes = list(state.notes)
        for seen, rules in state.later:
            for rule in rules:
                effect = self.evaluate(rule, seen)
                if effect is not None and effect.note and self.candidate(seen, rule, effect) is None:
                    notes.append(effect.note)
        return notes

    def nudges_on(self, state: _State, rules: Sequence[Rule]) -> tuple[str, ...]:
        """The nudges the order, coupon and shipping rules write on `state` (none when the
        nudges are not collected)."""
        if not self.writes_nudges:
            return ()
        notes = []
        for rule in rules:
            if rule.group is not Group.ITEM:
                effect = self.evaluate(rule, state)
                if effect is not None and effect.note:
                    notes.append(effect.note)
        return tuple(notes)

    def _line_out(self, index: int, discount: int, explanation: tuple[str, ...]) -> PricedLine:
        """The finished line (filled directly, like `_view`)."""
        line: PricedLine = object.__new__(PricedLine)
        fields = line.__dict__
        fields.update(self._fixed[index])
        fields["discount"] = money(discount)
        fields["total"] = money(self.subtotals[index] - discount)
        fields["explanation"] = explanation
        return line

    def _explained(self, state: _State) -> list[tuple[str, ...]]:
        found: list[tuple[str, ...]] = []
        for line, subtotal, steps in zip(self.lines, self.subtotals, state.steps, strict=True):
            texts = [f"{yuan_text(line.unit_price.fen)} × {line.quantity} = {yuan_text(subtotal)}"]
            for fen, label, of in steps:
                texts.append(f"− {yuan_text(fen)} {label} ({yuan_text(of)})" if of else f"− {yuan_text(fen)} {label}")
            found.append(tuple(texts))
        return found

    def reach(self, rule: Rule) -> tuple[int, int]:
        """The subtotal and the units of the lines a rule covers (the whole cart for a rule of
        another kind, whose scope the engine cannot see)."""
        found = self._reach.get(rule.rule_id)
        if found is None:
            scope = getattr(rule, "scope", None)
            scopes = self.scopes
            place = scopes.slot.get(rule.rule_id) if scopes is not None else None
            if place is not None and scopes is not None and scopes.scopes[place] is scope:
                found = self._place_reach.get(place) or self._reach_of_place(place)
            elif not isinstance(scope, Scope) or (scope.everything and not scope.excluded_product_ids):
                found = (self.subtotal, self.units)
            else:
                covered = self.context.covered(scope)
                spend = units = 0
                for key in covered:
                    index = self.position.get(key)
                    if index is not None:
                        spend += self.subtotals[index]
                        units += self.lines[index].quantity
                found = (spend, units)
            self._reach[rule.rule_id] = found
        return found

    def active(self, ordered: Sequence[Rule]) -> list[Rule]:
        """The rules (in the order given) that may do something for this cart: those whose scope
        covers a line worth more than 0 (shipping rules always) and that are `possible`. Works
        out each one's reach and `most_off` on the way (the search reads them many times)."""
        scopes = self.scopes
        if scopes is None or not self.skips:
            lines = self.views(self.start())
            return [
                rule
                for rule in ordered
                if (self.reach(rule)[0] > 0 or rule.group is Group.SHIPPING)
                and (not self.skips or _possible(rule, lines, self.context))
            ]
        bare: list[PricedLine] | None = None
        found: list[Rule] = []
        facts, hit, place_reach = scopes.facts, self.hit, self._place_reach
        reach_of, most_of = self._reach, self._most_off
        for rule in ordered:
            rule_id = rule.rule_id
            place, whole, shipping, asks, hook = facts[rule_id]
            if place is not None:
                if place not in hit and not whole:
                    if not shipping:
                        continue  # its scope covers no line: nothing to look at
                    reached = (0, 0)
                else:
                    reached = place_reach.get(place) or self._reach_of_place(place)
                reach_of[rule_id] = reached
            else:
                reached = self.reach(rule)
            if reached[0] <= 0 and not shipping:
                continue
            if asks:
                if bare is None:
                    bare = self._bare().views
                if not rule.possible(bare, self.context):  # type: ignore[attr-defined]
                    continue
            if rule_id not in most_of:
                most_of[rule_id] = _most_off_of(hook, reached)
            found.append(rule)
        return found

    def _reach_of_place(self, place: int) -> tuple[int, int]:
        """The subtotal and the units of the lines the index's scope at `place` covers."""
        scopes = self.scopes
        assert scopes is not None
        if scopes.whole[place]:
            found = (self.subtotal, self.units)
        else:
            spend = units = 0
            for key in self.hit.get(place, ()):
                at = self.position[key]
                spend += self.subtotals[at]
                units += self.lines[at].quantity
            found = (spend, units)
        self._place_reach[place] = found
        return found

    def alone_total(self, rule: Rule) -> int:
        """Exactly what the customer pays with this rule alone (as `search([rule])` finds)."""
        start = self.start()
        bare = self.total_of(start)
        effect = self.evaluate(rule, start)
        if effect is None or not _does_something(effect):
            return bare
        self.apply(start, rule, effect)
        return min(bare, self.total_of(start))

    def most_off(self, rule: Rule) -> int:
        """At most what the rule takes off the goods here (the covered subtotal when it cannot say)."""
        found = self._most_off.get(rule.rule_id)
        if found is None:
            found = _most_off_of(getattr(rule, "most_off", None), self.reach(rule))
            self._most_off[rule.rule_id] = found
        return found

    def alone_at_least(self, rule: Rule) -> int:
        """A lower bound on the total the customer pays with this rule alone."""
        most_off = getattr(rule, "most_off", None)
        goods = self.subtotal - self.most_off(rule)
        can_ship_free = getattr(rule, "can_ship_free", None)
        if (callable(can_ship_free) and can_ship_free()) or not callable(most_off):
            return goods
        rate = self.rate
        if not self.lines or (rate.free_over is not None and goods >= rate.free_over.fen):
            return goods
        least = goods + rate.fee.fen
        if rate.free_over is not None and self.subtotal >= rate.free_over.fen:
            # the rule may take less than its most: goods left at the threshold still ship free
            least = min(least, rate.free_over.fen)
        return least


_first = operator.itemgetter(0)


def _most_off_of(hook: object, reached: tuple[int, int]) -> int:
    """A rule's `most_off(spend, units)` on what it reaches (the spend itself without the hook)."""
    return int(hook(*reached)) if callable(hook) else reached[0]


_key = operator.attrgetter("key")


def _largest_first(pair: tuple[int, Rule]) -> tuple[int, str]:
    return -pair[0], pair[1].rule_id


_ASKS_POSSIBLE: dict[type, bool] = {}


def _asks_possible(rule: Rule) -> bool:
    """Whether the rule's class has a `possible` check of its own."""
    kind = type(rule)
    asks = _ASKS_POSSIBLE.get(kind)
    if asks is None:
        hook = getattr(kind, "possible", None)
        asks = _ASKS_POSSIBLE[kind] = callable(hook) and hook is not _RuleBase.possible
    return asks


def _possible(rule: Rule, lines: Sequence[PricedLine], context: PricingContext) -> bool:
    return bool(rule.possible(lines, context)) if _asks_possible(rule) else True  # type: ignore[attr-defined]


def _gives_gifts(rule: Rule) -> bool:
    return bool(getattr(type(rule), "gives_gifts", True))


def _running(rule: Rule, now: datetime | None) -> bool:
    running = getattr(rule, "running", None)
    return bool(running(now)) if callable(running) else True


# The last few rule sets seen (each: the rules as given, sorted, whether all are ours, the scope
# index once built). A simulation or a batch prices every cart against the same rules, so the
# check, the sort and the index are done once per rule set; an entry is reused only when it holds
# the very same rule objects in the same order.
_RULE_SETS: list[tuple[tuple[Rule, ...], tuple[Rule, ...], bool, _ScopeIndex | None]] = []
_RULE_SETS_KEPT = 8


def _sorted_rules(rules: Sequence[Rule]) -> tuple[tuple[Rule, ...], bool, _ScopeIndex | None]:
    """`rules` in id order, each id checked to be unique (cached per rule set), and whether every
    rule is one of ours (then a rule without a window runs whenever `now` is not given)."""
    count = len(rules)
    for at, (given, ordered, plain, index) in enumerate(_RULE_SETS):
        if len(given) == count and all(map(operator.is_, given, rules)):
            if index is None:  # seen before: worth indexing now
                index = _ScopeIndex(ordered)
                _RULE_SETS[at] = (given, ordered, plain, index)
            return ordered, plain, index
    ids = [rule.rule_id for rule in rules]
    if len(set(ids)) != len(ids):
        raise PricingError("Each rule needs its own id")
    ordered = tuple(sorted(rules, key=lambda rule: rule.rule_id))
    plain = all(getattr(type(rule), "running", None) is _RuleBase.running for rule in ordered)
    # The scope index is built the second time a rule set is seen: a rule set built afresh for one
    # cart (the app reads the running rules per request) would not earn back its cost.
    _RULE_SETS.insert(0, (tuple(rules), ordered, plain, None))
    del _RULE_SETS[_RULE_SETS_KEPT:]
    return ordered, plain, None


class _ScopeIndex:
    """A rule set's scopes by what they name (SKU, product, brand, category, scene), built once
    per rule set, so a cart's lines find the scopes that cover them by a few dict lookups instead
    of every scope being checked against the cart."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.scopes: list[Scope] = []
        self.slot: dict[str, int] = {}  # rule id → its scope's place in `scopes`
        self.everything: list[int] = []  # scopes that name nothing (the whole store)
        self.by_sku: dict[int, list[int]] = {}
        self.by_product: dict[int, list[int]] = {}
        self.by_brand: dict[int, list[int]] = {}
        self.by_category: dict[int, list[int]] = {}
        self.by_scene: dict[int, list[int]] = {}
        self.excluding: list[int] = []  # scopes with excluded products
        self.by_id: dict[int, Scope] = {}
        self.whole: list[bool] = []  # per scope: the whole store, nothing excluded
        seen: dict[int, int] = {}
        for rule in rules:
            scope = getattr(rule, "scope", None)
            if not isinstance(scope, Scope):
                continue
            place = seen.get(id(scope))
            if place is None:
                place = seen[id(scope)] = len(self.scopes)
                self.scopes.append(scope)
                self.by_id[id(scope)] = scope
                self.whole.append(scope.everything and not scope.excluded_product_ids)
                if scope.everything:
                    self.everything.append(place)
                for wanted, index in (
                    (scope.sku_ids, self.by_sku),
                    (scope.product_ids, self.by_product),
                    (scope.brand_ids, self.by_brand),
                    (scope.category_ids, self.by_category),
                    (scope.scene_ids, self.by_scene),
                ):
                    for value in wanted:
                        index.setdefault(value, []).append(place)
                if scope.excluded_product_ids:
                    self.excluding.append(place)
            self.slot[rule.rule_id] = place
        # per rule id, what the active filter asks of every rule on every cart (rules are frozen,
        # so it holds as long as the rule set): its scope's place (None: not indexed), whether
        # that scope is the whole store, whether it is a shipping rule, whether it has a
        # `possible` check, and its `most_off`
        self.facts: dict[str, tuple[int | None, bool, bool, bool, object]] = {}
        for rule in rules:
            place = self.slot.get(rule.rule_id)
            self.facts[rule.rule_id] = (
                place,
                place is not None and self.whole[place],
                rule.group is Group.SHIPPING,
                _asks_possible(rule),
                getattr(rule, "most_off", None),
            )

    def covering(self, items: Mapping[str, CartItem]) -> dict[int, set[str]]:
        """Per scope (by place) that covers at least one of `items`, the keys it covers."""
        found: dict[int, set[str]] = {}
        if self.everything and items:
            for place in self.everything:
                found[place] = set(items)
        by_sku, by_product, by_brand = self.by_sku, self.by_product, self.by_brand
        by_category, by_scene = self.by_category, self.by_scene
        for key, item in items.items():
            places: list[int] = []
            hit = by_sku.get(item.sku_id)
            if hit:
                places += hit
            hit = by_product.get(item.product_id)
            if hit:
                places += hit
            if item.brand_id is not None:
                hit = by_brand.get(item.brand_id)
                if hit:
                    places += hit
            for category in item.category_ids:
                hit = by_category.get(category)
                if hit:
                    places += hit
            for scene in item.scene_ids:
                hit = by_scene.get(scene)
                if hit:
                    places += hit
            for place in places:
                keys = found.get(place)
                if keys is None:
                    found[place] = {key}
                else:
                    keys.add(key)
        for place in self.excluding:
            keys = found.get(place)
            if keys:
                excluded = self.scopes[place].excluded_product_ids
                keys.difference_update([key for key in keys if items[key].product_id in excluded])
                if not keys:
                    del found[place]
        return found


def price_promoted(
    lines: Sequence[LineInput],
    *,
    items: Mapping[str, CartItem],
    rules: Sequence[Rule],
    shipping: ShippingTable,
    region: str | None,
    shopper: Shopper,
    wording: Wording,
    now: datetime | None = None,
) -> PromotedCart:
    """Price a cart with promotions and coupons: the best total the rules allow the customer,
    explained per line. Deterministic; independent of the order of `lines` and of `rules`.
    Rules outside their window at `now` are left out. See the module docstring for how."""
    outcome = promoted_outcome(
        lines, items=items, rules=rules, shipping=shipping, region=region, shopper=shopper, wording=wording, now=now
    )
    return outcome.cart()


@dataclass(frozen=True)
class Outcome:
    """The search's answer before it is written out: what the simulator reads, figures only."""

    pricer: _Pricer
    state: _State

    def cart(self) -> PromotedCart:
        return self.pricer.finish(self.state)

    @property
    def subtotal(self) -> int:
        return self.pricer.subtotal

    @property
    def goods(self) -> int:
        return self.state.goods

    def shipping(self) -> tuple[int, int]:
        """(the fee paid, the fee a promotion waived)."""
        fee, waived_by = self.pricer.fee(self.state)
        full = self.pricer.rate.fee.fen if self.pricer.lines else 0
        return fee, full if waived_by in ("shop", "coupon") else 0

    def costs(self) -> tuple[int, int]:
        """(unit cost × units, and what the customer pays for those lines) over the lines whose
        cost is known: margin % is GMV less cost over the second."""
        cost = costed = 0
        pricer, discounts = self.pricer, self.state.discount
        for index, unit_cost in enumerate(pricer.costs):
            if unit_cost is not None:
                cost += unit_cost.fen * pricer.lines[index].quantity
                costed += pricer.subtotals[index] - discounts[index]
        return cost, costed

    def item_spend(self) -> dict[str, int]:
        """Per line key, what the line comes to after the item-level rules (what a spend ladder sees)."""
        pricer = self.pricer
        spend = list(pricer.subtotals)
        for step in self.state.done:
            if step.rule.group is Group.ITEM:
                for index, fen in step.shares.items():
                    spend[index] -= fen
        return {line.key: fen for line, fen in zip(pricer.lines, spend, strict=True)}

    def rule_totals(self) -> list[tuple[Rule, int, int, int]]:
        """Per rule that changed the price: (rule, goods discount, shipping waived, gift units)."""
        _, waived = self.shipping()
        state = self.state
        waiver = state.shop_free if state.shop_free is not None else state.coupon_free
        found = []
        for step in state.done:
            off = waived if step.free_shipping and step.rule is waiver else 0
            if step.shares or off or step.gifts:
                units = sum(gift.quantity for gift in step.gifts) if step.gifts else 0
                found.append((step.rule, sum(step.shares.values()), off, units))
        return found


def promoted_outcome(
    lines: Sequence[LineInput],
    *,
    items: Mapping[str, CartItem],
    rules: Sequence[Rule],
    shipping: ShippingTable,
    region: str | None,
    shopper: Shopper,
    wording: Wording,
    now: datetime | None = None,
    nudges: bool = True,
) -> Outcome:
    """`price_promoted` without writing the answer out (no explanations): for the simulator.
    `nudges=False` leaves out collecting the nudges (`Outcome.cart()` then shows only those of
    the rules that applied); the figures are the same."""
    check_lines(lines)
    ordered, plain, scopes = _sorted_rules(rules)
    if now is not None or not plain:
        ordered = tuple(rule for rule in ordered if _running(rule, now))
    pricer = _Pricer(lines, items, shipping, region, shopper, wording, now, scopes, writes_nudges=nudges)
    active = pricer.active(ordered)
    best, best_total = pricer.search(active)
    # The promotions may not leave the customer paying more than none at all: stacking rules
    # always apply, and a small one can take the goods below the free-over threshold (¥0.09 off
    # a ¥99.00 cart that ships free over ¥99.00). The cart is then priced without them, with the
    # nudges of those that could apply.
    if active:
        bare = pricer.start()
        bare_total = pricer.total_of(bare)
        if bare_total < best_total:
            bare.notes = pricer.nudges_on(bare, active)
            best, best_total = bare, bare_total
    # Step 4: no single rule alone may beat the combination. Each rule bounds what it could take
    # off alone (`most_off`), so most rules are ruled out without evaluating them; the rest are
    # evaluated once on the bare cart, and only one that really wins is priced in full.
    subtotal, most_off = pricer.subtotal, pricer.most_off
    if len(active) > 1 and (subtotal - max(map(most_off, active)) < best_total or not pricer.skips):
        for rule in sorted(active, key=lambda rule: (-most_off(rule), rule.rule_id)):
            if subtotal - most_off(rule) >= best_total and pricer.skips:
                break  # alone, neither this rule nor any after it can pay less than the result
            if pricer.alone_at_least(rule) >= best_total:
                continue
            if pricer.alone_total(rule) >= best_total:
                continue
            alone, alone_total = pricer.search([rule])
            if alone_total < best_total:
                best, best_total = alone, alone_total
    return Outcome(pricer=pricer, state=best)
