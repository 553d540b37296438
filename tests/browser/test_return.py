"""A return in real browsers: the customer applies to return one line of a two-line order, the
CS supervisor approves in the console, the customer enters the return's tracking number, the
warehouse receives and inspects it (passed), and the sandbox gateway's signed refund
notification arrives: exactly that line's paid share goes back."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD as STAFF_PASSWORD
from shopkeeper.aftersales.models import Application
from shopkeeper.aftersales.tests.conftest import bought
from shopkeeper.checkout.tests.conftest import PASSWORD as CUSTOMER_PASSWORD
from shopkeeper.checkout.tests.conftest import Shop, shop  # noqa: F401  (fixture)
from shopkeeper.checkout.tests.test_order_payment_flow import settle  # noqa: F401  (fixture)
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.inventory.models import Stock
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _console(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/desk/**")
    return page


@pytest.mark.usefixtures("in_process_network")
def test_a_customer_returns_one_line_and_gets_exactly_its_share_back(
    browser: Any,
    phone: Any,
    live_server: Any,
    settings: Any,
    shop: Shop,  # noqa: F811
    settle: Any,  # noqa: F811
    make_staff: Callable[..., User],
    screenshot_dir: Path,
) -> None:
    settings.SITE_URL = live_server.url
    base = live_server.url
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 2))
    cup = order.lines.get(sku_code="CUP-500")
    make_staff(Role.CS_SUPERVISOR, username="cs_lead")
    make_staff(Role.WAREHOUSE, username="wh_li")
    on_hand = Stock.objects.get(sku=shop.cup, warehouse_id=shop.east).on_hand

    # 1. The customer applies from the order page for one of the two cups.
    page = phone
    page.goto(f"{base}/account/login/?next=/orders/{order.number}/")
    page.fill("input[name=mobile]", "13800138001")
    page.fill("input[name=password]", CUSTOMER_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector("[data-testid=aftersales-panel]")
    page.locator("[data-testid=aftersales-line][data-sku=CUP-500] [data-testid=aftersales-apply]").click()
    page.check("[data-testid=kind-return_refund]")
    page.select_option("[data-testid=reason]", "quality")
    page.fill("[data-testid=quantity]", "1")
    page.fill("[data-testid=description]", "杯盖拧不紧，漏水")
    page.screenshot(path=str(screenshot_dir / "return_apply.png"), full_page=True)
    page.click("[data-testid=apply-submit]")
    page.wait_for_selector("[data-testid=aftersales-row]")
    app = Application.objects.get()
    assert (app.line_id, app.quantity, app.amount_fen) == (cup.pk, 1, 5900)

    # 2. The CS supervisor approves it from the queue.
    desk = _console(browser, base, "cs_lead")
    desk.goto(f"{base}/console/after-sales/")
    desk.locator(f"[data-testid=queue-row][data-number={app.number}] a").first.click()
    desk.fill("[data-testid=decision-note]", "请寄回，收到后退款")
    desk.click("[data-testid=approve]")
    desk.wait_for_selector("[data-testid=message]")
    app.refresh_from_db()
    assert app.status == "approved"

    # 3. The customer sends it back with a tracking number.
    page.goto(f"{base}/after-sales/{app.number}/")
    page.fill("[data-testid=return-carrier]", "顺丰")
    page.fill("[data-testid=return-tracking]", "SF1234567890")
    page.click("[data-testid=ship-submit]")
    page.wait_for_selector("[data-testid=aftersales-timeline]")
    app.refresh_from_db()
    assert (app.status, app.return_tracking_no) == ("return_shipped", "SF1234567890")

    # 4. The warehouse receives and inspects it: passed, back to stock; the refund goes out.
    warehouse = _console(browser, base, "wh_li")
    warehouse.goto(f"{base}/console/after-sales/{app.number}/")
    warehouse.click("[data-testid=receive]")
    warehouse.wait_for_selector("[data-testid=inspect]")
    warehouse.check("[data-testid=inspect-pass]")
    warehouse.click("[data-testid=inspect]")
    warehouse.wait_for_selector("[data-testid=message]")

    # 5. The sandbox's signed refund notification arrives; the customer sees the refund.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        app.refresh_from_db()
        if app.status == "refunded":
            break
        time.sleep(0.5)
    assert (app.status, app.refunded_fen) == ("refunded", 5900)
    page.goto(f"{base}/after-sales/{app.number}/")
    assert page.inner_text("[data-testid=aftersales-refunded]") == "¥59.00"
    page.screenshot(path=str(screenshot_dir / "return_refunded.png"), full_page=True)
    warehouse.goto(f"{base}/console/after-sales/{app.number}/")
    warehouse.screenshot(path=str(screenshot_dir / "return_desk.png"), full_page=True)
    cup.refresh_from_db()
    order.refresh_from_db()
    assert (cup.refunded_fen, order.refunded_fen, order.status) == (5900, 5900, "delivered")
    assert Stock.objects.get(sku=shop.cup, warehouse_id=shop.east).on_hand == on_hand + 1
