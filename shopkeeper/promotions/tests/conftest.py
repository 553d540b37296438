"""The checkout's small shop (a ¥199 dress and a ¥59 cup, cost a third of the price, stock in East
China, a Shanghai customer) and a helper to set up promotions on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, second_customer, shop  # noqa: F401  (fixtures)
from shopkeeper.promotions import services
from shopkeeper.promotions.models import Promotion

MakePromotion = Callable[..., Promotion]


@pytest.fixture
def promote(db: None) -> MakePromotion:
    def make(kind: str, params: dict[str, Any], *, publish: bool = True, **extra: Any) -> Promotion:
        now = timezone.now()
        fields: dict[str, Any] = {
            "name": extra.pop("name", f"{kind} test"),
            "kind": kind,
            "params": params,
            "starts_at": extra.pop("starts_at", now - timedelta(hours=1)),
            "ends_at": extra.pop("ends_at", now + timedelta(days=7)),
            "publish": publish,
        }
        fields.update(extra)
        return services.promotion_save(data=services.PromotionInput(**fields), actor=SYSTEM)

    return make


def tiers(*pairs: tuple[int, int]) -> dict[str, Any]:
    """Spend-tier params from (threshold yuan, off yuan) pairs."""
    return {"tiers": [{"threshold_fen": spend * 100, "off_fen": off * 100} for spend, off in pairs]}
