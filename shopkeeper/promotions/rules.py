"""Turning a promotion row (kind, params, scope, floor) into the domain rule the engine evaluates.

`params` keeps money in fen, one shape per kind:

- spend_tier: {"tiers": [{"threshold_fen": 20000, "off_fen": 3000}, …], "repeat_every_fen": null,
  "repeat_off_fen": null, "repeat_cap_fen": null} (a ladder, or "¥20 off every ¥100" with no tiers)
- percent_off: {"percent_off": 20}; fixed_off: {"off_per_unit_fen": 1000}
- nth_item: {"n": 2, "percent_off": 50}; buy_x_get_y: {"buy": 1, "get": 1}
- bundle: {"sku_ids": [1, 2], "price_fen": 19900}
- member_price: {"prices": {"gold": {"12": 9900}}} (tier → SKU id → price; tiers are the
  customers app's `MemberTier` values, and a tier gets the price of a lower tier it names none for)
- gift: {"threshold_fen": 20000 or null, "trigger_product_ids": [], "gift_sku_id": 5,
  "gift_quantity": 1, "gift_title": "…", "refund_rule": "recover"}
- free_shipping: {"over_fen": null, "min_items": 3}

`scope`: {"sku_ids": [], "product_ids": [], "category_ids": [], "brand_ids": [], "scene_ids": [],
"excluded_product_ids": []} (nothing named: the whole store).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from shopkeeper.core.domain.money import Money
from shopkeeper.customers.enums import TIER_ORDER
from shopkeeper.promotions.domain.base import Gift, Scope
from shopkeeper.promotions.domain.rules import (
    Bundle,
    BuyXGetY,
    FixedOff,
    Floor,
    FreeShipping,
    GiftWithPurchase,
    MemberPrice,
    NthItem,
    PercentOff,
    SpendTier,
    Tier,
)
from shopkeeper.promotions.enums import GiftRefundRule, PromotionKind

SCOPE_KEYS = ("sku_ids", "product_ids", "category_ids", "brand_ids", "scene_ids", "excluded_product_ids")
MAX_TIERS = 10


class ParamsError(ValueError):
    """Params that do not have the shape of their kind: `problems` maps field → message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


def _int(params: Mapping[str, Any], key: str, problems: dict[str, str], *, required: bool = True) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        if required:
            problems[key] = _("Required.")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems[key] = _("Must be a whole number.")
        return None
    if value < 0:
        problems[key] = _("Cannot be negative.")
        return None
    return int(value)


def _ids(value: Any, key: str, problems: dict[str, str]) -> frozenset[int]:
    if value in (None, ""):
        return frozenset()
    if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in value):
        problems[key] = _("Must be a list of ids.")
        return frozenset()
    return frozenset(value)


def _money(fen: int | None) -> Money | None:
    return Money(fen) if fen is not None else None


def scope_of(scope: Mapping[str, Any]) -> Scope:
    problems: dict[str, str] = {}
    if not isinstance(scope, Mapping):
        raise ParamsError({"scope": _("Must be an object.")})
    unknown = set(scope) - set(SCOPE_KEYS)
    if unknown:
        problems["scope"] = _("Unknown keys: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
    values = {key: _ids(scope.get(key), f"scope.{key}", problems) for key in SCOPE_KEYS}
    if problems:
        raise ParamsError(problems)
    return Scope(**values)


def _fen_text(fen: int) -> str:
    """ "200" for ¥200.00, "19.9" for ¥19.90: how badges write amounts."""
    yuan, cents = divmod(fen, 100)
    if not cents:
        return str(yuan)
    return f"{yuan}.{cents:02d}".rstrip("0")


def default_label(kind: str, params: Mapping[str, Any]) -> str:
    """The shopper-facing words of a rule when the operator gave none ("满200减30", "第2件半价")."""
    try:
        if kind == PromotionKind.SPEND_TIER:
            tiers = params.get("tiers") or []
            if tiers:
                return " ".join(
                    _("¥%(off)s off over ¥%(threshold)s")
                    % {"threshold": _fen_text(t["threshold_fen"]), "off": _fen_text(t["off_fen"])}
                    for t in tiers[:3]
                )
            return _("¥%(off)s off every ¥%(every)s") % {
                "every": _fen_text(params["repeat_every_fen"]),
                "off": _fen_text(params["repeat_off_fen"]),
            }
        if kind == PromotionKind.PERCENT_OFF:
            return _("%(percent)s%% off") % {"percent": params["percent_off"]}
        if kind == PromotionKind.FIXED_OFF:
            return _("¥%(off)s off each") % {"off": _fen_text(params["off_per_unit_fen"])}
        if kind == PromotionKind.NTH_ITEM:
            if params["percent_off"] == 50:
                return _("Item %(n)s half price") % {"n": params["n"]}
            return _("Item %(n)s %(percent)s%% off") % {"n": params["n"], "percent": params["percent_off"]}
        if kind == PromotionKind.BUY_X_GET_Y:
            return _("Buy %(buy)s get %(get)s free") % {"buy": params["buy"], "get": params["get"]}
        if kind == PromotionKind.BUNDLE:
            return _("Bundle for ¥%(price)s") % {"price": _fen_text(params["price_fen"])}
        if kind == PromotionKind.MEMBER_PRICE:
            return _("Member price")
        if kind == PromotionKind.GIFT:
            return _("Gift: %(title)s") % {"title": params.get("gift_title") or ""}
        if kind == PromotionKind.FREE_SHIPPING:
            if params.get("min_items"):
                return _("Free shipping on %(count)s items") % {"count": params["min_items"]}
            return _("Free shipping over ¥%(over)s") % {"over": _fen_text(params["over_fen"])}
    except (KeyError, TypeError, ValueError):
        pass
    return str(PromotionKind(kind).label) if kind in PromotionKind.values else kind


def tier_prices(prices: Mapping[str, Mapping[int, Money]]) -> dict[str, dict[int, Money]]:
    """Member prices as each tier gets them: a tier enjoys what the tiers below it enjoy, so a
    platinum member pays the gold price of a SKU the promotion names no platinum price for (or the
    lower of the two when it names both). Tiers are keys of `TIER_ORDER`, lowest first."""
    found: dict[str, dict[int, Money]] = {}
    inherited: dict[int, Money] = {}
    for tier in TIER_ORDER:
        own = prices.get(tier, {})
        merged = dict(inherited)
        for sku_id, price in own.items():
            merged[sku_id] = min(price, merged[sku_id]) if sku_id in merged else price
        if merged:
            found[tier] = merged
        inherited = merged
    return found


def build_rule(
    *,
    rule_id: str,
    label: str,
    kind: str,
    params: Mapping[str, Any],
    scope: Scope,
    stacks: bool,
    floor: Floor,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Any:
    """The domain rule for these fields; raises ParamsError (field → message) on a wrong shape."""
    if not isinstance(params, Mapping):
        raise ParamsError({"params": _("Must be an object.")})
    problems: dict[str, str] = {}
    common: dict[str, Any] = {
        "rule_id": rule_id,
        "label": label,
        "scope": scope,
        "stacks": stacks,
        "floor": floor,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    rule: Any = None
    if kind == PromotionKind.SPEND_TIER:
        raw = params.get("tiers") or []
        tiers: list[Tier] = []
        if not isinstance(raw, list) or len(raw) > MAX_TIERS:
            problems["tiers"] = _("A list of at most %(max)d tiers.") % {"max": MAX_TIERS}
            raw = []
        for index, item in enumerate(raw):
            if not isinstance(item, Mapping):
                problems[f"tiers.{index}"] = _("Each tier has a threshold and an amount off.")
                continue
            threshold = _int(item, "threshold_fen", problems)
            off = _int(item, "off_fen", problems)
            if threshold is not None and off is not None:
                tiers.append(Tier(threshold=Money(threshold), off=Money(off)))
        every = _int(params, "repeat_every_fen", problems, required=False)
        repeat_off = _int(params, "repeat_off_fen", problems, required=False)
        cap = _int(params, "repeat_cap_fen", problems, required=False)
        if not raw and every is None:
            problems["tiers"] = _("Give at least one tier, or the repeating form (off every amount).")
        if (every is None) != (repeat_off is None):
            problems["repeat_off_fen"] = _("The repeating form needs both the step and the amount off.")
        rule = SpendTier(
            **common,
            tiers=tuple(tiers),
            repeat_every=_money(every),
            repeat_off=_money(repeat_off),
            repeat_cap=_money(cap),
        )
    elif kind == PromotionKind.PERCENT_OFF:
        percent = _int(params, "percent_off", problems)
        rule = PercentOff(**common, percent_off=percent or 0)
    elif kind == PromotionKind.FIXED_OFF:
        off = _int(params, "off_per_unit_fen", problems)
        rule = FixedOff(**common, off_per_unit=Money(off or 0))
    elif kind == PromotionKind.NTH_ITEM:
        n = _int(params, "n", problems)
        percent = _int(params, "percent_off", problems)
        rule = NthItem(**common, n=n or 0, percent_off=percent or 0)
    elif kind == PromotionKind.BUY_X_GET_Y:
        buy = _int(params, "buy", problems)
        get = _int(params, "get", problems)
        rule = BuyXGetY(**common, buy=buy or 0, get=get or 0)
    elif kind == PromotionKind.BUNDLE:
        skus = _ids(params.get("sku_ids"), "sku_ids", problems)
        price = _int(params, "price_fen", problems)
        rule = Bundle(**common, sku_ids=tuple(sorted(skus)), price=Money(price or 0))
    elif kind == PromotionKind.MEMBER_PRICE:
        raw_prices = params.get("prices")
        prices: dict[str, dict[int, Money]] = {}
        if not isinstance(raw_prices, Mapping) or not raw_prices:
            problems["prices"] = _("Give prices per member tier and SKU.")
        else:
            for tier, per_sku in raw_prices.items():
                if str(tier) not in TIER_ORDER:
                    problems[f"prices.{tier}"] = _("“%(tier)s” is no membership tier: use %(tiers)s.") % {
                        "tier": tier,
                        "tiers": ", ".join(TIER_ORDER),
                    }
                    continue
                if not isinstance(per_sku, Mapping):
                    problems[f"prices.{tier}"] = _("Give a price per SKU.")
                    continue
                for sku, fen in per_sku.items():
                    if not str(sku).isdigit() or isinstance(fen, bool) or not isinstance(fen, int) or fen < 0:
                        problems[f"prices.{tier}.{sku}"] = _("A SKU id and a price in fen.")
                        continue
                    prices.setdefault(str(tier), {})[int(sku)] = Money(fen)
        rule = MemberPrice(**common, prices=tier_prices(prices))
    elif kind == PromotionKind.GIFT:
        threshold = _int(params, "threshold_fen", problems, required=False)
        triggers = _ids(params.get("trigger_product_ids"), "trigger_product_ids", problems)
        gift_sku = _int(params, "gift_sku_id", problems)
        quantity = _int(params, "gift_quantity", problems, required=False)
        refund_rule = params.get("refund_rule") or GiftRefundRule.RECOVER
        if refund_rule not in GiftRefundRule.values:
            problems["refund_rule"] = _("One of: %(values)s") % {"values": ", ".join(GiftRefundRule.values)}
        if threshold is None and not triggers:
            problems["threshold_fen"] = _("Give a spend threshold or the products that trigger the gift.")
        if quantity is not None and quantity < 1:
            problems["gift_quantity"] = _("At least one.")
        gift = Gift(
            sku_id=gift_sku or 0,
            quantity=quantity or 1,
            label=str(params.get("gift_title") or label),
            refund_rule=str(refund_rule),
        )
        rule = GiftWithPurchase(**common, threshold=_money(threshold), trigger_product_ids=triggers, gift=gift)
    elif kind == PromotionKind.FREE_SHIPPING:
        over = _int(params, "over_fen", problems, required=False)
        items = _int(params, "min_items", problems, required=False)
        if over is None and items is None:
            problems["over_fen"] = _("Give an amount, a number of items, or both.")
        if items is not None and items < 1:
            problems["min_items"] = _("At least one item.")
        rule = FreeShipping(**common, over=_money(over), min_items=items)
    else:
        raise ParamsError({"kind": _("Unknown kind of promotion.")})
    if problems:
        raise ParamsError(problems)
    return rule
