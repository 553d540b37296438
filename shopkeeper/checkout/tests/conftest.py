"""A small shop to buy from: two listed SKUs stocked in East and South China, a customer with a
Shanghai address, and a helper to pay an order through the sandbox's notification handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from shopkeeper.catalog.enums import ProductStatus
from shopkeeper.catalog.models import Brand, Category, Product, Sku
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import services as customers
from shopkeeper.inventory import services as stock

SYSTEM = ActorContext.system()
PASSWORD = "Shop-Demo-2026"


@dataclass
class Shop:
    dress: Sku  # ¥199.00
    cup: Sku  # ¥59.00
    delisted: Sku
    east: int  # warehouse ids
    south: int
    customer: User
    address_id: int


def _product(title: str, price_fen: int, code: str, *, category: Category, brand: Brand, listed: bool = True) -> Sku:
    product = Product.objects.create(
        title=title,
        brand=brand,
        category=category,
        status=ProductStatus.LISTED if listed else ProductStatus.DELISTED,
        spec_names=["颜色"],
        min_price_fen=price_fen,
        max_price_fen=price_fen,
    )
    return Sku.objects.create(
        product=product,
        code=code,
        spec_values={"颜色": "雾霾蓝"},
        cost_price_fen=price_fen // 3,
        list_price_fen=price_fen,
        sale_price_fen=price_fen,
        weight_g=300,
    )


@pytest.fixture
def shop(db: None) -> Shop:
    brand = Brand.objects.create(name="拾光", name_en="Shiguang", slug="shiguang")
    category = Category.objects.create(name="连衣裙", name_en="Dresses", slug="dresses", depth=0)
    category.path = f"{category.pk}/"
    category.save(update_fields=["path"])
    dress = _product("法式收腰连衣裙", 19900, "DRESS-M", category=category, brand=brand)
    cup = _product("316不锈钢保温杯", 5900, "CUP-500", category=category, brand=brand)
    delisted = _product("已下架的围巾", 9900, "SCARF", category=category, brand=brand, listed=False)
    east = stock.warehouse_create(
        actor=SYSTEM, code="EAST", name="华东仓", region="east", provinces=["上海市", "江苏省", "浙江省"]
    )
    south = stock.warehouse_create(actor=SYSTEM, code="SOUTH", name="华南仓", region="south", provinces=["广东省"])
    stock.stock_receive(sku_id=dress.pk, warehouse_id=east.pk, quantity=5, actor=SYSTEM)
    stock.stock_receive(sku_id=cup.pk, warehouse_id=east.pk, quantity=50, actor=SYSTEM)
    stock.stock_receive(sku_id=cup.pk, warehouse_id=south.pk, quantity=50, actor=SYSTEM)
    stock.stock_receive(sku_id=delisted.pk, warehouse_id=east.pk, quantity=5, actor=SYSTEM)
    customer = customers.customer_register(mobile="13800138001", password=PASSWORD, nickname="小王")
    address = customers.address_create(
        user=customer,
        recipient="王小明",
        mobile="13800138001",
        province="上海市",
        city="上海市",
        district="徐汇区",
        detail="漕溪北路 88 号 1201",
    )
    return Shop(
        dress=dress, cup=cup, delisted=delisted, east=east.pk, south=south.pk, customer=customer, address_id=address.pk
    )


@pytest.fixture
def second_customer(db: None) -> Callable[[str], User]:
    def make(mobile: str) -> User:
        user = customers.customer_register(mobile=mobile, password=PASSWORD)
        customers.address_create(
            user=user,
            recipient="李雷",
            mobile=mobile,
            province="广东省",
            city="广州市",
            district="天河区",
            detail="体育西路 1 号",
        )
        return user

    return make
