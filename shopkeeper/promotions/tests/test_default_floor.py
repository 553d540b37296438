"""The store default margin floor (PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT, 0: never below cost):
a promotion or coupon that names no floor is held to it on publishing and at checkout, refused
with the SKUs and their price, cost and floor; a price floor of ¥0 waives it on purpose; the
console form and the margin verdict say which floor applies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import PASSWORD, SYSTEM, Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.promotions import selectors
from shopkeeper.promotions.coupons import services as coupons
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, ValidityKind
from shopkeeper.promotions.coupons.models import CouponTemplate
from shopkeeper.promotions.models import Promotion
from shopkeeper.promotions.tests.conftest import MakePromotion

pytestmark = pytest.mark.django_db


def test_a_promotion_naming_no_floor_may_not_take_a_unit_below_cost(shop: Shop, promote: MakePromotion) -> None:
    # ¥50 off each ¥59.00 cup leaves ¥9.00, below its cost of ¥19.66
    with pytest.raises(ValidationFailed) as refused:
        promote("fixed_off", {"off_per_unit_fen": 5000}, scope={"sku_ids": [shop.cup.pk]})
    message = refused.value.message
    assert "CUP-500: ¥59.00 (cost ¥19.66) falls to ¥9.00, below the floor ¥19.66" in message
    assert refused.value.details["margin"] == [
        {
            "sku_id": shop.cup.pk,
            "sku_code": "CUP-500",
            "price_fen": 5900,
            "cost_fen": 1966,
            "worst_price_fen": 900,
            "floor_price_fen": 1966,
        }
    ]
    assert not Promotion.objects.exists()
    draft = promote("fixed_off", {"off_per_unit_fen": 5000}, scope={"sku_ids": [shop.cup.pk]}, publish=False)
    report = selectors.promotion_verdict_report(draft)  # a draft shows the verdict it would get
    assert (report.ok, report.store_default, report.floor, report.has_floor) == (False, True, "0% over cost", True)


def test_a_price_floor_of_zero_waives_the_default_on_purpose(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("fixed_off", {"off_per_unit_fen": 5000}, scope={"sku_ids": [shop.cup.pk]}, min_price_fen=0)
    report = selectors.promotion_verdict_report(promotion)
    assert (report.ok, report.store_default, report.has_floor) == (True, False, False)


def test_the_setting_raises_the_default_for_publishing_and_for_checkout(
    shop: Shop, promote: MakePromotion, settings: Any
) -> None:
    # 60 % off keeps the cup at ¥23.60, above cost: published under the default of 0 %
    promotion = promote("percent_off", {"percent_off": 60}, scope={"sku_ids": [shop.cup.pk]})
    settings.PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT = 100  # operations: never below twice the cost
    report = selectors.promotion_verdict_report(promotion)
    assert (report.ok, report.floor) == (False, "100% over cost")
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    line = cart_reads.cart_view(checkout.cart_for_customer(shop.customer), region="east").priced.line("CUP-500")
    assert line.total == Money(3932)  # held at cost × 2 = ¥39.32 by the engine, not ¥23.60
    with pytest.raises(ValidationFailed) as refused:
        promote("percent_off", {"percent_off": 50}, scope={"sku_ids": [shop.cup.pk]}, name="second")
    assert refused.value.details["margin"][0]["floor_price_fen"] == 3932


def _coupon(**changes: Any) -> coupons.TemplateDraft:
    now = timezone.now()
    base = coupons.TemplateDraft(
        name="无门槛减50",
        kind=CouponKind.AMOUNT,
        amount=Money(5000),
        claim_starts_at=now - timedelta(hours=1),
        claim_ends_at=now + timedelta(days=7),
        validity_kind=ValidityKind.FIXED,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=7),
        channels=(ClaimChannel.CLAIM_CENTRE,),
    )
    return coupons.TemplateDraft(**{**base.__dict__, **changes})


def test_coupons_are_held_to_the_same_default_with_the_same_figures(shop: Shop) -> None:
    with pytest.raises(ValidationFailed) as refused:
        coupons.coupon_template_save(actor=SYSTEM, draft=_coupon())
    problem = refused.value.details["fields"]["margin"]
    assert "CUP-500: ¥59.00 (cost ¥19.66) falls to ¥9.00, below the floor ¥19.66" in problem
    assert [row["sku_code"] for row in refused.value.details["margin"]] == ["CUP-500"]  # the dress keeps its margin
    assert not CouponTemplate.objects.exists()
    assert coupons.coupon_template_save(actor=SYSTEM, draft=_coupon(min_price=Money(0))).pk  # a deliberate cost


def _staff(role: Role) -> Client:
    user = User.objects.create_user(username=f"{role.value}_floor", password=PASSWORD)
    user.groups.add(Group.objects.get(name=role.value))
    client = Client()
    client.force_login(user)
    return client


def test_the_console_says_which_floor_applies(shop: Shop, promote: MakePromotion, settings: Any) -> None:
    settings.PROMOTIONS_DEFAULT_MIN_MARGIN_PERCENT = 5
    client = _staff(Role.CAMPAIGN_OPERATOR)
    form = client.get("/console/promotions/new/").content.decode()
    assert "留空：使用店铺默认底线，高于成本 5%。" in form
    promotion = promote("percent_off", {"percent_off": 10}, scope={"sku_ids": [shop.cup.pk]})
    page = client.get(f"/console/promotions/{promotion.pk}/").content.decode()
    assert "底线：店铺默认，高于成本 5%（本活动未单独设置）。" in page
    own = promote("percent_off", {"percent_off": 10}, name="own", min_margin_percent=20)
    assert "底线：高于成本 20%。" in client.get(f"/console/promotions/{own.pk}/").content.decode()
    for url in ("/console/coupons/new/", "/console/groupbuys/new/", "/console/presales/new/"):
        assert "店铺默认底线" in client.get(url).content.decode(), url


def test_the_api_verdict_names_the_floor(
    shop: Shop, promote: MakePromotion, make_staff: Callable[..., User], api_as: Callable[[User], Any]
) -> None:
    promotion = promote("percent_off", {"percent_off": 10}, scope={"sku_ids": [shop.cup.pk]})
    verdict = api_as(make_staff(Role.CAMPAIGN_OPERATOR)).get(f"promotions/{promotion.pk}/verdict").json()
    assert (verdict["ok"], verdict["store_default"], verdict["floor"]) == (True, True, "高于成本 0%")
