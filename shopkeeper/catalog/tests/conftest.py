"""Catalog fixtures: a small category tree, a brand, scenes, and a product factory via services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shopkeeper.catalog import services
from shopkeeper.catalog.models import BannedWord, Brand, Category, Product, Scene
from shopkeeper.core.domain.money import Money
from shopkeeper.core.services import ActorContext

SYSTEM = ActorContext.system()


@pytest.fixture
def catalog_base(db: None) -> dict[str, Any]:
    BannedWord.objects.get_or_create(word="最", defaults={"kind": "extreme"})
    BannedWord.objects.get_or_create(word="第一", defaults={"kind": "extreme"})
    BannedWord.objects.get_or_create(word="国家级", defaults={"kind": "authority"})
    apparel = services.category_create(actor=SYSTEM, name="服饰", name_en="apparel")
    women = services.category_create(actor=SYSTEM, name="女装", name_en="womenswear", parent=apparel)
    dresses = services.category_create(actor=SYSTEM, name="连衣裙", name_en="dresses", parent=women)
    home = services.category_create(actor=SYSTEM, name="家居", name_en="home")
    return {
        "brand": services.brand_create(actor=SYSTEM, name="拾光", name_en="Shiguang"),
        "other_brand": services.brand_create(actor=SYSTEM, name="栖木", name_en="Qimu"),
        "apparel": apparel,
        "women": women,
        "dresses": dresses,
        "home": home,
        "office": services.scene_create(actor=SYSTEM, name="通勤穿搭", name_en="office outfits"),
        "camping": services.scene_create(actor=SYSTEM, name="周末露营", name_en="weekend camping"),
    }


def sku(
    code: str, sale: str = "199.00", list_price: str = "299.00", cost: str = "80.00", **specs: str
) -> services.SkuInput:
    return services.SkuInput(
        code=code,
        spec_values=specs,
        sale_price=Money.from_yuan(sale),
        list_price=Money.from_yuan(list_price),
        cost_price=Money.from_yuan(cost),
        stock_quantity=10,
    )


def product_input(base: dict[str, Any], **overrides: Any) -> services.ProductInput:
    data: dict[str, Any] = {
        "title": "法式收腰连衣裙",
        "brand_id": base["brand"].pk,
        "category_id": base["dresses"].pk,
        "spec_names": ["颜色", "尺码"],
        "skus": [
            sku("D-BLUE-M", 颜色="雾霾蓝", 尺码="M"),
            sku("D-BLUE-L", 颜色="雾霾蓝", 尺码="L"),
            sku("D-WHITE-M", "219.00", 颜色="燕麦白", 尺码="M"),
            sku("D-WHITE-L", "219.00", 颜色="燕麦白", 尺码="L"),
        ],
        "selling_points": ["垂感面料", "收腰显瘦"],
        "scene_ids": [base["office"].pk],
        "main_images": ["/static/shopkeeper/demo/dress.svg"],
        "detail_images": ["/static/shopkeeper/demo/dress.svg"],
    }
    data.update(overrides)
    return services.ProductInput(**data)


@pytest.fixture
def make_product(catalog_base: dict[str, Any]) -> Callable[..., Product]:
    def make(*, listed: bool = False, **overrides: Any) -> Product:
        product = services.product_create(actor=SYSTEM, data=product_input(catalog_base, **overrides))
        if listed:
            product = services.product_list(actor=SYSTEM, product=product)
        return Product.objects.get(pk=product.pk)

    return make


__all__ = ["Brand", "Category", "Scene", "product_input", "sku"]
