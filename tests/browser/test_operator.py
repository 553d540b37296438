"""The store operator's product desk in a real browser: create a product with a 2×2 SKU matrix,
meet the banned-word refusal when listing, fix the title, list it, reprice it in bulk with a
reason, read the price history and find the product in the shop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group

from shopkeeper.catalog import services
from shopkeeper.catalog.models import BannedWord, PriceChange, Product
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, role_groups_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2026!"
SYSTEM = ActorContext.system()


def _operator() -> User:
    if Group.objects.filter(name__in=Role.values).count() != len(Role):
        role_groups_sync()
    user = User.objects.create_user(username="store_operator_demo", password=PASSWORD, display_name="店铺运营")
    user.groups.set([Group.objects.get(name=Role.STORE_OPERATOR.value)])
    return user


def _catalog() -> dict[str, Any]:
    for word in ("最", "最好"):
        BannedWord.objects.get_or_create(word=word, defaults={"kind": "extreme"})
    apparel = services.category_create(actor=SYSTEM, name="服饰", name_en="apparel")
    dresses = services.category_create(actor=SYSTEM, name="连衣裙", name_en="dresses", parent=apparel)
    return {
        "brand": services.brand_create(actor=SYSTEM, name="拾光", name_en="Shiguang"),
        "dresses": dresses,
        "office": services.scene_create(actor=SYSTEM, name="通勤穿搭", name_en="office outfits"),
    }


def test_operator_creates_lists_and_reprices_a_product(page: Any, live_server: Any, screenshot_dir: Path) -> None:
    _operator()
    catalog = _catalog()
    base = live_server.url
    page.goto(f"{base}/console/")
    page.fill("#id_username", "store_operator_demo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/desk/store_operator/")

    # 1. A new product with a 2×2 matrix built from the specs; the title holds a banned word.
    page.locator("nav.sidenav a[href='/console/products/']").click()
    page.wait_for_url("**/console/products/")
    page.get_by_test_id("new-product").click()
    page.wait_for_url("**/console/products/new/")
    page.fill("#id_title", "最好的通勤连衣裙")
    page.select_option("#id_tier", "traffic")
    page.select_option("#id_brand", str(catalog["brand"].pk))
    page.select_option("#id_category", str(catalog["dresses"].pk))
    page.check(f"input[name=scenes][value='{catalog['office'].pk}']")
    page.fill("#id_selling_points", "垂感面料\n收腰显瘦")
    page.fill("#id_main_images", "/static/shopkeeper/demo/dress.svg")
    page.fill("#id_spec_name_1", "颜色")
    page.fill("#id_spec_values_1", "雾霾蓝, 燕麦白")
    page.fill("#id_spec_name_2", "尺码")
    page.fill("#id_spec_values_2", "M, L")
    page.fill("#id_code_prefix", "OP")
    page.fill("#id_default_sale_price", "199")
    page.fill("#id_default_list_price", "299")
    page.fill("#id_default_cost_price", "80")
    page.get_by_test_id("build-matrix").click()
    rows = page.get_by_test_id("sku-row")
    rows.nth(3).wait_for()
    assert rows.count() == 4
    assert page.input_value("input[name=sku-3-code]") == "OP-04"
    for index in range(4):
        page.fill(f"input[name=sku-{index}-stock_quantity]", "20")
    page.get_by_test_id("check-copy").click()
    page.locator("#copy-check mark.banned").first.wait_for()
    assert "最好" in page.get_by_test_id("copy-check").inner_text()
    page.get_by_test_id("save-product").click()
    page.get_by_test_id("status-card").wait_for()
    product = Product.objects.get()
    assert product.skus.count() == 4
    assert product.status == "draft"

    # 2. Listing is refused, naming the banned word.
    page.get_by_test_id("list-button").click()
    refusal = page.get_by_test_id("refusal")
    refusal.wait_for()
    assert "最好" in refusal.inner_text()
    page.screenshot(path=str(screenshot_dir / "operator_listing_refused.png"), full_page=True)
    product.refresh_from_db()
    assert product.status == "draft"

    # 3. Fix the title, check the copy again, save, list.
    page.fill("#id_title", "通勤连衣裙")
    page.get_by_test_id("check-copy").click()
    page.get_by_test_id("copy-clean").wait_for()
    page.get_by_test_id("save-product").click()
    page.wait_for_url(f"**/console/products/{product.pk}/")
    page.get_by_test_id("list-button").click()
    page.get_by_test_id("storefront-link").wait_for()
    product.refresh_from_db()
    assert product.status == "listed"
    assert product.title == "通勤连衣裙"

    # 4. Reprice in bulk from the list, with a reason.
    page.goto(f"{base}/console/products/")
    page.check(f"input[name=ids][value='{product.pk}']")
    page.select_option("#id_field", "sale")
    page.select_option("#id_mode", "percent")
    page.fill("#id_value", "-10")
    page.fill("#id_reason", "换季调价")
    page.get_by_test_id("bulk-price-submit").click()
    page.wait_for_url("**/console/products/")
    page.locator(".flash").wait_for()
    assert set(product.skus.values_list("sale_price_fen", flat=True)) == {17910}
    assert PriceChange.objects.filter(reason="换季调价").count() == 4
    assert "¥179.10" in page.get_by_test_id("product-table").inner_text()
    page.screenshot(path=str(screenshot_dir / "operator_product_list.png"), full_page=True)

    # 5. The price history shows who, what and why.
    page.goto(f"{base}/console/products/{product.pk}/")
    history = page.get_by_test_id("price-history").inner_text()
    assert "换季调价" in history
    assert "¥199.00" in history
    assert "¥179.10" in history
    assert "store_operator_demo" in history
    page.screenshot(path=str(screenshot_dir / "operator_product_editor.png"), full_page=True)

    # 6. Shoppers see it.
    page.get_by_test_id("storefront-link").click()
    page.wait_for_url(f"**/product/{product.pk}/")
    assert "通勤连衣裙" in page.locator("h1").first.inner_text()
    assert "179.10" in page.locator("body").inner_text()
    page.screenshot(path=str(screenshot_dir / "operator_storefront_product.png"), full_page=True)
