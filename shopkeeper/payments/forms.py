"""The sandbox cashier's test knobs."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shopkeeper.payments.enums import SandboxTamper
from shopkeeper.payments.services import DeliveryKnobs
from shopkeeper.payments.services.sandbox import MAX_COPIES, MAX_DELAY_SECONDS, MAX_DROPPED


class SandboxKnobsForm(forms.Form):
    copies = forms.IntegerField(
        label=_("Notifications to send"),
        help_text=_("Identical copies, each delivered and retried on its own (1–10)."),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
    )
    delay_seconds = forms.IntegerField(
        label=_("Delay before the first delivery (seconds)"), min_value=0, max_value=MAX_DELAY_SECONDS, initial=0
    )
    drop_first = forms.IntegerField(
        label=_("Drop the first deliveries"),
        help_text=_("That many attempts are lost on the way (never sent); the retries follow the schedule."),
        min_value=0,
        max_value=MAX_DROPPED,
        initial=0,
    )
    tamper = forms.ChoiceField(
        label=_("Tampering"), choices=SandboxTamper.choices, initial=SandboxTamper.NONE, required=False
    )

    def knobs(self) -> DeliveryKnobs:
        data = self.cleaned_data
        return DeliveryKnobs(
            copies=data["copies"],
            delay_seconds=data["delay_seconds"],
            drop_first=data["drop_first"],
            tamper=data.get("tamper") or SandboxTamper.NONE,
        )

    @staticmethod
    def retry_schedule() -> str:
        return ", ".join(f"{seconds}s" for seconds in settings.SANDBOX_NOTIFY_RETRY_SECONDS)
