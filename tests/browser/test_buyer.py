"""A customer buys in a real browser: product page → buy now → checkout → pay in the sandbox
cashier → the return page waits for the signed notification → the order is paid and allocated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop, shop  # noqa: F401  (fixture)
from shopkeeper.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_buys_and_pays_in_the_sandbox(
    phone: Any,
    live_server: Any,
    settings: Any,
    shop: Shop,  # noqa: F811  (the fixture imported above)
    screenshot_dir: Path,
) -> None:
    settings.SITE_URL = live_server.url  # the sandbox posts its notification to this server
    page = phone
    page.goto(f"{live_server.url}/account/login/?next=/product/{shop.dress.product_id}/")
    page.fill("input[name=mobile]", "13800138001")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/product/{shop.dress.product_id}/")
    page.click("[data-testid=buy-now]")
    page.wait_for_url("**/checkout/")
    assert "王小明" in page.inner_text("[data-testid=addresses]")
    assert page.inner_text("[data-testid=checkout-total]") == "¥199.00"
    page.screenshot(path=str(screenshot_dir / "buyer_checkout.png"), full_page=True)
    page.click("[data-testid=place-order]")
    page.wait_for_selector("[data-testid=pay-countdown]")
    order = Order.objects.get()
    assert page.inner_text("[data-testid=order-number]") == order.number
    page.click("[data-testid=pay-now]")
    page.wait_for_selector("[data-testid=cashier]")
    assert page.inner_text("[data-testid=amount]") == "¥199.00"
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=payment-done]", timeout=30_000)
    page.screenshot(path=str(screenshot_dir / "buyer_paid.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "allocated"
    assert order.paid_fen == 19900
    page.click("[data-testid=back-to-order]")
    page.wait_for_selector("[data-testid=timeline]")
    assert "分配仓库" in page.inner_text("[data-testid=timeline]")
