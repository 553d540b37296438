"""The presale form of the console: parses the operator's input (yuan, local times); the
presale service checks the terms and the margin floor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.console.forms_promotions import default_floor_help
from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.presale import services as presales

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SHORT = {"class": "short"}


def _yuan(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=11,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", **SHORT}),
    )


class PresaleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    final_price = _yuan(_("Presale price (yuan)"))
    deposit = _yuan(_("Deposit (yuan)"))
    deposit_value = _yuan(_("Deposit counts as (yuan)"), help_text=_("e.g. a ¥50 deposit counts as ¥100"))
    presale_starts_at = forms.DateTimeField(label=_("Deposits from"), widget=DATETIME)
    presale_ends_at = forms.DateTimeField(label=_("Deposits until"), widget=DATETIME)
    balance_starts_at = forms.DateTimeField(label=_("Balance from"), widget=DATETIME)
    balance_ends_at = forms.DateTimeField(label=_("Balance until"), widget=DATETIME)
    limit_per_customer = forms.IntegerField(
        label=_("Units per customer"), initial=1, widget=forms.NumberInput(attrs=SHORT)
    )
    min_margin_percent = forms.IntegerField(
        label=_("Margin floor (% over cost)"),
        required=False,
        help_text=_("Never below cost, whatever is set here."),
        widget=forms.NumberInput(attrs=SHORT),
    )
    min_price = _yuan(_("Lowest price (yuan)"), required=False)

    FIELD_OF = {
        "sku_id": "sku_code",
        "final_price_fen": "final_price",
        "deposit_fen": "deposit",
        "deposit_value_fen": "deposit_value",
        "min_price_fen": "min_price",
    }  # service field → form field

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["min_margin_percent"]
        field.help_text = f"{field.help_text} {default_floor_help()}"

    def clean_sku_code(self) -> int:
        code = self.cleaned_data["sku_code"].strip()
        found = catalog.sku_refs(codes=[code])
        if not found:
            raise forms.ValidationError(_("No SKU has this code."))
        return int(found[0].id)

    def terms(self) -> presales.PresaleInput:
        data = self.cleaned_data
        return presales.PresaleInput(
            name=data["name"],
            sku_id=data["sku_code"],
            final_price_fen=Money.from_yuan(data["final_price"]).fen,
            deposit_fen=Money.from_yuan(data["deposit"]).fen,
            deposit_value_fen=Money.from_yuan(data["deposit_value"]).fen,
            presale_starts_at=data["presale_starts_at"],
            presale_ends_at=data["presale_ends_at"],
            balance_starts_at=data["balance_starts_at"],
            balance_ends_at=data["balance_ends_at"],
            limit_per_customer=data["limit_per_customer"],
            min_margin_percent=data["min_margin_percent"],
            min_price_fen=Money.from_yuan(data["min_price"]).fen if data["min_price"] is not None else None,
        )
