"""A shopper on a phone registers (mobile + password), lands in the account centre, adds an address
with the province → city select, and sees it in the address book; then signs out and back in.
Leaves account_register.png, account_centre.png, account_address_form.png and
account_addresses.png in var/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from shopkeeper.customers.models import Address, Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
PASSWORD = "tea-garden-42-lantern"


def test_phone_shopper_registers_and_keeps_an_address(phone: Any, live_server: Any, screenshot_dir: Path) -> None:
    page = phone
    page.goto(f"{live_server.url}/")
    page.get_by_test_id("header-sign-in").tap()
    page.wait_for_url(re.compile(r"/account/login/"))
    page.get_by_test_id("register-link").tap()
    page.wait_for_url(re.compile(r"/account/register/"))
    page.goto(f"{live_server.url}/account/register/?channel=小红书")

    page.fill("#id_mobile", "139 1234 5678")
    page.fill("#id_nickname", "小鱼")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    assert page.evaluate(FITS), "the registration page scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "account_register.png"), full_page=True)
    page.get_by_test_id("register-submit").tap()

    page.wait_for_url(f"{live_server.url}/account/")
    assert "小鱼" in page.get_by_test_id("account-greeting").inner_text()
    assert page.get_by_test_id("header-account").is_visible()
    assert page.evaluate(FITS), "the account centre scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "account_centre.png"), full_page=True)
    assert Customer.objects.get(mobile="13912345678").channel == "小红书"

    page.get_by_test_id("account-addresses").tap()
    page.wait_for_url("**/account/addresses/")
    assert page.get_by_test_id("address-empty").is_visible()
    page.get_by_test_id("address-add").tap()
    page.wait_for_url("**/account/addresses/new/")

    assert page.input_value("#id_mobile") == "13912345678"  # the shopper's own number, filled in
    page.fill("#id_recipient", "于小鱼")
    page.select_option("#id_province", "浙江省")
    # HTMX fetches the province's cities into the city select.
    page.wait_for_function("document.querySelector('#id_city').options.length > 2")
    cities = page.eval_on_selector_all("#id_city option", "options => options.map(o => o.value)")
    assert "杭州市" in cities
    assert "南京市" not in cities
    page.select_option("#id_city", "杭州市")
    page.fill("#id_district", "西湖区")
    page.fill("#id_detail", "文三路 90 号 东部软件园 3 号楼 502")
    assert page.evaluate(FITS), "the address form scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "account_address_form.png"), full_page=True)
    page.get_by_test_id("address-save").tap()

    page.wait_for_url("**/account/addresses/")
    card = page.get_by_test_id("address")
    assert card.count() == 1
    assert card.get_by_test_id("address-recipient").inner_text() == "于小鱼"
    assert "浙江省 杭州市 西湖区 文三路 90 号" in card.get_by_test_id("address-line").inner_text()
    assert card.get_by_test_id("address-default").is_visible()  # the first address is the default
    assert page.evaluate(FITS), "the address book scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "account_addresses.png"), full_page=True)
    assert Address.objects.get().city == "杭州市"

    # Sign out, then back in with the mobile number and password.
    page.goto(f"{live_server.url}/account/")
    page.get_by_test_id("account-logout").tap()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_test_id("header-sign-in").is_visible()
    page.goto(f"{live_server.url}/account/addresses/")
    page.wait_for_url(re.compile(r"/account/login/\?next="))
    page.fill("#id_mobile", "13912345678")
    page.fill("#id_password", PASSWORD)
    page.get_by_test_id("login-submit").tap()
    page.wait_for_url(f"{live_server.url}/account/addresses/")
    assert page.get_by_test_id("address").count() == 1
