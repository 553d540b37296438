"""The storefront on a phone: nothing wider than the screen, scene browsing, sorting, search
suggestions while typing. Leaves phone_home.png, phone_scene.png and phone_product.png in
var/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_visitor import _shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_phone_visitor_browses_a_scene_sorts_and_searches_with_suggestions(
    phone: Any, live_server: Any, screenshot_dir: Path
) -> None:
    shop = _shop()
    page = phone
    page.goto(f"{live_server.url}/")
    assert page.evaluate(FITS), "the home page scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "phone_home.png"), full_page=True)

    page.get_by_test_id("home-scenes").get_by_role("link", name=re.compile("通勤穿搭")).tap()
    page.wait_for_url("**/scene/office/")
    cards = page.get_by_test_id("product-grid").get_by_test_id("product-card")
    assert cards.count() == 4
    assert page.evaluate(FITS), "the scene page scrolls sideways on a phone"

    page.goto(f"{live_server.url}/scene/office/?sort=price_asc")
    ids = [int(card.get_attribute("data-product-id")) for card in cards.all()]
    assert ids[0] == shop["tee"].pk  # ¥59, then the ¥88 candle, the dress from ¥199, the ¥899 coat
    assert ids[2:] == [shop["dress"].pk, shop["coat"].pk]
    page.screenshot(path=str(screenshot_dir / "phone_scene.png"), full_page=True)

    page.fill("#shop-search-input", "连衣")
    page.wait_for_function("document.querySelectorAll('#shop-search-suggestions option').length > 0")
    options = page.eval_on_selector_all("#shop-search-suggestions option", "els => els.map(e => e.value)")
    assert "法式收腰连衣裙" in options

    page.fill("#shop-search-input", "连衣裙")
    page.get_by_test_id("search-form").get_by_role("button").tap()
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.get_by_test_id("product-card").first.tap()
    page.wait_for_url(f"**/product/{shop['dress'].pk}/")
    assert page.evaluate(FITS), "the product page scrolls sideways on a phone"
    page.screenshot(path=str(screenshot_dir / "phone_product.png"), full_page=True)
