"""The campaign operator sets up a 满减 in a real browser — the form, the margin guard's verdict,
a sample-cart preview — and a customer sees it on the product page and in the cart with the
explanation per line, buys, pays in the sandbox cashier, and the live counters count the order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import role_groups_sync
from shopkeeper.orders.models import Order
from shopkeeper.promotions.models import Promotion, PromotionUse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OPERATOR_PASSWORD = "Browser-Test-2026!"


def _operator() -> User:
    if Group.objects.filter(name__in=Role.values).count() != len(Role):
        role_groups_sync()
    user = User.objects.create_user(
        username="campaign_operator_demo", password=OPERATOR_PASSWORD, display_name="活动运营"
    )
    user.groups.set([Group.objects.get(name=Role.CAMPAIGN_OPERATOR.value)])
    return user


def test_an_operator_sets_up_a_spend_ladder_and_a_customer_buys_under_it(
    page: Any,
    live_server: Any,
    settings: Any,
    shop: Shop,  # noqa: F811  (the fixture imported above)
    screenshot_dir: Path,
) -> None:
    settings.SITE_URL = live_server.url  # the sandbox posts its notification to this server
    _operator()
    base = live_server.url

    # 1. The campaign operator creates 满200减30 / 满500减100 with a 10 % margin floor.
    page.goto(f"{base}/console/")
    page.fill("#id_username", "campaign_operator_demo")
    page.fill("#id_password", OPERATOR_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/desk/**")
    page.goto(f"{base}/console/promotions/")
    page.get_by_test_id("new-promotion").click()
    page.wait_for_url("**/console/promotions/new/")
    page.fill("#id_name", "双12 满减")
    page.fill("#id_label", "满200减30 满500减100")
    page.select_option("#id_kind", "spend_tier")
    assert page.locator("fieldset[data-kind=spend_tier]").is_visible()
    assert not page.locator("fieldset[data-kind=gift]").is_visible()
    page.fill("#id_tiers", "200=30, 500=100")
    page.fill("#id_min_margin_percent", "10")
    page.check("#id_publish")
    page.get_by_test_id("save-promotion").click()
    page.wait_for_selector("[data-testid=verdict]")
    promotion = Promotion.objects.get()
    assert promotion.status == "active"
    assert "不低于底线" in page.inner_text("[data-testid=verdict-text]")  # passes: worst case above the floor
    page.screenshot(path=str(screenshot_dir / "campaign_promotion.png"), full_page=True)

    # 2. The preview of a sample cart explains the price line by line.
    page.get_by_test_id("try-sample").click()
    page.fill("#id_lines", "DRESS-M 2\nCUP-500 2")
    page.get_by_test_id("preview-run").click()
    page.wait_for_selector("[data-testid=preview-result]")
    assert page.inner_text("[data-testid=preview-total]") == "¥416.00"  # ¥516 − ¥100
    assert "满200减30 满500减100" in page.inner_text("[data-testid=preview-lines]")
    page.screenshot(path=str(screenshot_dir / "campaign_preview.png"), full_page=True)
    page.context.clear_cookies()  # sign out

    # 3. The customer sees the badge, fills the cart, reads the explanation and the nudge.
    page.goto(f"{base}/account/login/?next=/product/{shop.dress.product_id}/")
    page.fill("input[name=mobile]", "13800138001")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/product/{shop.dress.product_id}/")
    assert "满200减30 满500减100" in page.inner_text("[data-testid=promotion-badges]")
    page.fill("[data-testid=buy-quantity]", "2")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_url("**/cart/")
    assert "满200减30 满500减100" in page.inner_text("[data-testid=applied-promotions]")
    assert "¥102.00" in page.inner_text("[data-testid=nudges]")  # ¥398: ¥102 more for ¥100 off
    assert page.inner_text("[data-testid=total]") == "¥368.00"
    explanation = page.inner_text("[data-testid=line-explanation]")
    assert "¥199.00 × 2 = ¥398.00" in explanation
    assert "− ¥30.00 满200减30 满500减100" in explanation
    page.screenshot(path=str(screenshot_dir / "campaign_cart.png"), full_page=True)

    # 4. Checkout and pay: the order carries the discount, the counters count it once paid.
    page.click("[data-testid=go-checkout]")
    page.wait_for_url("**/checkout/")
    assert page.inner_text("[data-testid=checkout-total]") == "¥368.00"
    page.click("[data-testid=place-order]")
    page.wait_for_selector("[data-testid=pay-countdown]")
    order = Order.objects.get()
    assert (order.discount_fen, order.total_fen) == (3000, 36800)
    page.click("[data-testid=pay-now]")
    page.wait_for_selector("[data-testid=cashier]")
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=payment-done]", timeout=30_000)
    order.refresh_from_db()
    assert order.status == "allocated"
    assert set(PromotionUse.objects.filter(order_id=order.pk).values_list("state", flat=True)) == {"paid"}

    page.context.clear_cookies()  # sign out
    page.goto(f"{base}/console/")
    page.fill("#id_username", "campaign_operator_demo")
    page.fill("#id_password", OPERATOR_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/desk/**")
    page.goto(f"{base}/console/promotions/")
    row = page.locator(f"[data-testid=promotion-row][data-id='{promotion.pk}']")
    assert row.locator("[data-testid=counter-orders]").inner_text() == "1"
    assert row.locator("[data-testid=counter-units]").inner_text() == "2"
    assert row.locator("[data-testid=counter-discount]").inner_text() == "¥30.00"
    page.screenshot(path=str(screenshot_dir / "campaign_counters.png"), full_page=True)
