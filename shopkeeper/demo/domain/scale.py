"""How much data each demo scale makes. Later domains add their own counts here."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scale(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


@dataclass(frozen=True)
class ScaleSpec:
    extra_staff_per_role: int  # staff beyond the one demo login per role
    history_days: int  # how far back purchase histories and events reach
    products: int  # SPUs in the catalog
    customers: int  # registered shoppers (plus the demo customer 13800138000)


SCALES: dict[Scale, ScaleSpec] = {
    Scale.SMALL: ScaleSpec(extra_staff_per_role=1, history_days=180, products=320, customers=600),
    Scale.MEDIUM: ScaleSpec(extra_staff_per_role=3, history_days=180, products=3000, customers=6000),
    Scale.LARGE: ScaleSpec(extra_staff_per_role=8, history_days=180, products=20000, customers=640_000),
}
