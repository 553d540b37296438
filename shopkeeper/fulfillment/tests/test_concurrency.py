"""Two packers ship the same parcel at the same moment, on PostgreSQL: one wins, the other is
refused, the stock leaves the warehouse once and the order is shipped once.

Each packer is a real thread with its own database connection, released together by a barrier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.errors import ShipmentStateError
from shopkeeper.fulfillment.models import Shipment
from shopkeeper.fulfillment.tests.conftest import SYSTEM, Shop
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory.models import StockMovement
from shopkeeper.orders.models import Order

PACKERS = 2


def _ship(shipment_id: int, number: str, barrier: threading.Barrier, results: list[object]) -> None:
    try:
        barrier.wait(timeout=30)
        shipped = services.shipment_ship(shipment_id=shipment_id, carrier_code="SF", tracking_no=number, actor=SYSTEM)
        results.append(shipped.tracking_no)
    except ShopkeeperError as refused:
        results.append(refused)
    except Exception as crashed:
        results.append(crashed)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_two_packers_ship_one_parcel_one_wins_and_stock_is_deducted_once(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    services.carriers_seed()  # seeded by migration; an earlier transactional test may have flushed them
    order = pay(place((shop.dress, 2), (shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    services.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    for code in ("DRESS-M", "DRESS-M", "CUP-500"):
        services.shipment_scan(shipment_id=shipment.pk, code=code, actor=SYSTEM)
    services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    barrier = threading.Barrier(PACKERS)
    results: list[object] = []
    threads = [
        threading.Thread(target=_ship, args=(shipment.pk, f"SF40000000000{index}", barrier, results))
        for index in range(PACKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [result for result in results if isinstance(result, str)]
    refused = [result for result in results if isinstance(result, ShipmentStateError)]
    assert len(won) == 1, results
    assert len(refused) == PACKERS - 1, results
    assert Shipment.objects.get(pk=shipment.pk).tracking_no == won[0]
    dress = stock_reads.stock_line(warehouse_id=shop.east, sku_id=shop.dress.pk)
    assert dress is not None
    assert (dress.on_hand, dress.reserved) == (3, 0)
    assert StockMovement.objects.filter(reference=order.reference, kind="shipment").count() == 2  # one per SKU
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.events.filter(kind="ship").count() == 1
    assert stock_reads.ledger_imbalances() == []
