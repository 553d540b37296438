"""After-sales fixtures: the checkout's small shop, orders paid through the sandbox, moved on to
shipped or delivered through the orders services, and staff of the after-sales roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, second_customer, shop  # noqa: F401  (fixtures)
from shopkeeper.checkout.tests.test_order_payment_flow import pay, settle  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.orders import services as orders
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)
from shopkeeper.pricing.domain.pipeline import PricedCart, PricedLine

SHIPPING_FEN = 800

__all__ = ["SYSTEM", "Shop", "bought", "pay", "placed"]


def placed(shop: Shop, *lines: tuple[Any, int], key: str = "k") -> Any:  # noqa: F811  (a Shop, not the fixture)
    """An order placed straight through the orders service at list prices (no cart, no
    promotions: after-sales starts from the order as it was sold)."""
    priced_lines = tuple(
        PricedLine(
            key=sku.code,
            sku_id=sku.pk,
            title=sku.product.title,
            unit_price=Money(sku.sale_price_fen),
            quantity=quantity,
            subtotal=Money(sku.sale_price_fen * quantity),
            discount=Money(0),
            total=Money(sku.sale_price_fen * quantity),
            explanation=(),
        )
        for sku, quantity in lines
    )
    goods = sum(line.total.fen for line in priced_lines)
    priced = PricedCart(
        lines=priced_lines,
        subtotal=Money(goods),
        discount=Money(0),
        shipping=Money(SHIPPING_FEN),
        total=Money(goods + SHIPPING_FEN),
        explanation=(),
    )
    facts = {
        sku.code: orders.LineFacts(
            sku_id=sku.pk,
            product_id=sku.product_id,
            sku_code=sku.code,
            title=sku.product.title,
            spec_label="",
            image="",
        )
        for sku, _quantity in lines
    }
    ship_to = orders.ShipTo(
        recipient="王小明",
        mobile="13800138001",
        province="上海市",
        city="上海市",
        district="徐汇区",
        detail="漕溪北路 88 号",
        region="east",
    )
    with transaction.atomic():
        return orders.order_place(
            customer=shop.customer, priced=priced, facts=facts, ship_to=ship_to, idempotency_key=key, actor=SYSTEM
        )


def bought(shop: Shop, settle: Any, *lines: tuple[Any, int], stage: str = "delivered", key: str = "k") -> Any:  # noqa: F811
    """An order of `lines`, paid, then shipped and delivered as far as `stage` says."""
    order = placed(shop, *lines, key=key)
    pay(order, settle)
    if stage in ("shipped", "delivered"):
        orders.order_ship(order_id=order.pk, actor=SYSTEM)
    if stage == "delivered":
        orders.order_deliver(order_id=order.pk, actor=SYSTEM)
    order.refresh_from_db()
    return order


@pytest.fixture
def staff(make_staff: Callable[..., User]) -> dict[str, ActorContext]:
    from shopkeeper.core.enums import AuditChannel

    def actor(role: Role) -> ActorContext:
        return ActorContext(user=make_staff(role), channel=AuditChannel.CONSOLE)

    return {
        "agent": actor(Role.CS_AGENT),
        "supervisor": actor(Role.CS_SUPERVISOR),
        "warehouse": actor(Role.WAREHOUSE),
    }
