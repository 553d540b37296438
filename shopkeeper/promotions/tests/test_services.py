"""Saving promotions: every bad input refused field by field (nothing saved), the margin guard
refusing with the SKUs and figures, pause/resume/end, the audit trail and the window's status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.inventory import services as stock
from shopkeeper.promotions import selectors, services
from shopkeeper.promotions.enums import PromotionStatus
from shopkeeper.promotions.models import Promotion
from shopkeeper.promotions.tests.conftest import MakePromotion, tiers

pytestmark = pytest.mark.django_db


def refused(promote: MakePromotion, kind: str, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
    before = Promotion.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        promote(kind, params, **extra)
    assert Promotion.objects.count() == before  # nothing saved
    return caught.value.details


def test_a_spend_tier_ladder_saves_runs_and_is_audited(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("spend_tier", tiers((200, 30), (500, 100)), min_margin_percent=10)
    assert promotion.status == PromotionStatus.ACTIVE
    assert promotion.group == "order"
    with translation.override("en"):
        assert selectors.promotion_label(promotion) == "¥30 off over ¥200 ¥100 off over ¥500"
    with translation.override("zh-hans"):
        assert selectors.promotion_label(promotion) == "满200减30 满500减100"
    assert [p.pk for p in selectors.running_promotions()] == [promotion.pk]
    entry = AuditEntry.objects.get(action="promotion.create")
    assert entry.object_id == str(promotion.pk)
    assert entry.after is not None
    assert entry.after["kind"] == "spend_tier"


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("spend_tier", tiers((500, 100), (200, 30)), "params.tiers.1.threshold_fen"),  # not increasing
        ("spend_tier", tiers((200, 30), (500, 20)), "params.tiers.1.off_fen"),  # higher tier takes less
        ("spend_tier", tiers((100, 100)), "params.tiers.0.off_fen"),  # off not below threshold
        ("spend_tier", {"tiers": []}, "params.tiers"),
        ("spend_tier", {"tiers": [{"threshold_fen": "lots", "off_fen": 10}]}, "params.threshold_fen"),
        ("percent_off", {"percent_off": 120}, "params.percent_off"),  # over 100
        ("percent_off", {"percent_off": 0}, "params.percent_off"),
        ("percent_off", {}, "params.percent_off"),
        ("fixed_off", {"off_per_unit_fen": 0}, "params.off_per_unit_fen"),
        ("nth_item", {"n": 1, "percent_off": 50}, "params.n"),
        ("buy_x_get_y", {"buy": 1, "get": 0}, "params.get"),
        ("free_shipping", {}, "params.over_fen"),
        ("free_shipping", {"min_items": 0}, "params.min_items"),
        ("gift", {"threshold_fen": 10000}, "params.gift_sku_id"),
        ("bundle", {"sku_ids": [999_999, 999_998], "price_fen": 100}, "params.sku_ids"),
    ],
)
def test_bad_rules_are_refused_field_by_field(
    shop: Shop, promote: MakePromotion, kind: str, params: dict[str, Any], field: str
) -> None:
    details = refused(promote, kind, params)
    assert field in details, details


def test_a_scope_naming_what_the_catalog_does_not_hold_is_refused(shop: Shop, promote: MakePromotion) -> None:
    dress = shop.dress
    scope = {
        "category_ids": [dress.product.category_id, 990_001],
        "brand_ids": [990_002],
        "product_ids": [dress.product_id],
        "excluded_product_ids": [990_003],
        "sku_ids": [dress.pk, 990_004, 990_005],
    }
    details = refused(promote, "percent_off", {"percent_off": 10}, scope=scope)
    assert details["scope.category_ids"].endswith("990001")
    assert "990002" in details["scope.brand_ids"]
    assert "990003" in details["scope.excluded_product_ids"]
    assert details["scope.sku_ids"].endswith("990004, 990005")
    assert "scope.product_ids" not in details  # the ids that exist are not named
    promote("percent_off", {"percent_off": 10}, scope={"category_ids": [dress.product.category_id]})  # all real: saved


def test_a_window_ending_before_it_starts_and_other_bad_fields(shop: Shop, promote: MakePromotion) -> None:
    now = timezone.now()
    details = refused(promote, "percent_off", {"percent_off": 10}, starts_at=now, ends_at=now - timedelta(days=1))
    assert "ends_at" in details
    details = refused(promote, "percent_off", {"percent_off": 10}, name="  ", min_margin_percent=5000)
    assert {"name", "min_margin_percent"} <= set(details)
    details = refused(promote, "percent_off", {"percent_off": 10}, scope={"sku_ids": ["x"]})
    assert "scope.sku_ids" in details
    details = refused(promote, "no_such_kind", {})
    assert "kind" in details
    # published with a window already over
    details = refused(
        promote, "percent_off", {"percent_off": 10}, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1)
    )
    assert "ends_at" in details


def test_a_gift_sku_without_stock_is_refused(shop: Shop, promote: MakePromotion) -> None:
    # the delisted scarf is not on sale; the cup is, but first take all its stock away
    details = refused(promote, "gift", {"threshold_fen": 10000, "gift_sku_id": shop.delisted.pk})
    assert "params.gift_sku_id" in details
    stock.stock_reserve(
        reference="test:all-cups",
        lines=[stock.ReserveLine(sku_id=shop.cup.pk, quantity=50)],
        province="上海市",
        actor=SYSTEM,
    )
    stock.stock_reserve(
        reference="test:all-cups-south",
        lines=[stock.ReserveLine(sku_id=shop.cup.pk, quantity=50)],
        province="广东省",
        actor=SYSTEM,
    )
    details = refused(promote, "gift", {"threshold_fen": 10000, "gift_sku_id": shop.cup.pk})
    assert "no stock" in details["params.gift_sku_id"]


def test_a_gift_with_stock_saves_with_its_title(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("gift", {"threshold_fen": 15000, "gift_sku_id": shop.cup.pk})
    assert promotion.params["gift_title"] == "316不锈钢保温杯"


def test_the_margin_guard_refuses_with_skus_and_figures(shop: Shop, promote: MakePromotion) -> None:
    # cost is a third of the price: 70 % off takes the ¥199 dress to ¥59.70, below cost × 1.2 (¥79.60)
    with pytest.raises(ValidationFailed) as caught:
        promote("percent_off", {"percent_off": 70}, min_margin_percent=20)
    breaches = {row["sku_code"]: row for row in caught.value.details["margin"]}
    assert set(breaches) == {"DRESS-M", "CUP-500"}  # the delisted scarf is not for sale
    dress = breaches["DRESS-M"]
    assert (dress["price_fen"], dress["cost_fen"], dress["worst_price_fen"], dress["floor_price_fen"]) == (
        19900,
        6633,
        5970,
        7960,
    )
    assert "DRESS-M" in caught.value.message
    assert not Promotion.objects.exists()
    # the same rule as a draft saves (the console shows the verdict), but cannot be published
    draft = promote("percent_off", {"percent_off": 70}, min_margin_percent=20, publish=False)
    assert draft.status == PromotionStatus.DRAFT
    assert not selectors.promotion_verdict(draft).ok
    with pytest.raises(ValidationFailed):
        services.promotion_resume(promotion_id=draft.pk, actor=SYSTEM)
    # a scope that leaves the cheap cup out and a gentler discount pass
    ok = promote("percent_off", {"percent_off": 30}, min_margin_percent=20, scope={"sku_ids": [shop.dress.pk]})
    assert ok.status == PromotionStatus.ACTIVE


def test_pause_resume_end(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("percent_off", {"percent_off": 10})
    services.promotion_pause(promotion_id=promotion.pk, actor=SYSTEM)
    assert selectors.running_promotions() == []
    with pytest.raises(Conflict):
        services.promotion_pause(promotion_id=promotion.pk, actor=SYSTEM)
    services.promotion_resume(promotion_id=promotion.pk, actor=SYSTEM)
    assert [p.pk for p in selectors.running_promotions()] == [promotion.pk]
    services.promotion_end(promotion_id=promotion.pk, actor=SYSTEM)
    assert selectors.running_promotions() == []
    with pytest.raises(Conflict):
        services.promotion_save(
            promotion_id=promotion.pk,
            data=services.PromotionInput(
                name="x",
                kind="percent_off",
                params={"percent_off": 5},
                starts_at=promotion.starts_at,
                ends_at=promotion.ends_at,
            ),
            actor=SYSTEM,
        )
    actions = list(
        AuditEntry.objects.filter(object_type="promotions.promotion", object_id=str(promotion.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["promotion.create", "promotion.pause", "promotion.resume", "promotion.end"]


def test_a_scheduled_promotion_starts_and_ends_by_its_window(shop: Shop, promote: MakePromotion) -> None:
    now = timezone.now()
    promotion = promote(
        "percent_off", {"percent_off": 10}, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2)
    )
    assert promotion.status == PromotionStatus.SCHEDULED
    assert selectors.running_promotions() == []
    assert [p.pk for p in selectors.running_promotions(now + timedelta(days=1, hours=1))] == [promotion.pk]
    assert services.promotions_advance(now=now + timedelta(days=1, hours=1)) == 1
    promotion.refresh_from_db()
    assert promotion.status == PromotionStatus.ACTIVE
    services.promotions_advance(now=now + timedelta(days=3))
    promotion.refresh_from_db()
    assert promotion.status == PromotionStatus.ENDED


def test_changing_a_promotion_keeps_the_trail(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("spend_tier", tiers((200, 30)))
    changed = services.promotion_save(
        promotion_id=promotion.pk,
        data=services.PromotionInput(
            name="满减 改",
            kind="spend_tier",
            params=tiers((200, 30), (300, 50)),
            starts_at=promotion.starts_at,
            ends_at=promotion.ends_at,
        ),
        actor=SYSTEM,
    )
    assert changed.status == PromotionStatus.ACTIVE  # published stays published
    entry = AuditEntry.objects.get(action="promotion.change")
    assert entry.before is not None
    assert entry.after is not None
    assert len(entry.before["params"]["tiers"]) == 1
    assert len(entry.after["params"]["tiers"]) == 2
