"""User operations' customer forms: the search of the customer list and setting a membership tier
(the customers service checks the tier and writes the audit entry)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from shopkeeper.customers.enums import MemberTier


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        help_text=_("A mobile number, its last four digits, or part of a name."),
    )
    tier = forms.ChoiceField(label=_("Membership tier"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["tier"]).choices = [
            ("", pgettext("member tier", "All tiers")),
            *MemberTier.choices,
        ]


class TierForm(forms.Form):
    tier = forms.ChoiceField(label=_("Membership tier"), choices=MemberTier.choices)
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=200,
        help_text=_("For the audit log, e.g. “VIP customer, approved by the director”."),
    )
