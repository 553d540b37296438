"""The group buy form of the console: parses the operator's input; the service checks the terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.console.forms_promotions import default_floor_help
from shopkeeper.core.domain.money import Money

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SHORT = {"class": "short"}


class GroupBuyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    group_price = forms.DecimalField(
        label=_("Group price (yuan)"),
        max_digits=11,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", **SHORT}),
    )
    group_size = forms.IntegerField(label=_("Group size (people)"), widget=forms.NumberInput(attrs=SHORT))
    time_limit_hours = forms.IntegerField(label=_("Time limit (hours)"), widget=forms.NumberInput(attrs=SHORT))
    per_customer_limit = forms.IntegerField(
        label=_("Group orders per customer"), initial=1, widget=forms.NumberInput(attrs=SHORT)
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    min_margin_percent = forms.IntegerField(
        label=_("Margin floor (percent over cost)"),
        required=False,
        help_text=_("The group price may not go below cost plus this percentage."),
        widget=forms.NumberInput(attrs=SHORT),
    )
    virtual_completion = forms.BooleanField(
        label=_("Complete a group short of a few members with virtual members when its time runs out"),
        required=False,
    )
    virtual_max_missing = forms.IntegerField(
        label=_("Virtual members at most"), required=False, initial=0, widget=forms.NumberInput(attrs=SHORT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["min_margin_percent"]
        field.help_text = f"{field.help_text} {default_floor_help()}"

    def clean_sku_code(self) -> int:
        code = self.cleaned_data["sku_code"].strip()
        found = catalog.sku_refs(codes=[code])
        if not found:
            raise forms.ValidationError(_("No SKU has this code."))
        return found[0].id

    def terms(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "sku_id": data["sku_code"],
            "group_price": Money.from_yuan(data["group_price"]),
            "group_size": data["group_size"],
            "time_limit_hours": data["time_limit_hours"],
            "per_customer_limit": data["per_customer_limit"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "min_margin_percent": data["min_margin_percent"],
            "virtual_completion": data["virtual_completion"],
            "virtual_max_missing": data["virtual_max_missing"] or 0,
        }

    FIELD_OF = {"sku_id": "sku_code"}  # service field → form field
