"""A customer claims a coupon in a real browser — on the product page, signing in first — sees it
in My coupons, and buys with it: the checkout total has the coupon taken off."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.coupons import services as coupons
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind
from shopkeeper.promotions.coupons.models import Coupon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_claims_on_the_product_page_and_checks_out_with_the_coupon(
    phone: Any,
    live_server: Any,
    shop: Shop,  # noqa: F811  (the fixture imported above)
    screenshot_dir: Path,
) -> None:
    now = timezone.now()
    coupons.coupon_template_save(
        actor=ActorContext.system(),
        draft=coupons.TemplateDraft(
            name="满199减20",
            kind=CouponKind.AMOUNT,
            amount=Money(2000),
            threshold=Money(19900),
            claim_starts_at=now - timedelta(hours=1),
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=3),
            total_limit=10,
            channels=(ClaimChannel.CLAIM_CENTRE,),
        ),
    )
    page = phone
    page.goto(f"{live_server.url}/product/{shop.dress.product_id}/")
    panel = page.locator("[data-testid=product-coupons]")
    assert "满199减20" in panel.inner_text()
    assert "剩余 10 张" in panel.inner_text()
    panel.locator("[data-testid=coupon-sign-in]").click()
    page.fill("input[name=mobile]", "13800138001")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/product/{shop.dress.product_id}/")
    page.locator("[data-testid=product-coupons] [data-testid=coupon-claim]").click()  # HTMX redraws the card
    page.wait_for_selector("[data-testid=coupon-note]")
    assert "已放入您的优惠券" in page.inner_text("[data-testid=coupon-note]")
    assert page.locator("[data-testid=product-coupons] [data-testid=coupon-claimed]").count() == 1
    assert Coupon.objects.filter(customer=shop.customer).count() == 1
    page.goto(f"{live_server.url}/account/coupons/")
    assert "满199减20" in page.inner_text("[data-testid=my-coupons]")
    assert page.locator("[data-testid=soon-badge]").count() == 1  # valid three days: expires soon
    page.screenshot(path=str(screenshot_dir / "coupons_mine.png"), full_page=True)
    page.goto(f"{live_server.url}/product/{shop.dress.product_id}/")
    page.click("[data-testid=buy-now]")
    page.wait_for_url("**/checkout/")
    assert page.inner_text("[data-testid=checkout-total]") == "¥179.00"
    page.screenshot(path=str(screenshot_dir / "coupons_checkout.png"), full_page=True)
