"""Flash-sale forms of the console: parse the operator's input; the services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.flash.enums import DEFAULT_PAY_WINDOW_MINUTES

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SHORT = {"class": "short"}


class SaleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)


class ItemForm(forms.Form):
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    sale_price = forms.DecimalField(
        label=_("Flash price (yuan)"),
        max_digits=11,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **SHORT}),
    )
    pool = forms.IntegerField(label=_("Units for the sale"), widget=forms.NumberInput(attrs=SHORT))
    per_customer_limit = forms.IntegerField(
        label=_("Limit per customer"), initial=1, widget=forms.NumberInput(attrs=SHORT)
    )
    pay_window_minutes = forms.IntegerField(
        label=_("Payment window (minutes)"), initial=DEFAULT_PAY_WINDOW_MINUTES, widget=forms.NumberInput(attrs=SHORT)
    )

    def price(self) -> Money:
        value: Decimal = self.cleaned_data["sale_price"]
        return Money.from_yuan(str(value))
