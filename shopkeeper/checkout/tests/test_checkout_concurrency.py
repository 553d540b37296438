"""No oversell: many customers check out the last units at the same moment, on PostgreSQL.

Each buyer is a real thread with its own database connection, released together by a barrier;
the ledger must balance and the orders placed must equal the units there were, never more.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.customers import services as customers
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory import services as stock
from shopkeeper.orders.models import Order

BUYERS = 60
UNITS = 20


def _buy(customer_id: int, address_id: int, sku_id: int, barrier: threading.Barrier, results: list[object]) -> None:
    try:
        customer = User.objects.get(pk=customer_id)
        cart = checkout.cart_for_customer(customer)
        checkout.cart_add(cart=cart, sku_id=sku_id, quantity=1)
        barrier.wait(timeout=30)
        order = checkout.checkout_submit(
            cart=cart, customer=customer, address_id=address_id, idempotency_key="rush", actor=SYSTEM
        )
        results.append(order.number)
    except ShopkeeperError as refused:
        results.append(refused)
    except Exception as crashed:
        results.append(crashed)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_sixty_buyers_for_twenty_units_make_twenty_orders(shop: Shop) -> None:
    sku = shop.cup  # 50 in East, 50 in South: bring it down to 20 in all
    stock.stocktake(sku_id=sku.pk, warehouse_id=shop.east, counted=12, actor=SYSTEM, reason="测试")
    stock.stocktake(sku_id=sku.pk, warehouse_id=shop.south, counted=8, actor=SYSTEM, reason="测试")
    buyers: list[tuple[int, int]] = []
    for index in range(BUYERS):
        user = customers.customer_register(mobile=f"137{index:08d}", password="Shop-Demo-2026")
        address = customers.address_create(
            user=user,
            recipient="买家",
            mobile=f"137{index:08d}",
            province="上海市",
            city="上海市",
            district="静安区",
            detail="南京西路 1 号",
        )
        buyers.append((user.pk, address.pk))
    barrier = threading.Barrier(BUYERS)
    results: list[object] = []
    threads = [
        threading.Thread(target=_buy, args=(user_id, address_id, sku.pk, barrier, results))
        for user_id, address_id in buyers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    placed = [result for result in results if isinstance(result, str)]
    crashed = [result for result in results if not isinstance(result, str | ShopkeeperError)]
    assert crashed == []
    assert len(results) == BUYERS
    assert len(placed) == UNITS
    assert Order.objects.filter(lines__sku=sku).count() == UNITS
    assert stock_reads.sku_availability([sku.pk]) == {sku.pk: 0}
    assert stock_reads.ledger_imbalances() == []
