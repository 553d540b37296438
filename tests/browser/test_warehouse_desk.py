"""The warehouse desk in a real browser: sign in as `warehouse`, open the queue, print the
picking list and mark it picked, pack by scanning each unit (a wrong code is refused), ship with
a tracking number and see the parcel shipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from shopkeeper.checkout.tests.conftest import Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import role_groups_sync
from shopkeeper.fulfillment.models import Shipment
from shopkeeper.fulfillment.services import carriers_seed
from shopkeeper.fulfillment.tests.conftest import pay, place, settle  # noqa: F401  (fixtures)
from shopkeeper.orders.models import Order
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2026!"


def _warehouse_user() -> User:
    if Group.objects.filter(name__in=Role.values).count() != len(Role):
        role_groups_sync()
    carriers_seed()  # seeded by migration; a transactional test before this one may have flushed them
    user = User.objects.create_user(username="warehouse", password=PASSWORD, display_name="仓库主管")
    user.groups.set([Group.objects.get(name=Role.WAREHOUSE.value)])
    return user


def test_warehouse_picks_packs_and_ships_an_order(
    page: Any,
    live_server: Any,
    screenshot_dir: Path,
    shop: Shop,  # noqa: F811
    place: Callable[..., Order],  # noqa: F811
    pay: Callable[[Order], Order],  # noqa: F811
) -> None:
    _warehouse_user()
    order = pay(place((shop.cup, 2), (shop.dress, 1)))
    shipment = Shipment.objects.get(order_id=order.pk)
    base = live_server.url
    page.goto(f"{base}/console/")
    page.fill("#id_username", "warehouse")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/desk/warehouse/")

    # 1. The queue lists the paid order; the picking list adds up its units by SKU and bin.
    page.locator("nav.sidenav a[href='/console/fulfillment/queue/']").click()
    page.wait_for_url("**/console/fulfillment/queue/")
    row = page.locator(f"[data-testid=queue-row][data-shipment='{shipment.pk}']")
    assert order.number in row.inner_text()
    page.check(f"input[name=shipment][value='{shipment.pk}']")
    page.get_by_test_id("make-pick-list").click()
    page.wait_for_url("**/console/fulfillment/pick/**")
    assert page.locator("[data-testid=pick-row][data-sku='CUP-500'] td.num").first.inner_text() == "2"
    page.get_by_test_id("mark-picked").click()
    page.wait_for_url("**/console/fulfillment/queue/?warehouse=*&status=picked")

    # 2. Pack by scanning: a code that is not in the parcel is refused; each unit is counted.
    page.locator(f"[data-testid=queue-row][data-shipment='{shipment.pk}'] [data-testid=shipment-link]").click()
    page.wait_for_url(f"**/console/fulfillment/shipments/{shipment.pk}/")
    page.fill("#scan-code", "SCARF")
    with page.expect_navigation():  # each scan posts the form and the page comes back
        page.keyboard.press("Enter")
    assert "SCARF" in page.locator(".flash-error").inner_text()
    assert page.get_by_test_id("pack").is_disabled()
    for code in ("CUP-500", "DRESS-M", "CUP-500"):
        page.fill("#scan-code", code)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.locator("[data-testid=shipment-line][data-sku='CUP-500'] [data-testid=scanned]").inner_text() == "2 ✓"
    page.get_by_test_id("pack").click()

    # 3. Ship with SF and a tracking number in SF's format (a wrong one is refused first).
    page.get_by_test_id("ship-form").wait_for()
    page.select_option("#carrier", "SF")
    page.fill("#tracking", "12345")
    with page.expect_navigation():
        page.get_by_test_id("ship").click()
    assert "12345" in page.locator(".flash-error").inner_text()
    page.select_option("#carrier", "SF")
    page.fill("#tracking", "SF500000000001")
    page.get_by_test_id("ship").click()
    page.get_by_test_id("tracking-no").wait_for()
    assert page.get_by_test_id("tracking-no").inner_text() == "SF500000000001"
    assert page.get_by_test_id("shipment-status").inner_text() in {"已发货", "Shipped"}
    page.screenshot(path=str(screenshot_dir / "warehouse-desk-shipped.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "shipped"
