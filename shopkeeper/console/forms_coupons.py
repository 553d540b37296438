"""Coupon forms of the console: a template (kind, amounts in yuan, scope, windows, limits,
channels, stacking, claim code, margin floor) and customer-service issuance. They parse what was
typed into a `TemplateDraft`; the coupons services hold the rules and refuse bad input."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shopkeeper.console.forms_orders import parse_yuan
from shopkeeper.console.forms_promotions import default_floor_help
from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.coupons import services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, TemplateStatus, ValidityKind

DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The service's field names → this form's fields (money fields are typed in yuan here).
SERVICE_FIELDS = {
    "amount": "amount",
    "cap": "cap",
    "threshold": "threshold",
    "min_price": "min_price",
    "scope.sku_ids": "sku_ids",
    "scope.product_ids": "product_ids",
    "scope.category_ids": "category_ids",
    "scope.brand_ids": "brand_ids",
    "scope.scene_ids": "scene_ids",
    "scope.excluded_product_ids": "excluded_product_ids",
}


def _datetime(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
    )


def _yuan(label: Any, *, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=14,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "money-input"}),
    )


def _ids_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        help_text=_("Ids separated by commas or spaces."),
        widget=forms.TextInput(attrs={"placeholder": "12, 34"}),
    )


def parse_ids(raw: str) -> list[int]:
    parts = [part for part in re.split(r"[\s,，、]+", raw.strip()) if part]
    if any(not part.isdigit() or int(part) <= 0 for part in parts):
        raise forms.ValidationError(gettext("Give ids as whole numbers, separated by commas."), code="invalid")
    return sorted({int(part) for part in parts})


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name shoppers see"), max_length=40, help_text=_("e.g. 满199减20, 9折券, 包邮券"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=CouponKind.choices)
    amount = _yuan(_("Amount off (yuan)"))
    percent_off = forms.IntegerField(
        label=_("Percent off"), required=False, help_text=_("10 means 10 percent off (9折); 1 to 100.")
    )
    cap = _yuan(_("Cap (yuan)"), help_text=_("The most a percent coupon takes off; empty: no cap."))
    threshold = _yuan(_("Threshold (yuan)"), help_text=_("The goods total the coupon needs; empty or 0: none."))
    sku_ids = _ids_field(_("SKUs"))
    product_ids = _ids_field(_("Products"))
    category_ids = forms.TypedMultipleChoiceField(label=_("Categories"), required=False, coerce=int)
    brand_ids = forms.TypedMultipleChoiceField(label=_("Brands"), required=False, coerce=int)
    scene_ids = forms.TypedMultipleChoiceField(label=_("Scenes"), required=False, coerce=int)
    excluded_product_ids = _ids_field(_("Excluded products"))
    claim_starts_at = _datetime(_("Claimable from"))
    claim_ends_at = _datetime(
        _("Claimable until"), required=False, help_text=_("Empty: until the coupons stop being valid.")
    )
    validity_kind = forms.ChoiceField(label=_("Validity"), choices=ValidityKind.choices, widget=forms.RadioSelect)
    valid_from = _datetime(_("Valid from"), required=False)
    valid_until = _datetime(_("Valid until"), required=False)
    valid_days = forms.IntegerField(label=_("Valid for (days after claiming)"), required=False)
    per_customer_limit = forms.IntegerField(label=pgettext_lazy("coupon", "Limit per customer"), initial=1)
    total_limit = forms.IntegerField(label=_("Total limit"), required=False, help_text=_("Empty: no limit."))
    channels = forms.MultipleChoiceField(
        label=_("Claim channels"),
        choices=ClaimChannel.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ClaimChannel.CLAIM_CENTRE.value],
    )
    stacks_with_promotions = forms.BooleanField(
        label=_("Stacks with promotions"),
        required=False,
        initial=True,
        help_text=_("Usable on top of 满减 and discounts."),
    )
    max_per_order = forms.IntegerField(
        label=_("Coupons per order"),
        initial=1,
        help_text=_("How many money-off (or free-shipping) coupons may go on one order together."),
    )
    code = forms.CharField(
        label=_("Public claim code"), max_length=32, required=False, help_text=_("Optional, e.g. SPRING20.")
    )
    first_order_only = forms.BooleanField(label=_("First order only"), required=False)
    min_margin_percent = forms.IntegerField(label=_("Minimum margin (%)"), required=False)
    min_price = _yuan(_("Minimum price (yuan)"))

    def __init__(
        self,
        *args: Any,
        categories: Sequence[tuple[int, str]] = (),
        brands: Sequence[tuple[int, str]] = (),
        scenes: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        floor_help = default_floor_help()  # what a blank floor means, with today's store default
        self.fields["min_margin_percent"].help_text = floor_help
        self.fields["min_price"].help_text = f"{gettext('0 with no margin: no floor at all.')} {floor_help}"
        for name, choices in (("category_ids", categories), ("brand_ids", brands), ("scene_ids", scenes)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = list(choices)

    def _clean_money(self, name: str) -> Money | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        return parse_yuan(raw) if raw else None

    def clean_amount(self) -> Money | None:
        return self._clean_money("amount")

    def clean_cap(self) -> Money | None:
        return self._clean_money("cap")

    def clean_threshold(self) -> Money | None:
        return self._clean_money("threshold")

    def clean_min_price(self) -> Money | None:
        return self._clean_money("min_price")

    def clean_sku_ids(self) -> list[int]:
        return parse_ids(self.cleaned_data.get("sku_ids") or "")

    def clean_product_ids(self) -> list[int]:
        return parse_ids(self.cleaned_data.get("product_ids") or "")

    def clean_excluded_product_ids(self) -> list[int]:
        return parse_ids(self.cleaned_data.get("excluded_product_ids") or "")

    def draft(self) -> services.TemplateDraft:
        data = self.cleaned_data
        return services.TemplateDraft(
            name=data["name"],
            description=data.get("description") or "",
            kind=data["kind"],
            amount=data.get("amount"),
            percent_off=data.get("percent_off"),
            cap=data.get("cap"),
            threshold=data.get("threshold") or Money.zero(),
            scope={
                "sku_ids": data.get("sku_ids") or [],
                "product_ids": data.get("product_ids") or [],
                "category_ids": list(data.get("category_ids") or []),
                "brand_ids": list(data.get("brand_ids") or []),
                "scene_ids": list(data.get("scene_ids") or []),
                "excluded_product_ids": data.get("excluded_product_ids") or [],
            },
            claim_starts_at=data["claim_starts_at"],
            claim_ends_at=data.get("claim_ends_at"),
            validity_kind=data["validity_kind"],
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
            valid_days=data.get("valid_days"),
            per_customer_limit=data["per_customer_limit"],
            total_limit=data.get("total_limit"),
            channels=tuple(data.get("channels") or ()),
            stacks_with_promotions=bool(data.get("stacks_with_promotions")),
            max_per_order=data["max_per_order"],
            code=data.get("code") or "",
            first_order_only=bool(data.get("first_order_only")),
            min_margin_percent=data.get("min_margin_percent"),
            min_price=data.get("min_price"),
        )

    def show_refusal(self, details: dict[str, Any], message: str) -> None:
        """Put the service's field problems next to the fields; the rest above the form."""
        fields = details.get("fields")
        if not isinstance(fields, dict) or not fields:
            self.add_error(None, message)
            return
        for name, problem in fields.items():
            target = SERVICE_FIELDS.get(name, name)
            self.add_error(target if target in self.fields else None, str(problem))


def template_initial(template: Any) -> dict[str, Any]:
    def yuan(fen: int | None) -> str:
        return str(Money(fen).yuan) if fen is not None else ""

    scope = template.scope or {}
    return {
        "name": template.name,
        "description": template.description,
        "kind": template.kind,
        "amount": yuan(template.amount_fen),
        "percent_off": template.percent_off,
        "cap": yuan(template.cap_fen),
        "threshold": yuan(template.threshold_fen) if template.threshold_fen else "",
        "sku_ids": ", ".join(str(pk) for pk in scope.get("sku_ids", [])),
        "product_ids": ", ".join(str(pk) for pk in scope.get("product_ids", [])),
        "category_ids": scope.get("category_ids", []),
        "brand_ids": scope.get("brand_ids", []),
        "scene_ids": scope.get("scene_ids", []),
        "excluded_product_ids": ", ".join(str(pk) for pk in scope.get("excluded_product_ids", [])),
        "claim_starts_at": template.claim_starts_at,
        "claim_ends_at": template.claim_ends_at,
        "validity_kind": template.validity_kind,
        "valid_from": template.valid_from,
        "valid_until": template.valid_until,
        "valid_days": template.valid_days,
        "per_customer_limit": template.per_customer_limit,
        "total_limit": template.total_limit,
        "channels": list(template.channels),
        "stacks_with_promotions": template.stacks_with_promotions,
        "max_per_order": template.max_per_order,
        "code": template.code,
        "first_order_only": template.first_order_only,
        "min_margin_percent": template.min_margin_percent,
        "min_price": yuan(template.min_price_fen),
    }


class TemplateFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=40)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *TemplateStatus.choices])


class IssueForm(forms.Form):
    template = forms.TypedChoiceField(label=_("Coupon"), coerce=int)
    mobiles = forms.CharField(
        label=_("Customers' mobile numbers"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "13800138000"}),
        help_text=_("One or more, separated by lines, commas or spaces (at most 200)."),
    )
    note = forms.CharField(
        label=_("Why"), max_length=200, help_text=_("For the record, e.g. the ticket number or “parcel late”.")
    )

    def __init__(self, *args: Any, templates: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(templates)

    def clean_mobiles(self) -> list[str]:
        raw = self.cleaned_data.get("mobiles") or ""
        numbers = list(dict.fromkeys(part for part in re.split(r"[\s,，、;；]+", raw.strip()) if part))
        bad = [number for number in numbers if not re.fullmatch(r"1\d{10}", number)]
        if bad:
            raise forms.ValidationError(
                gettext("Not a mainland mobile number: %(numbers)s") % {"numbers": ", ".join(bad[:5])}, code="invalid"
            )
        if not numbers:
            raise forms.ValidationError(gettext("Give at least one mobile number."), code="required")
        if len(numbers) > services.MAX_ISSUE_BATCH:
            raise forms.ValidationError(
                gettext("At most %(max)d customers at a time.") % {"max": services.MAX_ISSUE_BATCH}, code="too_many"
            )
        return numbers
