"""Each role signs in through the real login page, lands on its own desk in a real browser,
sees only its own navigation, and leaves a screenshot of its console home in var/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import role_groups_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2026!"


def _staff(role: Role) -> User:
    if Group.objects.filter(name__in=Role.values).count() != len(Role):
        role_groups_sync()
    user = User.objects.create_user(username=f"{role.value}_demo", password=PASSWORD, display_name=f"{role.label}")
    user.groups.set([Group.objects.get(name=role.value)])
    return user


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_role_signs_in_to_its_desk(role: Role, page: Any, live_server: Any, screenshot_dir: Path) -> None:
    _staff(role)
    _sign_in(page, live_server.url, f"{role.value}_demo")
    page.wait_for_url(f"{live_server.url}/console/desk/{role.value}/")
    title = page.get_by_test_id("desk-title")
    assert title.is_visible()
    nav = page.locator("nav.sidenav").inner_text()
    # The default language is Chinese: navigation and title are translated.
    assert "API 令牌" in nav
    if role is Role.PLATFORM_ADMIN:
        assert "审计日志" in nav
        page.get_by_test_id("staff-chart").locator("canvas").wait_for()
    else:
        assert "审计日志" not in nav
        assert page.get_by_test_id("no-data").is_visible()
    page.screenshot(path=str(screenshot_dir / f"{role.value}.png"), full_page=True)


def test_admin_creates_a_colleague_who_signs_in(page: Any, live_server: Any, screenshot_dir: Path) -> None:
    _staff(Role.PLATFORM_ADMIN)
    _sign_in(page, live_server.url, "platform_admin_demo")
    page.wait_for_url("**/console/desk/platform_admin/")
    page.goto(f"{live_server.url}/console/staff/new/")
    page.fill("#id_username", "liu_yang")
    page.fill("#id_display_name", "刘洋")
    page.fill("#id_password", PASSWORD)
    page.check("input[name=roles][value=procurement]")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/staff/")
    assert "liu_yang" in page.locator("table").inner_text()

    page.click("header form button")  # sign out
    _sign_in(page, live_server.url, "liu_yang")
    page.wait_for_url("**/console/desk/procurement/")
    assert User.objects.get(username="liu_yang").last_login is not None


def test_language_switch_to_english(page: Any, live_server: Any) -> None:
    _staff(Role.STORE_OPERATOR)
    _sign_in(page, live_server.url, "store_operator_demo")
    page.wait_for_url("**/console/desk/store_operator/")
    page.select_option("#language-select", "en")
    page.wait_for_load_state("load")
    page.get_by_text("Store operator", exact=True).first.wait_for()
    assert "API tokens" in page.locator("nav.sidenav").inner_text()


def test_staff_search_filters_as_you_type(page: Any, live_server: Any) -> None:
    """HTMX swaps the staff table in place while the admin types."""
    _staff(Role.PLATFORM_ADMIN)
    for role in (Role.WAREHOUSE, Role.PROCUREMENT, Role.BRAND):
        _staff(role)
    _sign_in(page, live_server.url, "platform_admin_demo")
    page.wait_for_url("**/console/desk/platform_admin/")
    page.goto(f"{live_server.url}/console/staff/")
    table = page.get_by_test_id("staff-table")
    assert "warehouse_demo" in table.inner_text()
    page.fill("input[name=q]", "procure")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=staff-table]').innerText.includes('warehouse_demo')"
    )
    text = page.get_by_test_id("staff-table").inner_text()
    assert "procurement_demo" in text
    assert "brand_demo" not in text
    assert "q=procure" in page.url  # the filtered list is bookmarkable
