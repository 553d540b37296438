"""Reads on promotions: which run now, the rules the engine evaluates, pricing a cart with them
(`cart_price`, used by checkout), the margin guard's verdict, a sample-cart preview, the calendar,
the live counters per promotion and the badges shown on product pages.

`cart_price` reads a fixed handful of rows whatever the cart: the SKUs' promotion facts (two
queries), the running promotions (one), the customer's coupons (coupons' own reads, when that
app is installed), only when a member price runs the customer's tier (one) and, only when a
gift applies, the gift SKUs' stock (one).
"""

from __future__ import annotations

import calendar as calendar_module
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shopkeeper.catalog import selectors as catalog
from shopkeeper.catalog.enums import PriceField
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound
from shopkeeper.customers import selectors as customers
from shopkeeper.inventory import selectors as inventory
from shopkeeper.pricing.domain.pipeline import LineInput, PricedCart, PricedLine, ShippingTable, Wording
from shopkeeper.promotions import rules as rule_builder
from shopkeeper.promotions.domain import gifts as gift_domain
from shopkeeper.promotions.domain.base import CartItem, Scope, Shopper
from shopkeeper.promotions.domain.engine import price_promoted
from shopkeeper.promotions.domain.rules import Floor, GiftWithPurchase, MemberPrice
from shopkeeper.promotions.enums import GiftRefundRule, PromotionKind, PromotionStatus, UseState
from shopkeeper.promotions.models import Promotion, PromotionUse

LIVE_STATUSES = (PromotionStatus.SCHEDULED, PromotionStatus.ACTIVE)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- promotions as rules ------------------------------------------------------------------------


def promotion_label(promotion: Promotion) -> str:
    return promotion.label or rule_builder.default_label(promotion.kind, promotion.params)


def store_default_floor() -> Floor:
    """The floor of a promotion (or coupon, group buy, presale) that names none: the setting
    PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT over cost (0: never below cost)."""
    return Floor(min_margin_percent=settings.PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT)


def floor_from(*, min_margin_percent: int | None, min_price_fen: int | None) -> Floor:
    """The floor these fields name, or the store default when they name none. A price floor of ¥0
    (and no margin) is a floor of its own that lets units go to any price: the explicit way to run
    a promotion or coupon below cost."""
    if min_margin_percent is None and min_price_fen is None:
        return store_default_floor()
    return Floor(
        min_margin_percent=min_margin_percent,
        min_price=Money(min_price_fen) if min_price_fen is not None else None,
    )


def floor_of(promotion: Promotion) -> Floor:
    """The promotion's own floor, or the store default when it names none (see `floor_from`)."""
    return floor_from(min_margin_percent=promotion.min_margin_percent, min_price_fen=promotion.min_price_fen)


def floor_text(floor: Floor) -> str:
    """A floor in the operator's words: "10% over cost", "at least ¥59.00", both, or "none"."""
    margin = (
        _("%(percent)d%% over cost") % {"percent": floor.min_margin_percent}
        if floor.min_margin_percent is not None
        else ""
    )
    price = (
        _("at least %(price)s a unit") % {"price": floor.min_price}
        if floor.min_price is not None and floor.min_price.fen > 0
        else ""
    )
    if margin and price:
        return _("%(margin)s and %(price)s") % {"margin": margin, "price": price}
    return margin or price or pgettext("margin floor", "none")


def promotion_rule(promotion: Promotion) -> Any:
    """The domain rule of a saved promotion (its params were checked when it was saved)."""
    return rule_builder.build_rule(
        rule_id=promotion.rule_id,
        label=promotion_label(promotion),
        kind=promotion.kind,
        params=promotion.params,
        scope=rule_builder.scope_of(promotion.scope),
        stacks=promotion.stacks,
        floor=floor_of(promotion),
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
    )


def running_promotions(now: datetime | None = None) -> list[Promotion]:
    """Promotions that apply at `now`: published (scheduled or active) and inside their window."""
    moment = _now(now)
    return list(
        Promotion.objects.filter(status__in=LIVE_STATUSES, starts_at__lte=moment, ends_at__gt=moment).order_by("pk")
    )


def running_rules(now: datetime | None = None) -> list[Any]:
    found = []
    for promotion in running_promotions(now):
        try:
            found.append(promotion_rule(promotion))
        except rule_builder.ParamsError:  # saved before a rule change: never breaks the cart
            continue
    return found


def cart_items(skus: Mapping[int, catalog.PromoSku], keys: Mapping[int, str]) -> dict[str, CartItem]:
    return {
        key: CartItem(
            key=key,
            sku_id=sku_id,
            product_id=skus[sku_id].product_id,
            brand_id=skus[sku_id].brand_id,
            category_ids=skus[sku_id].category_ids,
            scene_ids=skus[sku_id].scene_ids,
            cost=Money(skus[sku_id].cost_price_fen),
        )
        for sku_id, key in keys.items()
        if sku_id in skus
    }


# --- pricing a cart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CouponChoice:
    coupon_id: int
    label: str
    valid_until: datetime | None
    chosen: bool  # the customer picked it (or, with no pick, the engine did)
    applied: bool
    discount: Money


@dataclass(frozen=True)
class GiftLine:
    """A gift the order carries at price 0 (its stock is reserved like any line)."""

    promotion_id: int | None
    sku_id: int
    quantity: int
    label: str
    refund_rule: str

    @property
    def key(self) -> str:
        return f"gift-{self.sku_id}"


@dataclass(frozen=True)
class AppliedPromotion:
    rule_id: str
    promotion_id: int | None  # None for a coupon
    coupon_id: int | None
    label: str
    group: str
    discount: Money
    free_shipping: bool = False  # it waived the shipping fee
    gift_units: int = 0  # gifts it gave


@dataclass(frozen=True)
class LineUse:
    """How much one applied promotion took off one line (for `PromotionUse`)."""

    promotion_id: int
    line_key: str
    sku_id: int
    discount_fen: int
    units: int


@dataclass(frozen=True)
class CartPrice:
    priced: PricedCart
    applied: tuple[AppliedPromotion, ...] = ()
    gifts: tuple[GiftLine, ...] = ()
    nudges: tuple[str, ...] = ()
    coupons: tuple[CouponChoice, ...] = ()
    refused_coupon_ids: tuple[int, ...] = ()  # asked for but not the customer's to use
    uses: tuple[LineUse, ...] = ()
    free_shipping: tuple[str, ...] = field(default=())  # labels of shipping promotions applied

    @property
    def coupon_ids(self) -> tuple[int, ...]:
        return tuple(a.coupon_id for a in self.applied if a.coupon_id is not None)

    @property
    def promotion_ids(self) -> tuple[int, ...]:
        return tuple(a.promotion_id for a in self.applied if a.promotion_id is not None)


def _coupon_offers(customer_id: int | None, now: datetime) -> list[Any]:
    """The customer's usable coupons from the coupons app (none until it is installed)."""
    if customer_id is None:
        return []
    try:
        from shopkeeper.promotions.coupons import selectors as coupons
    except ImportError:
        return []
    offers = getattr(coupons, "coupon_offers", None)
    if offers is None:
        return []
    return list(offers(customer_id=customer_id, now=now))


def _promotion_id(rule_id: str) -> int | None:
    prefix, _sep, pk = rule_id.partition(":")
    return int(pk) if prefix == "promo" and pk.isdigit() else None


def _line_uses(lines: Sequence[PricedLine], promoted: Any) -> list[LineUse]:
    """Per line, what each applied promotion took (the engine's shares), with the line's units."""
    by_key = {line.key: line for line in lines}
    uses: list[LineUse] = []
    for entry in promoted.applied:
        promotion_id = _promotion_id(entry.rule_id)
        if promotion_id is None:
            continue
        for key, amount in entry.shares:
            line = by_key.get(key)
            if line is not None and amount.fen > 0:
                uses.append(
                    LineUse(
                        promotion_id=promotion_id,
                        line_key=key,
                        sku_id=line.sku_id,
                        discount_fen=amount.fen,
                        units=line.quantity,
                    )
                )
    return uses


def cart_price(
    *,
    lines: Sequence[LineInput],
    shipping: ShippingTable,
    region: str | None,
    wording: Wording,
    customer_id: int | None = None,
    coupon_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    rules: Sequence[Any] | None = None,
    skus: Mapping[int, catalog.PromoSku] | None = None,
    tier: str | None = None,
) -> CartPrice:
    """Price cart lines with the running promotions and the customer's coupons.

    `coupon_ids` None lets the engine pick the best of the customer's coupons; a list uses only
    those (an empty list: no coupon); ids that are not the customer's usable coupons are left out
    and listed in `refused_coupon_ids`. `rules` replaces the running promotions (preview,
    simulator). The customer's membership tier is read (one query) only when a member-price rule
    runs; `tier` gives it instead (the console's sample cart "as a gold member").
    """
    moment = _now(now)
    keys = {line.sku_id: line.key for line in lines}
    promotion_rules = list(rules) if rules is not None else running_rules(moment)
    offers = _coupon_offers(customer_id, moment)
    offered = {offer.coupon_id: offer for offer in offers}
    refused: tuple[int, ...] = ()
    if coupon_ids is None:
        coupon_rules = [offer.rule for offer in offers]
    else:
        wanted = list(dict.fromkeys(int(pk) for pk in coupon_ids))
        refused = tuple(pk for pk in wanted if pk not in offered)
        coupon_rules = [offered[pk].rule for pk in wanted if pk in offered]
    coupon_of_rule = {offer.rule.rule_id: offer.coupon_id for offer in offers}
    alone_ids = {offer.rule.rule_id for offer in offers if not getattr(offer, "stacks_with_promotions", True)}
    all_rules = [*promotion_rules, *coupon_rules]
    if tier is None and customer_id is not None and any(isinstance(rule, MemberPrice) for rule in all_rules):
        tier = customers.customer_tier(customer_id)
    shopper = Shopper(customer_id=customer_id, tier=tier)
    if skus is not None:
        facts = skus
    elif all_rules and keys:  # no rule, nothing to know about the lines
        scenes = any(getattr(getattr(rule, "scope", None), "scene_ids", None) for rule in all_rules)
        facts = catalog.promo_skus(keys, scenes=scenes)
    else:
        facts = {}
    items = cart_items(facts, keys)

    def priced_with(chosen: Sequence[Any]) -> Any:
        return price_promoted(
            list(lines),
            items=items,
            rules=list(chosen),
            shipping=shipping,
            region=region,
            shopper=shopper,
            wording=wording,
            now=moment,
        )

    promoted = priced_with([rule for rule in all_rules if rule.rule_id not in alone_ids])
    alone = [rule for rule in coupon_rules if rule.rule_id in alone_ids]
    if alone and lines:  # coupons that go only on an order no promotion touched: the better of the two
        without = priced_with(alone)
        if without.priced.total < promoted.priced.total:
            promoted = without
    applied = tuple(
        AppliedPromotion(
            rule_id=entry.rule_id,
            promotion_id=_promotion_id(entry.rule_id),
            coupon_id=coupon_of_rule.get(entry.rule_id),
            label=entry.label,
            group=str(entry.group),
            discount=entry.discount,
            free_shipping=entry.free_shipping,
            gift_units=sum(gift.quantity for gift in entry.gifts),
        )
        for entry in promoted.applied
    )
    gifts = _gift_lines(promoted)
    nudges = list(promoted.nudges)
    if gifts:
        stock = inventory.sku_availability(gift.sku_id for gift in gifts)
        kept = []
        for gift in gifts:
            if stock.get(gift.sku_id, 0) >= gift.quantity:
                kept.append(gift)
            else:
                nudges.append(_("The gift %(gift)s is out of stock.") % {"gift": gift.label})
        gifts = kept
    used_coupons = {a.coupon_id for a in applied if a.coupon_id is not None}
    choices = tuple(
        CouponChoice(
            coupon_id=offer.coupon_id,
            label=offer.label,
            valid_until=offer.valid_until,
            chosen=(offer.coupon_id in used_coupons) if coupon_ids is None else offer.coupon_id in set(coupon_ids),
            applied=offer.coupon_id in used_coupons,
            discount=sum((a.discount for a in applied if a.coupon_id == offer.coupon_id), start=Money.zero()),
        )
        for offer in offers
    )
    return CartPrice(
        priced=promoted.priced,
        applied=applied,
        gifts=tuple(gifts),
        nudges=tuple(nudges),
        coupons=choices,
        refused_coupon_ids=refused,
        uses=tuple(_line_uses(promoted.priced.lines, promoted)),
        free_shipping=tuple(a.label for a in applied if a.group == "shipping"),
    )


def _gift_lines(promoted: Any) -> list[GiftLine]:
    """The gifts of the applied rules, one line per gift SKU."""
    merged: dict[int, GiftLine] = {}
    for entry in promoted.applied:
        for gift in entry.gifts:
            kept = merged.get(gift.sku_id)
            if kept is not None:
                merged[gift.sku_id] = replace(kept, quantity=kept.quantity + gift.quantity)
            else:
                merged[gift.sku_id] = GiftLine(
                    promotion_id=_promotion_id(entry.rule_id),
                    sku_id=gift.sku_id,
                    quantity=gift.quantity,
                    label=gift.label,
                    refund_rule=gift.refund_rule,
                )
    return [merged[sku_id] for sku_id in sorted(merged)]


# --- staff reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromotionFilters:
    status: str = ""
    kind: str = ""
    q: str = ""


def shown_status(promotion: Promotion, now: datetime | None = None) -> str:
    """The status as it stands now: a published promotion is scheduled, active or ended by its window."""
    moment = _now(now)
    if promotion.status in LIVE_STATUSES:
        if promotion.ends_at <= moment:
            return PromotionStatus.ENDED
        return PromotionStatus.ACTIVE if promotion.starts_at <= moment else PromotionStatus.SCHEDULED
    return promotion.status


def promotion_list(filters: PromotionFilters | None = None, *, now: datetime | None = None) -> QuerySet[Promotion]:
    filters = filters or PromotionFilters()
    moment = _now(now)
    queryset = Promotion.objects.all()
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.q:
        queryset = queryset.filter(Q(name__icontains=filters.q) | Q(label__icontains=filters.q))
    live = Q(status__in=LIVE_STATUSES)
    if filters.status == PromotionStatus.ACTIVE:
        queryset = queryset.filter(live, starts_at__lte=moment, ends_at__gt=moment)
    elif filters.status == PromotionStatus.SCHEDULED:
        queryset = queryset.filter(live, starts_at__gt=moment)
    elif filters.status == PromotionStatus.ENDED:
        queryset = queryset.filter(Q(status=PromotionStatus.ENDED) | (live & Q(ends_at__lte=moment)))
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset.order_by("-starts_at", "-id")


def promotion_get(promotion_id: int) -> Promotion:
    found = Promotion.objects.filter(pk=promotion_id).first()
    if found is None:
        raise NotFound(_("No promotion %(id)s") % {"id": promotion_id}, details={"promotion_id": promotion_id})
    return found


@dataclass(frozen=True)
class Counters:
    """What a promotion has done so far: paid orders, units sold under it, money it took off."""

    promotion_id: int
    orders: int
    units: int
    gift_units: int
    discount: Money
    pending_orders: int  # placed, not paid yet


def promotion_counters(promotion_ids: Iterable[int]) -> dict[int, Counters]:
    """Live counters from `PromotionUse` (one query for any number of promotions)."""
    ids = sorted(set(promotion_ids))
    found = {pk: Counters(pk, 0, 0, 0, Money.zero(), 0) for pk in ids}
    if not ids:
        return found
    rows = (
        PromotionUse.objects.filter(promotion_id__in=ids)
        .exclude(state=UseState.CANCELLED)
        .values("promotion_id", "state")
        .annotate(
            orders=Count("order_id", distinct=True),
            units=Sum("units"),
            gift_units=Sum("gift_units"),
            discount=Sum("discount_fen"),
        )
        .order_by()
    )
    for row in rows:
        kept = found[row["promotion_id"]]
        if row["state"] == UseState.PAID:
            found[row["promotion_id"]] = replace(
                kept,
                orders=row["orders"],
                units=int(row["units"] or 0),
                gift_units=int(row["gift_units"] or 0),
                discount=Money(int(row["discount"] or 0)),
            )
        else:
            found[row["promotion_id"]] = replace(kept, pending_orders=row["orders"])
    return found


def promotion_uses_of_order(order_id: int) -> list[PromotionUse]:
    """What each promotion did on an order, line by line (after-sales reads the gift lines' refund
    rule here: `gift_units` > 0 and `gift_refund_rule`)."""
    return list(PromotionUse.objects.filter(order_id=order_id).select_related("promotion").order_by("id"))


# --- gifts on refund (after-sales asks) -------------------------------------------------------------


@dataclass(frozen=True)
class OrderGift:
    """A gift an order came with: one gift use, its order line and its rule on refund."""

    use_id: int
    promotion_id: int
    label: str  # the promotion as shoppers saw it, e.g. "满200赠帆布袋"
    line_id: int | None  # the gift's own order line (at ¥0)
    sku_id: int | None
    units: int
    refund_rule: str  # recover | charge | after_receipt


def _gift_uses(order_id: int) -> list[PromotionUse]:
    return [use for use in promotion_uses_of_order(order_id) if use.state != UseState.CANCELLED]


def order_gifts(*, order_id: int) -> list[OrderGift]:
    """The gifts of an order, in the order they were recorded (one query)."""
    return [
        OrderGift(
            use_id=use.pk,
            promotion_id=use.promotion_id,
            label=promotion_label(use.promotion),
            line_id=use.line_id,
            sku_id=use.sku_id,
            units=use.gift_units,
            refund_rule=use.gift_refund_rule or GiftRefundRule.RECOVER,
        )
        for use in _gift_uses(order_id)
        if use.gift_units > 0
    ]


def gift_unit_value(*, sku_id: int, product_id: int, at: datetime) -> Money:
    """What one unit of a gift SKU was worth at `at` (the order's placing): its list price then,
    or its sale price then when it had no list price. Today's prices less the changes since, from
    the catalog's price history; zero when the SKU is gone."""
    try:
        product = catalog.product_get(product_id=product_id)
    except NotFound:
        return Money.zero()
    sku = next((sku for sku in product.skus.all() if sku.pk == sku_id), None)
    if sku is None:
        return Money.zero()
    changes = [change for change in catalog.price_history(product=product) if change.sku_id == sku_id]

    def then(field: str, current: int) -> int:
        return gift_domain.price_at(
            current,
            (gift_domain.PriceChange(c.at, c.old_fen, c.new_fen) for c in changes if c.field == field),
            at,
        )

    return Money(
        gift_domain.gift_unit_value(
            list_fen=then(PriceField.LIST, sku.list_price_fen), sale_fen=then(PriceField.SALE, sku.sale_price_fen)
        )
    )


@dataclass(frozen=True)
class OrderLineFacts:
    """An order line as the gift question needs it (after-sales builds these from the order)."""

    line_id: int
    sku_id: int | None
    product_id: int
    quantity: int
    subtotal_fen: int


@dataclass(frozen=True)
class GiftStanding:
    """Whether the order still earns one of its gifts without the units gone, and which of its
    lines count toward it (the gift's qualifying lines)."""

    use_id: int
    standing: gift_domain.Standing
    qualifying_line_ids: frozenset[int]

    @property
    def earned(self) -> bool:
        return self.standing.earned


def order_gift_standings(
    *, order_id: int, lines: Sequence[OrderLineFacts], gone: Mapping[int, int]
) -> dict[int, GiftStanding]:
    """For each gift of the order (by use id): is it still earned once the units in `gone` (line
    id → units refunded or about to be) have left the order? Each gift is asked against its own
    promotion's terms and scope, with each line's spend as the gift's rule saw it at checkout (the
    subtotal less the promotions the engine applied before the gift). Three queries."""
    uses = _gift_uses(order_id)
    gift_uses = [use for use in uses if use.gift_units > 0]
    if not gift_uses:
        return {}
    gift_lines = {use.line_id for use in gift_uses if use.line_id is not None}
    bought = [line for line in lines if line.line_id not in gift_lines]
    skus = catalog.promo_skus({line.sku_id for line in bought if line.sku_id is not None})
    items = cart_items(skus, {line.sku_id: str(line.sku_id) for line in bought if line.sku_id is not None})
    prior = [
        gift_domain.PriorUse(
            promotion_id=use.promotion_id,
            group=use.promotion.group,
            stacks=use.promotion.stacks,
            line_id=use.line_id,
            discount_fen=use.discount_fen,
        )
        for use in uses
        if use.discount_fen > 0
    ]
    subtotals = {line.line_id: line.subtotal_fen for line in bought}
    found: dict[int, GiftStanding] = {}
    for use in gift_uses:
        try:
            rule = promotion_rule(use.promotion)
        except rule_builder.ParamsError:
            rule = None
        if isinstance(rule, GiftWithPurchase):
            scope = rule.scope
            terms = gift_domain.GiftTerms(
                threshold_fen=rule.threshold.fen if rule.threshold is not None else None,
                trigger_product_ids=rule.trigger_product_ids,
            )
        else:  # a gift whose promotion no longer reads as one: what it covered is unknown, keep it
            scope, terms = None, gift_domain.GiftTerms()
        spends = gift_domain.line_spends(
            subtotals, prior, gift_promotion_id=use.promotion_id, gift_stacks=use.promotion.stacks
        )
        spend_lines = []
        for line in bought:
            item = items.get(str(line.sku_id))
            if scope is None:
                covered = True
            elif item is not None:
                covered = scope.covers(item)
            else:  # the SKU has left the catalog: only a whole-store scope still covers it
                covered = scope.everything and line.product_id not in scope.excluded_product_ids
            spend_lines.append(
                gift_domain.SpendLine(
                    line_id=line.line_id,
                    product_id=line.product_id,
                    quantity=line.quantity,
                    spend_fen=spends.get(line.line_id, 0),
                    covered=covered,
                )
            )
        found[use.pk] = GiftStanding(
            use_id=use.pk,
            standing=gift_domain.gift_standing(terms, spend_lines, gone),
            qualifying_line_ids=frozenset(line.line_id for line in spend_lines if line.covered),
        )
    return found


# --- the margin guard -----------------------------------------------------------------------------


def scope_skus(scope: Mapping[str, Any]) -> list[catalog.PromoSku]:
    def ids(key: str) -> list[int]:
        return [int(pk) for pk in scope.get(key) or []]

    return catalog.promo_skus_in_scope(
        sku_ids=ids("sku_ids"),
        product_ids=ids("product_ids"),
        category_ids=ids("category_ids"),
        brand_ids=ids("brand_ids"),
        scene_ids=ids("scene_ids"),
        excluded_product_ids=ids("excluded_product_ids"),
    )


def margin_check(rule: Any, scope: Mapping[str, Any], *, extra_sku_ids: Iterable[int] = ()) -> Any:
    """The domain's verdict on the rule's worst case over the SKUs in its scope (with costs)."""
    return _margin_check_counted(rule, scope, extra_sku_ids=extra_sku_ids)[0]


def _margin_check_counted(rule: Any, scope: Mapping[str, Any], *, extra_sku_ids: Iterable[int]) -> tuple[Any, int]:
    """`margin_check` and how many SKUs of the scope it checked (the scope read once)."""
    from shopkeeper.promotions.domain.margin import SkuPrice, margin_verdict

    skus = {sku.sku_id: sku for sku in scope_skus(scope)}
    in_scope = len(skus)
    extra = [pk for pk in extra_sku_ids if pk not in skus]
    if extra:
        skus.update(catalog.promo_skus(extra))
    keys = {sku_id: sku.sku_code for sku_id, sku in skus.items()}
    items = cart_items(skus, keys)
    catalog_rows = [
        SkuPrice(item=items[keys[sku_id]], price=Money(skus[sku_id].sale_price_fen)) for sku_id in sorted(skus)
    ]
    return margin_verdict(rule, catalog_rows), in_scope


def promotion_verdict(promotion: Promotion) -> Any:
    return _promotion_verdict_counted(promotion)[0]


def _promotion_verdict_counted(promotion: Promotion) -> tuple[Any, int]:
    return _margin_check_counted(
        promotion_rule(promotion), promotion.scope, extra_sku_ids=promotion.params.get("sku_ids") or []
    )


# --- a sample cart ----------------------------------------------------------------------------------


def sample_cart_price(
    *,
    quantities: Mapping[int, int],
    shipping: ShippingTable,
    wording: Wording,
    rules: Sequence[Any] | None = None,
    now: datetime | None = None,
    tier: str | None = None,
) -> CartPrice:
    """Price a cart made up by the operator (SKU → units) with the running promotions (or `rules`),
    for a shopper of `tier` (None: a visitor, who gets no member price)."""
    skus = catalog.promo_skus(quantities)
    lines = [
        LineInput(
            key=skus[sku_id].sku_code,
            sku_id=sku_id,
            title=skus[sku_id].title,
            unit_price=Money(skus[sku_id].sale_price_fen),
            quantity=quantity,
        )
        for sku_id, quantity in sorted(quantities.items())
        if sku_id in skus and quantity > 0
    ]
    return cart_price(
        lines=lines, shipping=shipping, region=None, wording=wording, rules=rules, skus=skus, now=now, tier=tier
    )


# --- the calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarBar:
    promotion: Promotion
    label: str
    status: str
    first_day: int  # day of the month it shows from (1-based)
    last_day: int


@dataclass(frozen=True)
class CalendarEntry:
    """One thing on the calendar: a promotion, a flash-sale session, a presale, a group buy, a lottery."""

    kind: str  # promotion | flash | presale | groupbuy | lottery
    kind_label: str
    name: str
    label: str
    status: str
    starts_at: datetime
    ends_at: datetime
    url_name: str  # the console page to open it (takes object_id)
    object_id: int
    first_day: int
    last_day: int


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[int]]  # days of the month per week (0: another month's day)
    bars: list[CalendarBar]  # the promotions
    entries: list[CalendarEntry]  # everything that runs: promotions and the other mechanics
    by_day: dict[int, list[CalendarEntry]]

    @property
    def previous(self) -> tuple[int, int]:
        return (self.year - 1, 12) if self.month == 1 else (self.year, self.month - 1)

    @property
    def next(self) -> tuple[int, int]:
        return (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)


def _days_shown(starts_at: datetime, ends_at: datetime, year: int, month: int) -> tuple[int, int]:
    first = date(year, month, 1)
    days = calendar_module.monthrange(year, month)[1]
    starts = timezone.localtime(starts_at).date()
    ends = timezone.localtime(ends_at - timedelta(microseconds=1)).date()
    return (
        max(starts, first).day if (starts.year, starts.month) == (year, month) else 1,
        ends.day if (ends.year, ends.month) == (year, month) else days,
    )


def _mechanic_entries(start: datetime, end: datetime, year: int, month: int) -> list[CalendarEntry]:
    """Flash-sale sessions, presales (deposit window to balance deadline), group buys and lotteries
    whose time touches the month; drafts of flash sales are left out, as drafts of promotions are."""
    from shopkeeper.promotions.flash.models import FlashSession
    from shopkeeper.promotions.groupbuy.models import GroupBuy
    from shopkeeper.promotions.lottery.models import Lottery
    from shopkeeper.promotions.presale.models import Presale

    found: list[CalendarEntry] = []

    def add(
        kind: str,
        kind_label: str,
        name: str,
        label: str,
        status: str,
        window: tuple[datetime, datetime],
        url_name: str,
        object_id: int,
    ) -> None:
        first_day, last_day = _days_shown(window[0], window[1], year, month)
        found.append(
            CalendarEntry(
                kind, kind_label, name, label, status, window[0], window[1], url_name, object_id, first_day, last_day
            )
        )

    sessions = (
        FlashSession.objects.select_related("sale")
        .exclude(sale__status="draft")
        .filter(starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at", "pk")
    )
    for session in sessions:
        add(
            "flash",
            _("Flash sale"),
            session.sale.name,
            _("Flash sale"),
            session.sale.status,
            (session.starts_at, session.ends_at),
            "console:flash_detail",
            session.sale_id,
        )
    for presale in Presale.objects.filter(presale_starts_at__lt=end, balance_ends_at__gt=start).order_by("pk"):
        add(
            "presale",
            _("Presale"),
            presale.name,
            _("Presale"),
            presale.status,
            (presale.presale_starts_at, presale.balance_ends_at),
            "console:presale_detail",
            presale.pk,
        )
    for groupbuy in GroupBuy.objects.filter(starts_at__lt=end, ends_at__gt=start).order_by("pk"):
        add(
            "groupbuy",
            _("Group buy"),
            groupbuy.title,
            _("Group buy"),
            groupbuy.status,
            (groupbuy.starts_at, groupbuy.ends_at),
            "console:groupbuy_detail",
            groupbuy.pk,
        )
    for lottery in Lottery.objects.filter(starts_at__lt=end, ends_at__gt=start).order_by("pk"):
        add(
            "lottery",
            _("Lottery"),
            lottery.title,
            _("Lottery"),
            lottery.status,
            (lottery.starts_at, lottery.ends_at),
            "console:lottery_detail",
            lottery.pk,
        )
    return found


def promotion_calendar(year: int, month: int, *, now: datetime | None = None) -> CalendarMonth:
    """Everything that runs in the month (not drafts), laid out on its days: the promotions, and the
    flash-sale sessions, presales, group buys and lotteries (five queries)."""
    first = date(year, month, 1)
    days = calendar_module.monthrange(year, month)[1]
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = start + timedelta(days=days)
    rows = Promotion.objects.exclude(status=PromotionStatus.DRAFT).filter(starts_at__lt=end, ends_at__gt=start)
    bars = []
    entries: list[CalendarEntry] = []
    for promotion in rows.order_by("starts_at", "pk"):
        first_day, last_day = _days_shown(promotion.starts_at, promotion.ends_at, year, month)
        bar = CalendarBar(
            promotion=promotion,
            label=promotion_label(promotion),
            status=shown_status(promotion, now),
            first_day=first_day,
            last_day=last_day,
        )
        bars.append(bar)
        entries.append(
            CalendarEntry(
                "promotion",
                _("Promotion"),
                promotion.name,
                bar.label,
                bar.status,
                promotion.starts_at,
                promotion.ends_at,
                "console:promotion_edit",
                promotion.pk,
                first_day,
                last_day,
            )
        )
    entries += _mechanic_entries(start, end, year, month)
    entries.sort(key=lambda entry: (entry.starts_at, entry.kind, entry.object_id))
    by_day = {
        day: [entry for entry in entries if entry.first_day <= day <= entry.last_day] for day in range(1, days + 1)
    }
    weeks = calendar_module.Calendar(firstweekday=0).monthdayscalendar(year, month)
    return CalendarMonth(year=year, month=month, weeks=weeks, bars=bars, entries=entries, by_day=by_day)


# --- storefront badges ------------------------------------------------------------------------------


BADGE_KINDS = tuple(kind.value for kind in PromotionKind if kind != PromotionKind.MEMBER_PRICE)


def product_badges(product_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, list[str]]:
    """The labels of the running promotions that reach each product (three queries for any number)."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    promotions = [p for p in running_promotions(now) if p.kind in BADGE_KINDS]
    if not promotions:
        return {pk: [] for pk in ids}
    facts = catalog.product_promo_facts(ids)
    found: dict[int, list[str]] = {pk: [] for pk in ids}
    for promotion in promotions:
        try:
            scope = rule_builder.scope_of(promotion.scope)
        except rule_builder.ParamsError:
            continue
        label = promotion_label(promotion)
        for product_id, sku in facts.items():
            item = CartItem(
                key=sku.sku_code,
                sku_id=sku.sku_id,
                product_id=product_id,
                brand_id=sku.brand_id,
                category_ids=sku.category_ids,
                scene_ids=sku.scene_ids,
            )
            if scope.covers(item) and label not in found[product_id]:
                found[product_id].append(label)
    return found


# --- preview and simulator (the console's and the API's) ----------------------------------------


def _checkout_pricing() -> tuple[ShippingTable, Wording]:
    from shopkeeper.checkout import selectors as checkout  # checkout prices carts through this module

    return checkout.shipping_table(), checkout.wording()


def rules_of(promotion_ids: Iterable[int], *, windows: bool = True) -> list[Any]:
    """The rules of these promotions, whatever their status (a draft can be tried out); without
    `windows` the rules ignore their dates (replaying the past)."""
    found = []
    for promotion in Promotion.objects.filter(pk__in=sorted(set(promotion_ids))).order_by("pk"):
        rule = promotion_rule(promotion)
        found.append(rule if windows else replace(rule, starts_at=None, ends_at=None))
    return found


def preview(
    *, quantities: Mapping[int, int], promotion_ids: Sequence[int] | None = None, tier: str | None = None
) -> CartPrice:
    """A sample cart priced with the running promotions, or with the chosen ones (drafts too, as
    if they ran now), for a shopper of `tier` (member prices; None: a visitor)."""
    shipping, wording = _checkout_pricing()
    rules = rules_of(promotion_ids, windows=False) if promotion_ids is not None else None
    return sample_cart_price(quantities=quantities, shipping=shipping, wording=wording, rules=rules, tier=tier)


@dataclass(frozen=True)
class TierReach:
    label: str
    threshold: Money
    orders: int
    share_percent: str  # of every replayed order, to one decimal


@dataclass(frozen=True)
class Simulation:
    days: int
    since: datetime
    until: datetime
    promotions: list[Promotion]
    orders: int
    gmv_before: Money  # goods at list price
    gmv: Money  # goods after the promotions
    discount_cost: Money
    cost_of_goods: Money
    margin: Money
    margin_percent: str
    tiers: list[TierReach]
    uses: list[Any]
    # Orders placed in the period; when more than one replay reads, `orders` is an even sample
    # (every `sampled_every`-th) and the `period_*` amounts estimate the whole period from it.
    orders_in_period: int = 0
    sampled_every: int = 1
    period_gmv: Money = field(default_factory=Money.zero)
    period_discount_cost: Money = field(default_factory=Money.zero)
    period_margin: Money = field(default_factory=Money.zero)


def _percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "0.0"
    tenths = (part * 1000 * 2 + whole) // (2 * whole)  # half up, in tenths of a percent
    return f"{tenths // 10}.{tenths % 10}"


def campaign_simulate(*, days: int, promotion_ids: Sequence[int], until: datetime | None = None) -> Simulation:
    """Replay the orders placed in the last `days` days (their lines at the price they were sold
    at before any discount) through the chosen promotions, as checkout would price them now."""
    from shopkeeper.orders import selectors as orders
    from shopkeeper.promotions.domain.simulator import SimCart, simulate

    end = until or timezone.now()
    start = end - timedelta(days=days)
    promotions = list(Promotion.objects.filter(pk__in=sorted(set(promotion_ids))).order_by("pk"))
    if len(promotions) != len(set(promotion_ids)):
        known = {p.pk for p in promotions}
        missing = sorted(set(promotion_ids) - known)
        raise NotFound(_("No promotion %(id)s") % {"id": missing[0]}, details={"promotion_ids": missing})
    rules = [replace(promotion_rule(p), starts_at=None, ends_at=None) for p in promotions]
    sample = orders.past_orders(since=start, until=end)
    past = sample.orders
    facts = {}
    ids = sorted({line.sku_id for order in past for line in order.lines})
    for offset in range(0, len(ids), 5000):
        facts.update(catalog.promo_skus(ids[offset : offset + 5000]))
    carts = []
    for order in past:
        merged: dict[int, list[Any]] = {}
        for line in order.lines:
            if line.sku_id in merged:
                merged[line.sku_id][1] += line.quantity
            else:
                merged[line.sku_id] = [line, line.quantity]
        inputs = tuple(
            LineInput(
                key=line.sku_code,
                sku_id=line.sku_id,
                title=line.title,
                unit_price=Money(line.unit_price_fen),
                quantity=quantity,
            )
            for line, quantity in merged.values()
        )
        keys = {line.sku_id: line.key for line in inputs}
        carts.append(SimCart(lines=inputs, items=cart_items(facts, keys), region=order.region or None))
    shipping, _wording = _checkout_pricing()
    projection = simulate(carts, rules, shipping)

    def whole_period(amount: Money) -> Money:  # the sample's amount scaled to every order of the period
        if sample.every == 1:
            return amount
        replayed = max(len(past), 1)
        return Money((amount.fen * sample.in_period * 2 + replayed) // (2 * replayed))

    return Simulation(
        orders_in_period=sample.in_period,
        sampled_every=sample.every,
        period_gmv=whole_period(projection.gmv),
        period_discount_cost=whole_period(projection.discount_cost),
        period_margin=whole_period(projection.margin),
        days=days,
        since=start,
        until=end,
        promotions=promotions,
        orders=projection.orders,
        gmv_before=projection.subtotal,
        gmv=projection.gmv,
        discount_cost=projection.discount_cost,
        cost_of_goods=projection.cost,
        margin=projection.margin,
        margin_percent=_percent(projection.margin.fen, projection.costed_gmv.fen),
        tiers=[
            TierReach(
                label=f"{tier.label} · {tier.threshold}",
                threshold=tier.threshold,
                orders=tier.reached,
                share_percent=_percent(tier.reached, projection.orders),
            )
            for tier in projection.tiers
        ],
        uses=list(projection.uses),
    )


@dataclass(frozen=True)
class BreachRow:
    sku_id: int
    sku_code: str
    title: str
    price_fen: int
    cost_fen: int | None
    worst_price_fen: int
    floor_price_fen: int


@dataclass(frozen=True)
class VerdictReport:
    ok: bool
    skus_checked: int
    breaches: list[BreachRow]
    has_floor: bool  # False: a price floor of ¥0 waives every floor, the guard has nothing to check
    store_default: bool = False  # the promotion names no floor: the store default applies
    floor: str = ""  # the floor in words ("0% over cost")


def promotion_verdict_report(promotion: Promotion) -> VerdictReport:
    """The margin guard's verdict with each breaching SKU's code, title and figures, and the floor
    it checked (the promotion's own, or the store default)."""
    verdict, checked = _promotion_verdict_counted(promotion)
    skus = catalog.promo_skus((b.sku_id for b in verdict.breaches), scenes=False)
    floor = floor_of(promotion)
    return VerdictReport(
        ok=verdict.ok,
        skus_checked=checked,
        has_floor=floor.min_margin_percent is not None or (floor.min_price is not None and floor.min_price.fen > 0),
        store_default=promotion.min_margin_percent is None and promotion.min_price_fen is None,
        floor=floor_text(floor),
        breaches=[
            BreachRow(
                sku_id=b.sku_id,
                sku_code=skus[b.sku_id].sku_code if b.sku_id in skus else str(b.sku_id),
                title=skus[b.sku_id].title if b.sku_id in skus else "",
                price_fen=b.price.fen,
                cost_fen=b.cost.fen if b.cost is not None else None,
                worst_price_fen=b.worst_price.fen,
                floor_price_fen=b.floor_price.fen,
            )
            for b in verdict.breaches
        ],
    )


def product_page_badges(
    *,
    product_id: int,
    brand_id: int | None,
    category_ids: Iterable[int],
    scene_ids: Iterable[int],
    sku_ids: Iterable[int],
    now: datetime | None = None,
    running: Sequence[Promotion] | None = None,
) -> list[str]:
    """The labels of the running promotions that reach any SKU of a product page (one query, none
    when the page passes the `running` promotions it read already)."""
    categories, scenes = frozenset(category_ids), frozenset(scene_ids)
    items = [
        CartItem(
            key=str(sku_id),
            sku_id=sku_id,
            product_id=product_id,
            brand_id=brand_id,
            category_ids=categories,
            scene_ids=scenes,
        )
        for sku_id in sku_ids
    ]
    found: list[str] = []
    for promotion in running_promotions(now) if running is None else running:
        if promotion.kind not in BADGE_KINDS:
            continue
        try:
            scope = rule_builder.scope_of(promotion.scope)
        except rule_builder.ParamsError:
            continue
        label = promotion_label(promotion)
        if label not in found and any(scope.covers(item) for item in items):
            found.append(label)
    return found


# --- member prices on product pages -------------------------------------------------------------


@dataclass(frozen=True)
class MemberPriceOffer:
    """The lowest member price of a tier over a product's SKUs."""

    tier: str
    tier_label: str  # "黄金会员"
    price: Money
    several: bool  # the product's SKUs have different member prices: "from ¥…"
    top: bool = False  # the highest tier ("for platinum members", not "and above")


@dataclass(frozen=True)
class ProductMemberPrices:
    mine: MemberPriceOffer | None  # the shopper's own tier's price
    teaser: MemberPriceOffer | None  # a higher tier's better price (the best one), to aim for

    @property
    def any(self) -> bool:
        return self.mine is not None or self.teaser is not None


def product_member_prices(
    *,
    product_id: int,
    brand_id: int | None,
    category_ids: Iterable[int],
    scene_ids: Iterable[int],
    sku_prices: Mapping[int, int],
    tier: str | None,
    now: datetime | None = None,
    running: Sequence[Promotion] | None = None,
) -> ProductMemberPrices:
    """The member prices of the running member-price promotions on a product page (one query, none
    with `running`, as `product_page_badges`): the
    shopper's tier's lowest price (`mine`; visitors have none) and the best price of a tier above
    theirs when it is lower (`teaser`, e.g. "黄金会员价 ¥159.00" for a regular member). A tier gets
    the prices of the tiers below it (see rules.tier_prices); a price not below the SKU's own is
    no member price."""
    categories, scenes = frozenset(category_ids), frozenset(scene_ids)
    best: dict[str, dict[int, int]] = {}  # tier → SKU → lowest member price
    for promotion in running_promotions(now) if running is None else running:
        if promotion.kind != PromotionKind.MEMBER_PRICE:
            continue
        try:
            rule = promotion_rule(promotion)
        except rule_builder.ParamsError:
            continue
        for sku_id, sale_fen in sku_prices.items():
            item = CartItem(
                key=str(sku_id),
                sku_id=sku_id,
                product_id=product_id,
                brand_id=brand_id,
                category_ids=categories,
                scene_ids=scenes,
            )
            if not rule.scope.covers(item):
                continue
            for member_tier, prices in rule.prices.items():
                price = prices.get(sku_id)
                if price is not None and price.fen < sale_fen:
                    kept = best.setdefault(member_tier, {})
                    kept[sku_id] = min(price.fen, kept.get(sku_id, price.fen))

    def offer(member_tier: str) -> MemberPriceOffer | None:
        prices = best.get(member_tier)
        if not prices:
            return None
        return MemberPriceOffer(
            tier=member_tier,
            tier_label=customers.tier_label(member_tier),
            price=Money(min(prices.values())),
            several=len(set(prices.values())) > 1 or len(prices) < len(sku_prices),
            top=member_tier == customers.TIER_ORDER[-1],
        )

    mine = offer(tier) if tier is not None else None
    rank = customers.tier_rank(tier) if tier is not None else -1
    teaser: MemberPriceOffer | None = None
    for member_tier in customers.TIER_ORDER[rank + 1 :]:
        candidate = offer(member_tier)
        if candidate is not None and (teaser is None or candidate.price < teaser.price):
            teaser = candidate
    if teaser is not None and mine is not None and teaser.price >= mine.price:
        teaser = None
    return ProductMemberPrices(mine=mine, teaser=teaser)


def scope_missing_problems(scope: Scope) -> dict[str, str]:
    """Problems for the catalog ids a scope (as `rules.scope_of` parsed it) names that do not
    exist — a category deleted since, a typo in an API call: field "scope.<key>" → the missing ids."""
    wanted = {key: getattr(scope, key) for key in rule_builder.SCOPE_KEYS}
    return {
        f"scope.{key}": _("Not in the catalog: %(ids)s") % {"ids": ", ".join(map(str, ids))}
        for key, ids in catalog.catalog_ids_missing(wanted).items()
    }
