"""The flash pool under concurrency, on PostgreSQL, with the database gate and with the Redis gate:
a crowd grabbing the last pool units while normal checkouts buy the same SKU, and cancels racing
the end-of-session sweep. Each actor is a real thread with its own connection, released together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import Sum

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory import services as stock
from shopkeeper.inventory.enums import ReservationState
from shopkeeper.inventory.errors import OutOfStock
from shopkeeper.inventory.models import Stock, StockMovement, StockReservation
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind
from shopkeeper.orders.models import Order
from shopkeeper.promotions.flash import services
from shopkeeper.promotions.flash.enums import ClaimStatus
from shopkeeper.promotions.flash.errors import SoldOut
from shopkeeper.promotions.flash.models import FlashClaim, FlashItem
from shopkeeper.promotions.flash.tests.conftest import make_live
from shopkeeper.promotions.flash.tests.test_flash_concurrency import _crowd

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]


def _together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread and connection, all released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = jobs[index]()
        except Exception as failed:
            results[index] = failed
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread hung: a lock was never released"
    return results


def _grab(item_id: int, customer_id: int, address_id: int) -> Callable[[], object]:
    customer = User.objects.get(pk=customer_id)
    actor = ActorContext(user=customer, channel=AuditChannel.API, ip_address="10.2.2.2")

    def job() -> object:
        return services.flash_attempt(
            item_id=item_id, customer=customer, address_id=address_id, idempotency_key="rush", actor=actor
        ).order_number

    return job


def _checkout(sku_id: int, customer_id: int, address_id: int) -> Callable[[], object]:
    customer = User.objects.get(pk=customer_id)
    cart = checkout.cart_for_customer(customer)
    checkout.cart_add(cart=cart, sku_id=sku_id, quantity=1)

    def job() -> object:
        return checkout.checkout_submit(
            cart=cart, customer=customer, address_id=address_id, idempotency_key="normal", actor=SYSTEM
        ).number

    return job


def _cup_totals(shop: Shop) -> tuple[int, int]:
    totals = Stock.objects.filter(sku=shop.cup).aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    return int(totals["on_hand"] or 0), int(totals["reserved"] or 0)


def test_grabs_for_the_last_pool_units_and_normal_checkouts_never_mix(shop: Shop, gate_mode: str) -> None:
    live = make_live(shop, pool=7, limit=1)  # East 4, South 3 set aside
    # Normal stock down to 11 units (East 6, South 5): both sides fight for their last units at once.
    stock.stocktake(sku_id=shop.cup.pk, warehouse_id=shop.east, counted=10, actor=SYSTEM, reason="测试")
    stock.stocktake(sku_id=shop.cup.pk, warehouse_id=shop.south, counted=8, actor=SYSTEM, reason="测试")
    people = _crowd(50)
    grabbers, shoppers = people[:30], people[30:]
    jobs = [_grab(live.item.pk, c, a) for c, a in grabbers] + [_checkout(shop.cup.pk, c, a) for c, a in shoppers]
    results = _together(jobs)
    grabbed, bought = results[: len(grabbers)], results[len(grabbers) :]
    assert [r for r in results if not isinstance(r, str | ShopkeeperError)] == []  # nothing crashed or deadlocked
    assert len([r for r in grabbed if isinstance(r, str)]) == 7  # flash sells exactly the pool
    assert all(isinstance(r, SoldOut) for r in grabbed if not isinstance(r, str))
    assert len([r for r in bought if isinstance(r, str)]) == 11  # normal checkout sells exactly normal stock
    assert all(isinstance(r, OutOfStock) for r in bought if not isinstance(r, str))
    assert Order.objects.filter(kind=OrderKind.FLASH).count() == 7
    assert Order.objects.filter(kind=OrderKind.NORMAL).count() == 11
    item = FlashItem.objects.get()
    assert item.sold == item.pool == 7
    assert FlashClaim.objects.filter(status=ClaimStatus.HELD).count() == 7
    assert not stock.reservations_for(live.item.pool_reference)  # every pool unit went to a flash order
    for number in Order.objects.filter(kind=OrderKind.FLASH).values_list("number", flat=True):
        assert sum(a.quantity for a in stock.reservations_for(f"order:{number}")) == 1
    assert _cup_totals(shop) == (18, 18)  # reserved ≤ on hand, to the unit
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == 0
    assert not stock_reads.ledger_imbalances()


def test_cancels_racing_the_end_of_session_sweep_release_each_unit_once(shop: Shop, gate_mode: str) -> None:
    live = make_live(shop, pool=8, limit=1)
    people = _crowd(6)
    numbers = [_grab(live.item.pk, c, a)() for c, a in people]  # six held orders, two units left in the pool
    placed = list(Order.objects.filter(number__in=numbers))
    assert len(placed) == 6
    after_end = live.session.ends_at + timedelta(seconds=1)

    def cancel(order: Order) -> Callable[[], object]:
        return lambda: orders.order_cancel(order=order, actor=SYSTEM, reason="不要了").status

    def sweep() -> object:
        return services.flash_pools_release_ended(now=after_end)

    results = _together([cancel(order) for order in placed] + [sweep, sweep, sweep])
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert services.flash_pools_release_ended(now=after_end) == 0  # and once more: nothing left
    assert _cup_totals(shop) == (100, 0)  # every unit back on normal sale, none twice
    assert not StockReservation.objects.filter(state=ReservationState.ACTIVE).exists()
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == 100
    pool_moves = StockMovement.objects.filter(reference=live.item.pool_reference).aggregate(n=Sum("reserved_delta"))
    assert pool_moves["n"] == 0  # the pool's reservations and releases cancel out exactly
    item = FlashItem.objects.get()
    assert (item.sold, item.pool_reserved) == (0, False)
    assert FlashClaim.objects.filter(status=ClaimStatus.RELEASED).count() == 6
    assert not stock_reads.ledger_imbalances()
