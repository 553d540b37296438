"""Forms of the account pages. They bind and render; the customers services decide what is valid
(mobile numbers, password rules, provinces and cities), and their refusals land on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.customers import selectors as customers

MOBILE_ATTRS = {"inputmode": "tel", "autocomplete": "tel", "maxlength": "20", "placeholder": "13800138000"}


def _text(
    label: Any, *, maxlength: int, autocomplete: str = "", required: bool = True, **attrs: Any
) -> forms.CharField:
    widget_attrs: dict[str, Any] = {"maxlength": str(maxlength), **attrs}
    if autocomplete:
        widget_attrs["autocomplete"] = autocomplete
    if required:
        widget_attrs["required"] = "required"  # the browser helps; the service decides
    return forms.CharField(label=label, required=False, strip=True, widget=forms.TextInput(attrs=widget_attrs))


def show_refusal(form: forms.Form, exc: ShopkeeperError) -> None:
    """Put a service's refusal on the fields it names (details: field → message or messages)."""
    placed = False
    for field, problem in exc.details.items():
        if field in form.fields:
            for message in problem if isinstance(problem, list) else [problem]:
                form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class SignInForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        required=False,
        widget=forms.TextInput(attrs={**MOBILE_ATTRS, "autocomplete": "username", "required": "required"}),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "maxlength": "128", "required": "required"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("mobile") or not data.get("password"):
            raise forms.ValidationError(_("Enter your mobile number and your password"))
        return data


class RegisterForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        required=False,
        help_text=_("You sign in with it. Mainland China numbers only."),
        widget=forms.TextInput(attrs={**MOBILE_ATTRS, "autocomplete": "username", "required": "required"}),
    )
    nickname = _text(_("Nickname (optional)"), maxlength=32, autocomplete="nickname", required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "maxlength": "128", "required": "required"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "maxlength": "128", "required": "required"}),
    )
    channel = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same"))
        return data


class AddressForm(forms.Form):
    recipient = _text(_("Recipient"), maxlength=32, autocomplete="name")
    mobile = forms.CharField(
        label=_("Mobile number"),
        required=False,
        widget=forms.TextInput(attrs={**MOBILE_ATTRS, "required": "required"}),
    )
    province = forms.CharField(label=_("Province"), required=False, widget=forms.Select)
    city = forms.CharField(label=_("City"), required=False, widget=forms.Select)
    district = _text(_("District / county"), maxlength=32, placeholder=_("e.g. 浦东新区"))
    detail = forms.CharField(
        label=_("Street address"),
        required=False,
        help_text=_("Street, number, building and room; at most 120 characters."),
        widget=forms.Textarea(
            attrs={"rows": "2", "maxlength": "120", "required": "required", "autocomplete": "street-address"}
        ),
    )
    is_default = forms.BooleanField(label=_("Make this my default address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = str(self.data.get("province") if self.is_bound else self.initial.get("province") or "")
        choose = [("", _("Choose…"))]
        province_widget = self.fields["province"].widget
        city_widget = self.fields["city"].widget
        assert isinstance(province_widget, forms.Select)
        assert isinstance(city_widget, forms.Select)
        province_widget.choices = [*choose, *((name, name) for name in customers.province_names())]
        city_widget.choices = [*choose, *((name, name) for name in customers.cities_of(province))]
        # HTMX swaps the city options when the province changes (the page still works without it).
        province_widget.attrs.update(
            {
                "required": "required",
                "autocomplete": "address-level1",
                "hx-get": reverse("storefront:account_cities"),
                "hx-target": "#id_city",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        city_widget.attrs.update({"required": "required", "autocomplete": "address-level2"})

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "recipient": data.get("recipient", ""),
            "mobile": data.get("mobile", ""),
            "province": data.get("province", ""),
            "city": data.get("city", ""),
            "district": data.get("district", ""),
            "detail": data.get("detail", ""),
            "is_default": bool(data.get("is_default")),
        }
