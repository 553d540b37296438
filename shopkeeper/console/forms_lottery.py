"""The lottery form of the console: title, threshold, window and up to five prizes, each with its
chance in percent (two decimals, turned into whole basis points: never a float) and quantity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.lottery.services import PrizeTerms

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PRIZE_ROWS = 5


class LotteryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    threshold = forms.DecimalField(
        label=_("Threshold (yuan, goods paid)"), max_digits=11, decimal_places=2, min_value=Decimal("0.01")
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(PRIZE_ROWS):
            self.fields[f"prize_{index}_name"] = forms.CharField(label=_("Prize"), max_length=60, required=False)
            self.fields[f"prize_{index}_percent"] = forms.DecimalField(
                label=_("Chance (%)"), max_digits=5, decimal_places=2, required=False
            )
            self.fields[f"prize_{index}_quantity"] = forms.IntegerField(label=_("Quantity"), required=False)

    def prize_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"prize_{i}_name"], self[f"prize_{i}_percent"], self[f"prize_{i}_quantity"])
            for i in range(PRIZE_ROWS)
        ]

    def terms(self) -> dict[str, Any]:
        data = self.cleaned_data
        prizes = []
        for index in range(PRIZE_ROWS):
            name = (data.get(f"prize_{index}_name") or "").strip()
            percent = data.get(f"prize_{index}_percent")
            quantity = data.get(f"prize_{index}_quantity")
            if not name and percent is None and quantity is None:
                continue
            points = int((percent or Decimal(0)) * 100)
            prizes.append(PrizeTerms(name=name, basis_points=points, quantity=quantity if quantity is not None else 0))
        return {
            "title": data["title"],
            "threshold": Money.from_yuan(data["threshold"]),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "prizes": prizes,
        }

    @staticmethod
    def field_of(problem_field: str) -> str | None:
        """The form field a service problem names ("prizes.0.quantity" → "prize_0_quantity")."""
        parts = problem_field.split(".")
        if len(parts) == 3 and parts[0] == "prizes":
            return f"prize_{parts[1]}_{'percent' if parts[2] == 'basis_points' else parts[2]}"
        return problem_field if problem_field in {"title", "threshold", "starts_at", "ends_at"} else None

    @staticmethod
    def initial_for(lottery: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": lottery.title,
            "threshold": lottery.threshold.yuan,
            "starts_at": lottery.starts_at,
            "ends_at": lottery.ends_at,
        }
        for index, prize in enumerate(lottery.prizes.all()):
            initial[f"prize_{index}_name"] = prize.name
            initial[f"prize_{index}_percent"] = Decimal(prize.basis_points) / 100
            initial[f"prize_{index}_quantity"] = prize.quantity
        return initial
