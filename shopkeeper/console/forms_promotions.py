"""Campaign desk forms: one promotion form (common fields, a fieldset per kind, the scope), the
sample cart and the simulator. They parse what was typed (yuan, SKU codes) into the shapes the
promotions services take; the services hold the rules and refuse bad input field by field."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.console.forms_orders import parse_yuan
from shopkeeper.customers.enums import TIER_ORDER, MemberTier
from shopkeeper.promotions import selectors as promotion_selectors
from shopkeeper.promotions import services as promotion_services
from shopkeeper.promotions.enums import GiftRefundRule, PromotionKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YUAN = forms.TextInput(attrs={"inputmode": "decimal", "class": "short"})
SEPARATORS = re.compile(r"[\s,，、;；]+")

# One member-price box per membership tier (the tiers come from the customers app, never typed).
MEMBER_PRICE_FIELDS = {tier: f"member_prices_{tier}" for tier in TIER_ORDER}

# Which form fields belong to which kind (the page shows only the chosen kind's fieldset).
KIND_FIELDS = {
    PromotionKind.SPEND_TIER: ("tiers", "repeat_every", "repeat_off", "repeat_cap"),
    PromotionKind.PERCENT_OFF: ("percent_off",),
    PromotionKind.FIXED_OFF: ("off_per_unit",),
    PromotionKind.NTH_ITEM: ("nth", "nth_percent_off"),
    PromotionKind.BUY_X_GET_Y: ("buy", "get"),
    PromotionKind.BUNDLE: ("bundle_skus", "bundle_price"),
    PromotionKind.MEMBER_PRICE: tuple(MEMBER_PRICE_FIELDS.values()),
    PromotionKind.GIFT: ("gift_sku", "gift_quantity", "gift_threshold", "gift_triggers", "gift_refund_rule"),
    PromotionKind.FREE_SHIPPING: ("free_over", "free_min_items"),
}


def _codes(value: str) -> list[str]:
    return [code for code in SEPARATORS.split(value.strip()) if code]


def sku_ids_for(codes: list[str]) -> tuple[list[int], list[str]]:
    """SKU codes → ids (one query), and the codes that name no SKU."""
    if not codes:
        return [], []
    found = {ref.code: ref.id for ref in catalog.sku_refs(codes=codes)}
    return [found[c] for c in codes if c in found], [c for c in codes if c not in found]


def _ids(value: str) -> list[int]:
    return [int(part) for part in _codes(value) if part.isdigit()]


def _fen(value: str) -> int | None:
    value = (value or "").strip()
    return parse_yuan(value).fen if value else None


def default_floor_help() -> str:
    """What a blank floor means, with the store default of the day."""
    return gettext("Blank: the store default, %(floor)s.") % {
        "floor": promotion_selectors.floor_text(promotion_selectors.store_default_floor())
    }


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("For the team, e.g. “Double 12 spend tiers”."))
    label = forms.CharField(
        label=_("Label shoppers see"),
        max_length=40,
        required=False,
        help_text=_("e.g. “满200减30” or “第2件半价”; blank: made from the rule."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PromotionKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    stacks = forms.BooleanField(
        label=_("Stacks with others of its group"),
        required=False,
        help_text=_("Off: the engine picks the best one of the group for the customer."),
    )
    min_margin_percent = forms.IntegerField(
        label=_("Margin floor (% over cost)"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("20 means a unit never sells below cost × 1.2."),
    )
    min_price = forms.CharField(
        label=_("Price floor (yuan)"),
        required=False,
        widget=YUAN,
        help_text=_("No unit sells below this price under the promotion. 0 with no margin floor: no floor at all."),
    )
    publish = forms.BooleanField(
        label=_("Run it in its window"),
        required=False,
        help_text=_("Off: save as a draft. On: the margin guard checks it, then it runs from its start."),
    )
    # scope
    scope_skus = forms.CharField(
        label=_("SKUs (codes)"), required=False, help_text=_("SKU codes separated by commas or spaces.")
    )
    scope_products = forms.CharField(label=_("Products (ids)"), required=False)
    scope_categories = forms.MultipleChoiceField(
        label=_("Categories"), required=False, help_text=_("A category covers its subcategories.")
    )
    scope_brands = forms.MultipleChoiceField(label=_("Brands"), required=False)
    scope_scenes = forms.MultipleChoiceField(label=_("Scenes"), required=False)
    scope_excluded = forms.CharField(label=_("Except products (ids)"), required=False)
    # spend tiers
    tiers = forms.CharField(
        label=_("Tiers"),
        required=False,
        help_text=_("Spend=off in yuan, one tier per comma, rising: “200=30, 500=100” is 满200减30, 满500减100."),
    )
    repeat_every = forms.CharField(
        label=_("Repeating: every (yuan)"), required=False, widget=YUAN, help_text=_("e.g. 100 for “每满100减20”.")
    )
    repeat_off = forms.CharField(label=_("Repeating: off (yuan)"), required=False, widget=YUAN)
    repeat_cap = forms.CharField(
        label=_("Repeating: at most (yuan)"), required=False, widget=YUAN, help_text=_("Blank: no cap.")
    )
    # item level
    percent_off = forms.IntegerField(
        label=_("Percent off"), required=False, help_text=_("20 is 20 percent off (八折); at most 100.")
    )
    off_per_unit = forms.CharField(label=_("Off each unit (yuan)"), required=False, widget=YUAN)
    nth = forms.IntegerField(label=_("Which item (N)"), required=False, help_text=_("2: the second item."))
    nth_percent_off = forms.IntegerField(
        label=_("Its percent off"), required=False, help_text=_("50: half price (第2件半价).")
    )
    buy = forms.IntegerField(label=_("Buy"), required=False)
    get = forms.IntegerField(label=_("Get free"), required=False, help_text=_("The cheapest units are the free ones."))
    bundle_skus = forms.CharField(label=_("Bundle SKUs (codes)"), required=False)
    bundle_price = forms.CharField(label=_("Bundle price (yuan)"), required=False, widget=YUAN)
    gift_sku = forms.CharField(label=_("Gift SKU (code)"), required=False, help_text=_("It must have stock."))
    gift_quantity = forms.IntegerField(label=_("Gift units"), required=False, min_value=1, initial=1)
    gift_threshold = forms.CharField(
        label=_("Gift over (yuan)"), required=False, widget=YUAN, help_text=_("Spend at least this much.")
    )
    gift_triggers = forms.CharField(
        label=_("Or buying products (ids)"), required=False, help_text=_("Any of these products brings the gift.")
    )
    gift_refund_rule = forms.ChoiceField(
        label=_("On refund"), choices=GiftRefundRule.choices, required=False, initial=GiftRefundRule.RECOVER
    )
    free_over = forms.CharField(label=_("Free shipping over (yuan)"), required=False, widget=YUAN)
    free_min_items = forms.IntegerField(
        label=_("Free shipping from N items"), required=False, help_text=_("3: free shipping on 3 items or more.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for tier, name in MEMBER_PRICE_FIELDS.items():
            self.fields[name] = forms.CharField(
                label=gettext("%(tier)s price") % {"tier": MemberTier(tier).label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=gettext(
                    "One SKU per line: code and price in yuan, e.g. “DRESS-M 159.00”. Higher tiers get this "
                    "price too unless they have a lower one."
                ),
            )
        for name in ("min_margin_percent", "min_price"):  # what blank means, with today's store default
            self.fields[name].help_text = f"{self.fields[name].help_text} {default_floor_help()}"
        cast(forms.ChoiceField, self.fields["scope_categories"]).choices = [
            (str(c.pk), f"{'— ' * c.depth}{c.name}") for c in catalog.category_tree()
        ]
        cast(forms.ChoiceField, self.fields["scope_brands"]).choices = [
            (str(b.pk), b.name) for b in catalog.brand_list()
        ]
        cast(forms.ChoiceField, self.fields["scope_scenes"]).choices = [
            (str(s.pk), s.name) for s in catalog.scene_list(active_only=False)
        ]

    def kind_fieldsets(self) -> list[tuple[str, str, list[Any]]]:
        return [(kind.value, str(kind.label), [self[name] for name in names]) for kind, names in KIND_FIELDS.items()]

    # --- into the service's shape -------------------------------------------------------------

    def _money(self, name: str) -> int | None:
        try:
            return _fen(self.cleaned_data.get(name) or "")
        except forms.ValidationError as wrong:
            self.add_error(name, wrong)
            return None

    def _skus(self, name: str) -> list[int]:
        ids, missing = sku_ids_for(_codes(self.cleaned_data.get(name) or ""))
        if missing:
            self.add_error(name, gettext("No SKU with the code %(codes)s.") % {"codes": ", ".join(missing)})
        return ids

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == PromotionKind.SPEND_TIER:
            tiers = []
            for part in [p for p in re.split(r"[,，;；\s]+", data.get("tiers") or "") if p]:
                spend, sep, off = part.partition("=")
                try:
                    tiers.append({"threshold_fen": parse_yuan(spend).fen, "off_fen": parse_yuan(off).fen})
                except forms.ValidationError:
                    self.add_error("tiers", gettext("Write each tier as spend=off, e.g. 200=30."))
                    break
                if not sep:
                    self.add_error("tiers", gettext("Write each tier as spend=off, e.g. 200=30."))
                    break
            return {
                "tiers": tiers,
                "repeat_every_fen": self._money("repeat_every"),
                "repeat_off_fen": self._money("repeat_off"),
                "repeat_cap_fen": self._money("repeat_cap"),
            }
        if kind == PromotionKind.PERCENT_OFF:
            return {"percent_off": data.get("percent_off")}
        if kind == PromotionKind.FIXED_OFF:
            return {"off_per_unit_fen": self._money("off_per_unit")}
        if kind == PromotionKind.NTH_ITEM:
            return {"n": data.get("nth"), "percent_off": data.get("nth_percent_off")}
        if kind == PromotionKind.BUY_X_GET_Y:
            return {"buy": data.get("buy"), "get": data.get("get")}
        if kind == PromotionKind.BUNDLE:
            return {"sku_ids": self._skus("bundle_skus"), "price_fen": self._money("bundle_price")}
        if kind == PromotionKind.MEMBER_PRICE:
            prices: dict[str, dict[str, int]] = {}
            for tier, name in MEMBER_PRICE_FIELDS.items():
                rows = [row.replace("=", " ").split() for row in (data.get(name) or "").splitlines()]
                rows = [parts for parts in rows if parts]
                if any(len(parts) != 2 for parts in rows):
                    self.add_error(name, gettext("Write each line as: SKU-code price."))
                    continue
                ids, missing = sku_ids_for([code for code, _price in rows])
                if missing:
                    self.add_error(name, gettext("No SKU with the code %(codes)s.") % {"codes": ", ".join(missing)})
                    continue
                for sku_id, (_code, price) in zip(ids, rows, strict=True):
                    try:
                        prices.setdefault(tier, {})[str(sku_id)] = parse_yuan(price).fen
                    except forms.ValidationError as wrong:
                        self.add_error(name, wrong)
                        break
            return {"prices": prices}
        if kind == PromotionKind.GIFT:
            gift = self._skus("gift_sku")
            return {
                "gift_sku_id": gift[0] if gift else None,
                "gift_quantity": data.get("gift_quantity") or 1,
                "threshold_fen": self._money("gift_threshold"),
                "trigger_product_ids": _ids(data.get("gift_triggers") or ""),
                "refund_rule": data.get("gift_refund_rule") or GiftRefundRule.RECOVER,
            }
        if kind == PromotionKind.FREE_SHIPPING:
            return {"over_fen": self._money("free_over"), "min_items": data.get("free_min_items")}
        return {}

    def scope(self) -> dict[str, list[int]]:
        data = self.cleaned_data
        scope = {
            "sku_ids": self._skus("scope_skus"),
            "product_ids": _ids(data.get("scope_products") or ""),
            "category_ids": [int(v) for v in data.get("scope_categories") or []],
            "brand_ids": [int(v) for v in data.get("scope_brands") or []],
            "scene_ids": [int(v) for v in data.get("scope_scenes") or []],
            "excluded_product_ids": _ids(data.get("scope_excluded") or ""),
        }
        return {key: value for key, value in scope.items() if value}

    def to_input(self) -> promotion_services.PromotionInput | None:
        """The service's input, or None when a field could not be read (errors are on the form)."""
        data = self.cleaned_data
        params = self.params()
        scope = self.scope()
        min_price = self._money("min_price")
        if self.errors:
            return None
        return promotion_services.PromotionInput(
            name=data["name"],
            label=data.get("label") or "",
            kind=data["kind"],
            params=params,
            scope=scope,
            stacks=bool(data.get("stacks")),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            min_margin_percent=data.get("min_margin_percent"),
            min_price_fen=min_price,
            publish=bool(data.get("publish")),
        )

    def show_refusal(self, details: dict[str, Any]) -> None:
        """Put a service's field problems next to the fields they concern."""
        where = {
            "name": "name",
            "label": "label",
            "kind": "kind",
            "ends_at": "ends_at",
            "starts_at": "starts_at",
            "min_margin_percent": "min_margin_percent",
            "min_price_fen": "min_price",
        }
        by_param = {
            "tiers": "tiers",
            "repeat_every_fen": "repeat_every",
            "repeat_off_fen": "repeat_off",
            "repeat_cap_fen": "repeat_cap",
            "percent_off": "percent_off"
            if self.cleaned_data.get("kind") == PromotionKind.PERCENT_OFF
            else "nth_percent_off",
            "off_per_unit_fen": "off_per_unit",
            "n": "nth",
            "buy": "buy",
            "get": "get",
            "sku_ids": "bundle_skus",
            "price_fen": "bundle_price",
            "prices": MEMBER_PRICE_FIELDS[TIER_ORDER[0]],
            "gift_sku_id": "gift_sku",
            "gift_quantity": "gift_quantity",
            "threshold_fen": "gift_threshold",
            "trigger_product_ids": "gift_triggers",
            "refund_rule": "gift_refund_rule",
            "over_fen": "free_over",
            "min_items": "free_min_items",
        }
        for key, message in details.items():
            if not isinstance(message, str):
                continue
            field = where.get(key)
            if field is None and key.startswith("params.prices."):
                field = MEMBER_PRICE_FIELDS.get(key.split(".")[2])
            if field is None and key.startswith("params."):
                head = key.removeprefix("params.").split(".")[0]
                field = by_param.get(head) if not key.startswith("params.prices.") else None
            if field is None and key.startswith("scope"):
                field = "scope_skus"
            self.add_error(field, message)

    @classmethod
    def initial_for(cls, promotion: Any) -> dict[str, Any]:
        """The form's values for a saved promotion."""
        params, scope = promotion.params or {}, promotion.scope or {}

        def yuan(fen: Any) -> str:
            return f"{fen / 100:.2f}".rstrip("0").rstrip(".") if isinstance(fen, int) else ""

        codes = {ref.id: ref.code for ref in catalog.sku_refs(ids=_all_sku_ids(params, scope))}
        initial: dict[str, Any] = {
            "name": promotion.name,
            "label": promotion.label,
            "kind": promotion.kind,
            "starts_at": timezone.localtime(promotion.starts_at),
            "ends_at": timezone.localtime(promotion.ends_at),
            "stacks": promotion.stacks,
            "min_margin_percent": promotion.min_margin_percent,
            "min_price": yuan(promotion.min_price_fen),
            "publish": promotion.status != "draft",
            "scope_skus": " ".join(codes.get(pk, str(pk)) for pk in scope.get("sku_ids", [])),
            "scope_products": " ".join(map(str, scope.get("product_ids", []))),
            "scope_categories": [str(pk) for pk in scope.get("category_ids", [])],
            "scope_brands": [str(pk) for pk in scope.get("brand_ids", [])],
            "scope_scenes": [str(pk) for pk in scope.get("scene_ids", [])],
            "scope_excluded": " ".join(map(str, scope.get("excluded_product_ids", []))),
        }
        kind = promotion.kind
        if kind == PromotionKind.SPEND_TIER:
            initial["tiers"] = ", ".join(
                f"{yuan(t.get('threshold_fen'))}={yuan(t.get('off_fen'))}" for t in params.get("tiers", [])
            )
            initial.update(
                repeat_every=yuan(params.get("repeat_every_fen")),
                repeat_off=yuan(params.get("repeat_off_fen")),
                repeat_cap=yuan(params.get("repeat_cap_fen")),
            )
        elif kind == PromotionKind.PERCENT_OFF:
            initial["percent_off"] = params.get("percent_off")
        elif kind == PromotionKind.FIXED_OFF:
            initial["off_per_unit"] = yuan(params.get("off_per_unit_fen"))
        elif kind == PromotionKind.NTH_ITEM:
            initial.update(nth=params.get("n"), nth_percent_off=params.get("percent_off"))
        elif kind == PromotionKind.BUY_X_GET_Y:
            initial.update(buy=params.get("buy"), get=params.get("get"))
        elif kind == PromotionKind.BUNDLE:
            initial["bundle_skus"] = " ".join(codes.get(pk, str(pk)) for pk in params.get("sku_ids", []))
            initial["bundle_price"] = yuan(params.get("price_fen"))
        elif kind == PromotionKind.MEMBER_PRICE:
            for tier, per_sku in (params.get("prices") or {}).items():
                if tier in MEMBER_PRICE_FIELDS:
                    initial[MEMBER_PRICE_FIELDS[tier]] = "\n".join(
                        f"{codes.get(int(sku), sku)} {yuan(fen)}" for sku, fen in per_sku.items()
                    )
        elif kind == PromotionKind.GIFT:
            initial.update(
                gift_sku=codes.get(int(params.get("gift_sku_id") or 0), ""),
                gift_quantity=params.get("gift_quantity") or 1,
                gift_threshold=yuan(params.get("threshold_fen")),
                gift_triggers=" ".join(map(str, params.get("trigger_product_ids", []))),
                gift_refund_rule=params.get("refund_rule") or GiftRefundRule.RECOVER,
            )
        elif kind == PromotionKind.FREE_SHIPPING:
            initial.update(free_over=yuan(params.get("over_fen")), free_min_items=params.get("min_items"))
        return initial


def _all_sku_ids(params: dict[str, Any], scope: dict[str, Any]) -> list[int]:
    ids = list(scope.get("sku_ids", [])) + list(params.get("sku_ids", []))
    if isinstance(params.get("gift_sku_id"), int):
        ids.append(params["gift_sku_id"])
    for per_sku in (params.get("prices") or {}).values():
        ids += [int(sku) for sku in per_sku if str(sku).isdigit()]
    return ids


class SampleCartForm(forms.Form):
    lines = forms.CharField(
        label=_("Sample cart"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One SKU per line: code and units, e.g. “DRESS-M 2”."),
    )
    tier = forms.ChoiceField(
        label=_("Shopper"),
        required=False,
        help_text=_("Member prices apply to signed-in members of their tier."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tier"]).choices = [
            ("", gettext("A visitor (not signed in)")),
            *MemberTier.choices,
        ]

    def quantities(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in (self.cleaned_data.get("lines") or "").splitlines():
            parts = row.replace("×", " ").replace("x", " ").split()
            if not parts:
                continue
            units = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1
            found[parts[0]] = min(found.get(parts[0], 0) + max(units, 1), 99)
        return found


class SimulatorForm(forms.Form):
    days = forms.IntegerField(
        label=_("Replay the last N days"),
        min_value=1,
        max_value=366,
        initial=30,
        help_text=_("Every order placed in those days is priced again with the promotions chosen below."),
    )
    promotions = forms.MultipleChoiceField(
        label=_("Promotions"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Drafts too: try a campaign before it runs."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["promotions"]).choices = choices
