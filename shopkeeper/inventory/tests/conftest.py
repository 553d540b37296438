"""Inventory fixtures: three regional warehouses and a product with SKUs that start with no stock."""

from __future__ import annotations

from typing import Any

import pytest

from shopkeeper.catalog import services as catalog_services
from shopkeeper.catalog.tests.conftest import catalog_base, product_input
from shopkeeper.core.domain.money import Money
from shopkeeper.core.domain.regions import Region, provinces_in
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import services
from shopkeeper.inventory.models import Warehouse

SYSTEM = ActorContext.system()

__all__ = ["SYSTEM", "catalog_base"]


def names(region: Region) -> list[str]:
    return [province.name for province in provinces_in(region)]


@pytest.fixture
def warehouses(db: None) -> dict[str, Warehouse]:
    """华东仓 (Shanghai, serves East China), 华南仓 (Guangzhou), 华北仓 (Beijing)."""
    return {
        "east": services.warehouse_create(
            actor=SYSTEM, code="EAST-SH", name="华东仓", region="east", provinces=names(Region.EAST), city="上海市",
            position=1,
        ),
        "south": services.warehouse_create(
            actor=SYSTEM, code="SOUTH-GZ", name="华南仓", region="south", provinces=names(Region.SOUTH),
            city="广州市", position=2,
        ),
        "north": services.warehouse_create(
            actor=SYSTEM, code="NORTH-BJ", name="华北仓", region="north", provinces=names(Region.NORTH),
            city="北京市", position=3,
        ),
    }  # fmt: skip


def sku_input(code: str, **specs: str) -> catalog_services.SkuInput:
    return catalog_services.SkuInput(
        code=code,
        spec_values=specs,
        sale_price=Money.from_yuan("199.00"),
        list_price=Money.from_yuan("299.00"),
        cost_price=Money.from_yuan("80.00"),
        stock_quantity=0,
    )


@pytest.fixture
def skus(catalog_base: dict[str, Any]) -> list[int]:
    """Three SKUs of one listed product, no stock anywhere yet."""
    data = product_input(
        catalog_base,
        spec_names=["颜色"],
        skus=[
            sku_input("INV-BLUE", 颜色="雾霾蓝"),
            sku_input("INV-WHITE", 颜色="燕麦白"),
            sku_input("INV-PINK", 颜色="樱花粉"),
        ],
    )
    product = catalog_services.product_create(actor=SYSTEM, data=data)
    catalog_services.product_list(actor=SYSTEM, product=product)
    return list(product.skus.order_by("pk").values_list("pk", flat=True))
