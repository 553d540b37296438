"""The coupons demo step: the templates the guides talk about, and claims that add up."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db.models import Count
from django.utils import timezone

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.scale import SCALES, Scale
from shopkeeper.demo.steps_coupons import coupons_step
from shopkeeper.demo.steps_customers import DEMO_CUSTOMER_MOBILE
from shopkeeper.promotions.coupons import selectors
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import staff

pytestmark = pytest.mark.django_db


def test_the_demo_step_sets_up_the_templates_and_claims(make_customer: Callable[[str], User]) -> None:
    staff("campaign_operator", Role.CAMPAIGN_OPERATOR)
    demo = make_customer(DEMO_CUSTOMER_MOBILE)
    for index in range(30):
        make_customer(f"1350000{index:04d}")
    ctx = DemoContext(scale=Scale.SMALL, spec=SCALES[Scale.SMALL], seed=7, now=timezone.now(), show_progress=False)
    coupons_step(ctx)
    names = set(CouponTemplate.objects.values_list("name", flat=True))
    assert {"满199减20", "9折券 最高减50", "包邮券", "新人立减20元", "新人包邮券"} <= names
    counted = dict(Coupon.objects.values_list("template").annotate(n=Count("pk")).values_list("template", "n"))
    for template in CouponTemplate.objects.all():
        assert template.claimed_count == counted.get(template.pk, 0)
    assert Coupon.objects.exclude(customer=demo).count() == 30
    assert len(selectors.coupon_offers(customer_id=demo.pk)) == 4
    assert len(selectors.coupons_expiring_soon(customer_id=demo.pk)) == 1
    assert ctx.counts["coupons"] == Coupon.objects.count()
