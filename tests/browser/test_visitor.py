"""A visitor shops in a real browser: home page, a category, a price filter, a product page where
picking a spec changes the price, and a search in Chinese. Leaves visitor_home.png and
visitor_product.png in var/screenshots/."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from shopkeeper.catalog import services
from shopkeeper.catalog.models import Product
from shopkeeper.core.domain.money import Money
from shopkeeper.core.services import ActorContext

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = ActorContext.system()


def picture(colour: str, label: str) -> str:
    """A small inline SVG picture, so the page shows images without any network."""
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='400' height='400'><rect width='400' height='400' "
        f"fill='{colour}'/><text x='200' y='215' font-size='44' text-anchor='middle' fill='white'>{label}</text></svg>"
    )
    return "data:image/svg+xml;charset=utf-8," + quote(svg)


def _sku(code: str, price: str, stock: int, **spec: str) -> services.SkuInput:
    return services.SkuInput(
        code=code,
        spec_values=spec,
        sale_price=Money.from_yuan(price),
        list_price=Money.from_yuan(price).scale(Decimal("1.5")),
        cost_price=Money.from_yuan("60.00"),
        stock_quantity=stock,
    )


def _shop() -> dict[str, Product]:
    """A small shop the way the store operator builds it: categories, a scene, listed products, a home page."""
    apparel = services.category_create(actor=SYSTEM, name="服饰", name_en="Apparel", slug="apparel")
    dresses = services.category_create(actor=SYSTEM, name="连衣裙", name_en="Dresses", parent=apparel, slug="dresses")
    home = services.category_create(actor=SYSTEM, name="家居", name_en="Home", slug="home")
    brand = services.brand_create(actor=SYSTEM, name="拾光", name_en="Shiguang")
    office = services.scene_create(actor=SYSTEM, name="通勤穿搭", name_en="Office outfits", slug="office")

    def make(title: str, category: Any, colour: str, skus: list[services.SkuInput], specs: list[str]) -> Product:
        product = services.product_create(
            actor=SYSTEM,
            data=services.ProductInput(
                title=title,
                brand_id=brand.pk,
                category_id=category.pk,
                skus=skus,
                spec_names=specs,
                selling_points=["垂感面料", "收腰显瘦", "机洗不变形"],
                description="三醋酸面料，垂坠有型，通勤约会都合适。",
                scene_ids=[office.pk],
                main_images=[picture(colour, title[-3:]), picture("#8c8c8c", "细节")],
                detail_images=[picture(colour, "详情")],
            ),
        )
        return services.product_list(actor=SYSTEM, product=product)

    dress = make(
        "法式收腰连衣裙",
        dresses,
        "#d4380d",
        [
            _sku("DRESS-BLUE-M", "199.00", 12, 颜色="雾霾蓝", 尺码="M"),
            _sku("DRESS-BLUE-L", "199.00", 0, 颜色="雾霾蓝", 尺码="L"),
            _sku("DRESS-WHITE-M", "259.00", 2, 颜色="燕麦白", 尺码="M"),
            _sku("DRESS-WHITE-L", "259.00", 8, 颜色="燕麦白", 尺码="L"),
        ],
        ["颜色", "尺码"],
    )
    tee = make("纯棉基础款T恤", apparel, "#389e0d", [_sku("TEE-1", "59.00", 50, 颜色="白")], ["颜色"])
    coat = make("双面羊绒大衣", apparel, "#1f2329", [_sku("COAT-1", "899.00", 5, 颜色="驼色")], ["颜色"])
    make("香薰蜡烛", home, "#faad14", [_sku("CANDLE-1", "88.00", 30)], [])
    Product.objects.filter(pk=dress.pk).update(sales_count=860, rating_count=25, rating_sum=118)
    Product.objects.filter(pk=tee.pk).update(sales_count=2300)

    services.home_module_save(
        actor=SYSTEM,
        kind="hero_banner",
        title="夏日上新",
        config={"image_url": picture("#d4380d", "夏日上新"), "link": "/category/dresses/", "subtitle": "全场包邮"},
    )
    services.home_module_save(actor=SYSTEM, kind="category_nav", title="逛分类", config={"category_ids": []})
    services.home_module_save(actor=SYSTEM, kind="scene_entries", title="按场景逛", config={"scene_ids": []})
    services.home_module_save(actor=SYSTEM, kind="best_sellers", title="热销榜", config={"count": 8})
    services.home_module_save(actor=SYSTEM, kind="new_arrivals", title="新品", config={"count": 4})
    return {"dress": dress, "tee": tee, "coat": coat}


def test_visitor_browses_filters_picks_a_spec_and_searches(page: Any, live_server: Any, screenshot_dir: Path) -> None:
    shop = _shop()
    base = live_server.url

    page.goto(f"{base}/")
    assert page.get_by_test_id("home-hero").is_visible()
    best = page.get_by_test_id("home-best_sellers").get_by_test_id("product-card")
    assert best.first.get_attribute("data-product-id") == str(shop["tee"].pk)  # best seller first
    page.screenshot(path=str(screenshot_dir / "visitor_home.png"), full_page=True)

    page.get_by_test_id("home-categories").get_by_role("link", name="服饰").click()
    page.wait_for_url("**/category/apparel/")
    cards = page.get_by_test_id("product-grid").get_by_test_id("product-card")
    assert cards.count() == 3  # the dress sits in a sub-category and still shows

    page.fill("#filter-min-price", "150")
    page.fill("#filter-max-price", "300")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url(re.compile(r"min_price=150"))
    assert cards.count() == 1
    cards.first.click()

    page.wait_for_url(f"**/product/{shop['dress'].pk}/")
    price = page.get_by_test_id("sku-price")
    assert price.inner_text() == "¥199.00 – ¥259.00"
    page.locator(".spec-option", has_text="燕麦白").click()
    page.locator(".spec-option", has_text="M").click()
    page.wait_for_function("document.getElementById('sku-price').textContent === '¥259.00'")
    assert page.get_by_test_id("sku-code").inner_text() == "DRESS-WHITE-M"
    assert page.get_by_test_id("sku-availability").get_attribute("data-state") == "in-stock"
    page.locator(".spec-option", has_text="雾霾蓝").click()
    page.locator(".spec-option", has_text="L").click()
    page.wait_for_function("document.getElementById('sku-price').textContent === '¥199.00'")
    assert page.get_by_test_id("sku-availability").get_attribute("data-state") == "out-of-stock"
    assert page.get_by_test_id("rating-average").inner_text() == "4.7"
    page.screenshot(path=str(screenshot_dir / "visitor_product.png"), full_page=True)

    page.fill("#shop-search-input", "连衣裙")
    page.get_by_test_id("search-form").get_by_role("button").click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    found = page.get_by_test_id("product-card")
    assert found.count() == 1
    assert found.first.get_attribute("data-product-id") == str(shop["dress"].pk)
