"""Setting a group buy up refuses, by field and with nothing saved: a group price under the
margin floor (the store default when the group buy names none) with the SKU, price, cost and
floor as promotions name them; a window already over; a SKU that is not on sale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.catalog.models import Sku
from shopkeeper.checkout.tests.conftest import Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.promotions.groupbuy import services
from shopkeeper.promotions.groupbuy.models import GroupBuy
from shopkeeper.promotions.groupbuy.tests.conftest import terms

pytestmark = pytest.mark.django_db


def refused(shop: Shop, **changes: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        services.groupbuy_save(**terms(shop, **changes))
    assert not GroupBuy.objects.exists()
    return caught.value


def test_a_group_price_under_cost_is_refused_with_the_figures_even_without_a_floor(shop: Shop) -> None:
    # the cup costs ¥19.66: ¥15.00 sells it below cost, the store default floor (0 % over cost)
    problem = refused(shop, group_price=Money(1500), min_margin_percent=None)
    text = problem.details["fields"]["group_price"]
    assert "CUP-500: ¥59.00 (cost ¥19.66) falls to ¥15.00, below the floor ¥19.66" in text
    assert problem.message == text  # the one problem is the message
    assert problem.details["margin"] == [
        {
            "sku_id": shop.cup.pk,
            "sku_code": "CUP-500",
            "price_fen": 5900,
            "cost_fen": 1966,
            "worst_price_fen": 1500,
            "floor_price_fen": 1966,
        }
    ]


def test_its_own_floor_is_named_with_the_same_figures(shop: Shop) -> None:
    problem = refused(shop, group_price=Money(2000), min_margin_percent=50)  # floor ¥19.66 × 1.5 = ¥29.49
    assert "falls to ¥20.00, below the floor ¥29.49" in problem.details["fields"]["group_price"]


def test_a_window_already_over_is_refused_but_an_ended_group_buy_may_be_renamed(shop: Shop) -> None:
    now = timezone.now()
    problem = refused(shop, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
    assert set(problem.details["fields"]) == {"ends_at"}
    assert "already over" in problem.details["fields"]["ends_at"]
    groupbuy = services.groupbuy_save(**terms(shop))
    GroupBuy.objects.filter(pk=groupbuy.pk).update(  # time passes
        starts_at=now - timedelta(days=3), ends_at=now - timedelta(hours=1)
    )
    groupbuy.refresh_from_db()
    renamed = services.groupbuy_save(
        **terms(shop, groupbuy_id=groupbuy.pk, title="改个名", starts_at=groupbuy.starts_at, ends_at=groupbuy.ends_at)
    )
    assert renamed.title == "改个名"


def test_a_sku_that_is_not_on_sale_is_refused(shop: Shop) -> None:
    Sku.objects.filter(pk=shop.cup.pk).update(is_active=False)
    problem = refused(shop)
    assert problem.details["fields"] == {"sku_id": "CUP-500 is not on sale: list it first."}


def test_a_group_buy_whose_sku_went_off_sale_can_still_be_edited(shop: Shop) -> None:
    groupbuy = services.groupbuy_save(**terms(shop))
    Sku.objects.filter(pk=shop.cup.pk).update(is_active=False)
    edited = services.groupbuy_save(
        **terms(shop, groupbuy_id=groupbuy.pk, title="提前结束", starts_at=groupbuy.starts_at, ends_at=groupbuy.ends_at)
    )
    assert edited.title == "提前结束"
