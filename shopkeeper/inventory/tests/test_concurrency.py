"""No oversell under concurrency (PostgreSQL): many buyers at once, each in its own thread with its
own database connection, for fewer units than buyers. Exactly as many succeed as there are units,
the rest are told it is out of stock, nothing deadlocks and the ledger balances."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from shopkeeper.inventory import selectors, services
from shopkeeper.inventory.errors import OutOfStock
from shopkeeper.inventory.models import Stock, StockReservation, Warehouse
from shopkeeper.inventory.services import ReserveLine
from shopkeeper.inventory.tests.conftest import SYSTEM

BUYERS = 50
UNITS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]


def _race(buyer_lines: list[list[ReserveLine]], province: str) -> list[object]:
    """Start every buyer at the same moment; each reserves in its own transaction and connection."""
    results: list[object] = [None] * len(buyer_lines)
    barrier = threading.Barrier(len(buyer_lines))

    def buy(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                results[index] = services.stock_reserve(
                    reference=f"order:RACE{index}", lines=buyer_lines[index], province=province, actor=SYSTEM
                )
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(index,)) for index in range(len(buyer_lines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer hung: a lock was never released"
    return results


def _outcomes(results: list[object]) -> tuple[list[Any], list[Any], list[Any]]:
    won = [r for r in results if isinstance(r, list)]
    out = [r for r in results if isinstance(r, OutOfStock)]
    other = [r for r in results if not isinstance(r, list | OutOfStock)]
    return won, out, other


def test_fifty_buyers_for_twenty_units_never_oversell(warehouses: dict[str, Warehouse], skus: list[int]) -> None:
    sku = skus[0]
    services.stock_receive(sku_id=sku, warehouse_id=warehouses["east"].pk, quantity=UNITS, actor=SYSTEM)

    results = _race([[ReserveLine(sku, 1)] for _ in range(BUYERS)], "上海市")

    won, out, other = _outcomes(results)
    assert other == []
    assert len(won) == UNITS
    assert len(out) == BUYERS - UNITS
    line = Stock.objects.get(warehouse=warehouses["east"], sku_id=sku)
    assert (line.on_hand, line.reserved, line.available) == (UNITS, UNITS, 0)
    assert StockReservation.objects.filter(state="active").count() == UNITS
    assert selectors.ledger_imbalances() == []
    assert selectors.sku_availability([sku]) == {sku: 0}


def test_buyers_taking_several_skus_in_different_orders_do_not_deadlock(
    warehouses: dict[str, Warehouse], skus: list[int]
) -> None:
    # Ten of each SKU in East China and ten in North China: the first ten orders ship from Shanghai,
    # the next ten from Beijing (the nearest region that can fill them), the rest are out of stock.
    for warehouse in (warehouses["east"], warehouses["north"]):
        for sku in skus:
            services.stock_receive(sku_id=sku, warehouse_id=warehouse.pk, quantity=UNITS // 2, actor=SYSTEM)
    orders = list(itertools.permutations(skus))
    buyer_lines = [[ReserveLine(sku, 1) for sku in orders[index % len(orders)]] for index in range(BUYERS)]

    results = _race(buyer_lines, "江苏省")

    won, out, other = _outcomes(results)
    assert other == []  # no deadlock, no lock timeout, no constraint violation
    assert len(won) == UNITS
    assert len(out) == BUYERS - UNITS
    for held in won:
        assert len({a.warehouse_code for a in held}) == 1  # each order from one warehouse
    for line in Stock.objects.all():
        assert (line.on_hand, line.reserved) == (UNITS // 2, UNITS // 2)
    assert selectors.sku_availability(skus) == dict.fromkeys(skus, 0)
    assert selectors.ledger_imbalances() == []


def test_cancellations_racing_new_orders_keep_the_books(warehouses: dict[str, Warehouse], skus: list[int]) -> None:
    sku = skus[0]
    services.stock_receive(sku_id=sku, warehouse_id=warehouses["east"].pk, quantity=UNITS, actor=SYSTEM)
    for index in range(UNITS):
        services.stock_reserve(
            reference=f"order:OLD{index}", lines=[ReserveLine(sku, 1)], province="上海市", actor=SYSTEM
        )
    results: list[object] = []
    barrier = threading.Barrier(2 * UNITS)

    def cancel(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(services.stock_release(reference=f"order:OLD{index}", actor=SYSTEM, reason="取消"))
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    def buy(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(
                services.stock_reserve(
                    reference=f"order:NEW{index}", lines=[ReserveLine(sku, 1)], province="上海市", actor=SYSTEM
                )
            )
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cancel, args=(i,)) for i in range(UNITS)]
    threads += [threading.Thread(target=buy, args=(i,)) for i in range(UNITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(isinstance(r, Exception) and not isinstance(r, OutOfStock) for r in results), results
    line = Stock.objects.get(warehouse=warehouses["east"], sku_id=sku)
    new_orders = StockReservation.objects.filter(reference__startswith="order:NEW", state="active").count()
    assert line.reserved == new_orders <= UNITS
    assert line.on_hand == UNITS
    assert selectors.ledger_imbalances() == []
