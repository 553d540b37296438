"""A customer buys under a deposit presale in a real browser: the product page's presale panel
→ pay the deposit in the sandbox cashier → the return page confirms it → (the balance window
opens) the order page's "pay balance" → the cashier asks for exactly the balance → paid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shopkeeper.checkout.tests.conftest import PASSWORD
from shopkeeper.orders.models import Order
from shopkeeper.promotions.presale.models import Presale
from shopkeeper.promotions.presale.tests.conftest import DEPOSIT, Shop, move_to_balance_window
from shopkeeper.promotions.presale.tests.conftest import presale as presale  # fixture
from shopkeeper.promotions.presale.tests.conftest import shop as shop  # fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_pays_the_deposit_then_the_balance_in_the_sandbox(
    page: Any, live_server: Any, settings: Any, shop: Shop, presale: Presale, screenshot_dir: Path
) -> None:
    settings.SITE_URL = live_server.url  # the sandbox posts its notifications to this server
    page.goto(f"{live_server.url}/account/login/?next=/product/{shop.dress.product_id}/")
    page.fill("input[name=mobile]", "13800138001")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/product/{shop.dress.product_id}/")
    panel = page.inner_text("[data-testid=presale-panel]")
    for shown in ("¥20.00", "¥50.00", "¥179.00"):
        assert shown in panel
    page.wait_for_function("document.querySelector('[data-testid=presale-countdown]').textContent.includes(':')")
    page.screenshot(path=str(screenshot_dir / "presale_product.png"), full_page=True)
    page.click("[data-testid=pay-deposit]")
    page.wait_for_selector("[data-testid=cashier]")
    assert page.inner_text("[data-testid=amount]") == "¥20.00"
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=deposit-done]", timeout=30_000)
    order = Order.objects.get(kind="presale")
    assert (order.paid_fen, order.status) == (DEPOSIT, "pending_payment")

    move_to_balance_window(presale)  # time passes: the balance window is open
    page.goto(f"{live_server.url}/orders/{order.number}/")
    assert "¥179.00" in page.inner_text("[data-testid=order-lines]")  # the line explains the price
    balance = order.total_fen - DEPOSIT
    page.screenshot(path=str(screenshot_dir / "presale_balance.png"), full_page=True)
    page.click("[data-testid=pay-balance]")
    page.wait_for_selector("[data-testid=cashier]")
    assert page.inner_text("[data-testid=amount]") == f"¥{balance / 100:,.2f}"
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=balance-done]", timeout=30_000)
    order.refresh_from_db()
    assert order.status == "allocated"
    assert order.paid_fen == order.total_fen
