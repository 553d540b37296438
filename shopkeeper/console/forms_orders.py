"""Order desk forms: the order list's filters, cancelling with a reason, refunding chosen lines,
and the shipping fee rules. They parse what was typed; the orders and checkout services hold the rules."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.domain.regions import PROVINCES, REGION_NAMES, Region
from shopkeeper.orders import selectors
from shopkeeper.orders.enums import OrderStatus

REASON_MAX_LENGTH = 200


def region_choices() -> list[tuple[str, str]]:
    return [(region.value, f"{REGION_NAMES[region]} ({region.value})") for region in Region]


def parse_yuan(value: str) -> Money:
    """Typed yuan → Money, exactly; "12.345", "abc" and negatives are refused with a message."""
    try:
        amount = Money.from_yuan(value)
    except MoneyError:
        raise forms.ValidationError(
            gettext("“%(value)s” is not an amount in yuan with at most two decimals.") % {"value": value},
            code="invalid",
        ) from None
    if amount.fen < 0:
        raise forms.ValidationError(gettext("An amount cannot be negative."), code="negative")
    return amount


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order number, recipient or mobile"), required=False, max_length=60)
    status = forms.ChoiceField(label=_("Status"), required=False)
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(label=_("Placed to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    min_total = forms.CharField(
        label=_("Total from (yuan)"),
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )
    max_total = forms.CharField(
        label=_("Total to (yuan)"),
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )

    def __init__(self, *args: Any, channels: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set("status", [("", _("All statuses")), *OrderStatus.choices])
        self._set("channel", [("", _("All channels")), *[(channel, channel) for channel in channels]])
        self._set("region", [("", _("All regions")), *region_choices()])
        self._set("province", [("", _("All provinces")), *[(p.name, p.name) for p in PROVINCES]])

    def _set(self, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(choices)

    def _clean_amount(self, name: str) -> Money | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        return parse_yuan(raw) if raw else None

    def clean_min_total(self) -> Money | None:
        return self._clean_amount("min_total")

    def clean_max_total(self) -> Money | None:
        return self._clean_amount("max_total")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("placed_from"), data.get("placed_to")
        if start and end and start > end:
            self.add_error("placed_to", gettext("The end date is before the start date."))
        low, high = data.get("min_total"), data.get("max_total")
        if low is not None and high is not None and low > high:
            self.add_error("max_total", gettext("The upper amount is below the lower one."))
        return data

    def filters(self) -> selectors.OrderFilters:
        """The filters typed, or none at all when they do not make sense (the errors are shown)."""
        if not self.is_bound or not self.is_valid():
            return selectors.OrderFilters()
        data = self.cleaned_data
        low: Money | None = data.get("min_total")
        high: Money | None = data.get("max_total")
        return selectors.OrderFilters(
            status=data.get("status") or "",
            placed_from=data.get("placed_from"),
            placed_to=data.get("placed_to"),
            channel=data.get("channel") or "",
            region=data.get("region") or "",
            province=data.get("province") or "",
            min_total_fen=low.fen if low is not None else None,
            max_total_fen=high.fen if high is not None else None,
            q=(data.get("q") or "").strip(),
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Recorded on the order's timeline and in the audit log, e.g. “customer asked by phone”."),
        widget=forms.TextInput(attrs={"data-testid": "cancel-reason"}),
    )


class RefundForm(forms.Form):
    """Refund chosen lines: a checkbox and an optional amount per line (blank = all that is left).

    `request_key` is made once when the form is shown; a double click posts the same key twice
    and the orders service answers the same refund.
    """

    reason = forms.CharField(
        label=_("Reason for the refund"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"data-testid": "refund-reason"}),
    )
    request_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, line_ids: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_ids = list(line_ids)
        for line_id in self.line_ids:
            self.fields[f"line_{line_id}"] = forms.BooleanField(required=False)
            self.fields[f"amount_{line_id}"] = forms.CharField(
                required=False, max_length=14, widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amounts: dict[int, Money | None] = {}
        for line_id in self.line_ids:
            raw = (data.get(f"amount_{line_id}") or "").strip()
            if not data.get(f"line_{line_id}"):
                continue
            if not raw:
                amounts[line_id] = None
                continue
            try:
                amount = parse_yuan(raw)
            except forms.ValidationError as problem:
                self.add_error(f"amount_{line_id}", problem)
                continue
            if amount.fen == 0:
                self.add_error(f"amount_{line_id}", gettext("The amount must be more than 0."))
                continue
            amounts[line_id] = amount
        if not amounts and not self.errors:
            raise forms.ValidationError(gettext("Tick at least one line to refund."), code="no_lines")
        data["amounts"] = amounts
        return data

    def line_field(self, line_id: int, kind: str) -> forms.BoundField:
        return self[f"{kind}_{line_id}"]


class ShippingRuleForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    fee = forms.DecimalField(
        label=_("Fee (yuan)"),
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )
    free_over = forms.DecimalField(
        label=_("Free over (yuan)"),
        required=False,
        max_digits=11,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=_("Blank: shipping is never free in this region."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "short"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Everywhere else")), *region_choices()]
