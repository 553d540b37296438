"""The flash pool is set aside in stock: it leaves available stock when the sale is published,
each grab moves its unit from the pool to the order (reserved unchanged), cancelled units come
back to the pool while the session runs, and whatever is left goes back on normal sale when the
session ends, the item goes or the sale returns to draft — once, with a ledger row naming the sale."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory import services as stock
from shopkeeper.inventory.enums import MovementKind
from shopkeeper.inventory.models import Stock, StockMovement
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.promotions.flash import gate, services, tasks
from shopkeeper.promotions.flash.enums import ClaimStatus, SaleStatus
from shopkeeper.promotions.flash.models import FlashClaim, FlashItem, FlashSale, FlashSession
from shopkeeper.promotions.flash.tests.conftest import Live, make_live
from shopkeeper.promotions.flash.tests.test_services import buyers, grab, save_item

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def available(shop: Shop) -> int:
    return stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk]


def pool_held(item: FlashItem) -> dict[str, int]:
    """What the item's pool holds now, per warehouse code."""
    return {a.warehouse_code: a.quantity for a in stock.reservations_for(item.pool_reference)}


def reserved(shop: Shop) -> int:
    return int(Stock.objects.filter(sku=shop.cup).aggregate(n=Sum("reserved"))["n"] or 0)


def test_publishing_sets_the_pool_aside_over_the_warehouses(shop: Shop, gate_mode: str) -> None:
    live = make_live(shop, pool=5)  # the cup: 50 in East, 50 in South
    assert available(shop) == 95
    assert pool_held(live.item) == {"EAST": 3, "SOUTH": 2}  # in proportion; the odd unit to the first
    assert FlashItem.objects.get().pool_reserved
    rows = StockMovement.objects.filter(reference=live.item.pool_reference, kind=MovementKind.RESERVATION)
    assert sorted(rows.values_list("reserved_delta", flat=True)) == [2, 3]
    assert all("双11 秒杀" in reason for reason in rows.values_list("reason", flat=True))  # the ledger names the sale
    assert not stock_reads.ledger_imbalances()


def test_publishing_is_refused_with_the_figures_when_stock_is_short(shop: Shop) -> None:
    sale = services.flash_sale_save(actor=SYSTEM, name="周末秒杀")
    now = timezone.now()
    session = services.flash_session_save(
        actor=SYSTEM, sale_id=sale.pk, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    save_item(shop, session, pool=80)
    stock.stocktake(sku_id=shop.cup.pk, warehouse_id=shop.east, counted=10, actor=SYSTEM, reason="盘点")
    with pytest.raises(ValidationFailed) as refused:
        services.flash_sale_set_status(actor=SYSTEM, sale_id=sale.pk, status=SaleStatus.LIVE)
    (shortage,) = refused.value.details["shortages"]
    assert (shortage["sku_code"], shortage["requested"], shortage["available"]) == ("CUP-500", 80, 60)
    assert "CUP-500" in refused.value.message
    assert FlashSale.objects.get().status == SaleStatus.DRAFT  # nothing changed
    assert available(shop) == 60
    assert not FlashItem.objects.get().pool_reserved


def test_a_grab_moves_its_unit_from_the_pool_to_the_order(
    shop: Shop, live: Live, second_customer: Callable[[str], User]
) -> None:
    before = reserved(shop)
    attempt = grab(live, shop.customer, shop.address_id)  # Shanghai: East serves it
    order = Order.objects.get(number=attempt.order_number)
    assert [(a.warehouse_code, a.quantity) for a in stock.reservations_for(order.reference)] == [("EAST", 1)]
    assert pool_held(live.item) == {"EAST": 2, "SOUTH": 2}
    assert reserved(shop) == before  # the unit was reserved already: only its owner changed
    assert available(shop) == 95
    ((canton, canton_address),) = buyers(second_customer, 1)  # Guangzhou: South serves it
    other = Order.objects.get(number=grab(live, canton, canton_address).order_number)
    assert [a.warehouse_code for a in stock.reservations_for(other.reference)] == ["SOUTH"]
    moved = StockMovement.objects.filter(reference=order.reference).get()
    assert (moved.kind, moved.reserved_delta, moved.on_hand_delta) == (MovementKind.RESERVATION, 1, 0)
    assert live.item.pool_reference in moved.reason
    assert not stock_reads.ledger_imbalances()


def test_a_grab_takes_any_pool_line_when_the_preferred_warehouse_has_none_left(shop: Shop, gate_mode: str) -> None:
    live = make_live(shop, pool=2, limit=2)  # one unit in East, one in South
    assert pool_held(live.item) == {"EAST": 1, "SOUTH": 1}
    attempt = grab(live, shop.customer, shop.address_id, quantity=2)  # Shanghai, 2 units: East has 1
    order = Order.objects.get(number=attempt.order_number)
    assert sorted(a.warehouse_code for a in stock.reservations_for(order.reference)) == ["EAST", "SOUTH"]
    assert pool_held(live.item) == {}


def test_a_cancelled_order_puts_its_unit_back_in_the_pool(shop: Shop, live: Live) -> None:
    order = Order.objects.get(number=grab(live, shop.customer, shop.address_id).order_number)
    orders.order_cancel(order=order, actor=SYSTEM, reason="不想要了")
    assert pool_held(live.item) == {"EAST": 3, "SOUTH": 2}  # back on the line it came from
    assert available(shop) == 95  # never on normal sale in between
    assert FlashItem.objects.get().sold == 0
    assert not stock_reads.ledger_imbalances()


def test_the_end_of_the_session_gives_the_rest_back_once(shop: Shop, live: Live) -> None:
    paid_later = Order.objects.get(number=grab(live, shop.customer, shop.address_id).order_number)
    after_end = live.session.ends_at + timedelta(seconds=1)
    assert services.flash_pools_release_ended(now=live.session.ends_at - timedelta(seconds=1)) == 0
    assert services.flash_pools_release_ended(now=after_end) == 4
    assert services.flash_pools_release_ended(now=after_end) == 0  # a second sweep releases nothing
    assert available(shop) == 99  # the held order keeps its unit
    assert not FlashItem.objects.get().pool_reserved
    released = StockMovement.objects.filter(reference=live.item.pool_reference, kind=MovementKind.RELEASE)
    assert released.filter(reason__contains="双11 秒杀").aggregate(n=Sum("reserved_delta"))["n"] == -4
    orders.order_cancel(order=paid_later, actor=SYSTEM, reason="不想要了")  # after the end: back on normal sale
    assert pool_held(live.item) == {}
    assert available(shop) == 100
    assert not stock_reads.ledger_imbalances()


def test_the_worker_task_releases_ended_pools(shop: Shop, gate_mode: str) -> None:
    ended = make_live(shop, pool=5, starts_in=timedelta(hours=-3))  # a two-hour session that ended an hour ago
    assert ended.item.pool_reserved is False  # published after it ended: nothing set aside
    running = make_live(shop, pool=4)
    FlashSession.objects.filter(pk=running.session.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert tasks.seed_sessions()["pool_units_released"] == 4
    assert available(shop) == 100


def test_back_to_draft_gives_the_pool_back_and_live_again_sets_aside_what_orders_do_not_hold(
    shop: Shop, live: Live
) -> None:
    grab(live, shop.customer, shop.address_id)
    services.flash_sale_set_status(actor=SYSTEM, sale_id=live.sale.pk, status=SaleStatus.DRAFT)
    assert available(shop) == 99
    services.flash_sale_set_status(actor=SYSTEM, sale_id=live.sale.pk, status=SaleStatus.PAUSED)
    assert sum(pool_held(live.item).values()) == 4  # the pool of 5 less the unit under an order
    services.flash_sale_set_status(actor=SYSTEM, sale_id=live.sale.pk, status=SaleStatus.LIVE)
    assert sum(pool_held(live.item).values()) == 4  # pausing kept it; nothing set aside twice
    assert not stock_reads.ledger_imbalances()


def test_raising_a_pool_sets_more_aside_and_lowering_gives_back(shop: Shop, gate_mode: str) -> None:
    upcoming = make_live(shop, pool=5, starts_in=timedelta(hours=1))
    save_item(shop, upcoming.session, item_id=upcoming.item.pk, pool=30, per_customer_limit=1)
    assert available(shop) == 70
    with pytest.raises(ValidationFailed) as refused:  # 70 more are not there
        save_item(shop, upcoming.session, item_id=upcoming.item.pk, pool=101, per_customer_limit=1)
    assert refused.value.details["available_stock"] == 100
    save_item(shop, upcoming.session, item_id=upcoming.item.pk, pool=12, per_customer_limit=1)
    assert available(shop) == 88
    assert sum(pool_held(upcoming.item).values()) == 12
    assert not stock_reads.ledger_imbalances()


def test_raising_the_pool_of_a_running_session_lets_more_customers_grab(
    shop: Shop, gate_mode: str, second_customer: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    live = make_live(shop, pool=1)
    grab(live, shop.customer, shop.address_id)
    with django_capture_on_commit_callbacks(execute=True):  # Redis moves after the commit
        save_item(shop, live.session, item_id=live.item.pk, pool=2, per_customer_limit=1)
    if gate_mode == "redis":
        assert gate.live([live.item.pk])[live.item.pk].left == 1
    ((other, address),) = buyers(second_customer, 1)
    assert grab(live, other, address).claim.status == ClaimStatus.HELD
    with pytest.raises(ValidationFailed):  # not below the units taken
        save_item(shop, live.session, item_id=live.item.pk, pool=1, per_customer_limit=1)
    assert FlashClaim.objects.filter(status=ClaimStatus.HELD).count() == 2
    assert pool_held(live.item) == {}


def test_an_item_published_before_pools_were_held_still_sells_from_normal_stock(shop: Shop, live: Live) -> None:
    stock.stock_pool_release(
        lines=[stock.PoolLine(reference=live.item.pool_reference, sku_id=shop.cup.pk)], actor=SYSTEM, reason="旧数据"
    )
    FlashItem.objects.filter(pk=live.item.pk).update(pool_reserved=False)
    attempt = grab(live, shop.customer, shop.address_id)
    assert stock.reservations_for(Order.objects.get(number=attempt.order_number).reference)
    assert available(shop) == 99


def test_the_grab_path_runs_a_bounded_number_of_queries(
    shop: Shop, live: Live, django_assert_max_num_queries: Any
) -> None:
    # 34 with the database gate and a new attempt-counter shard: one fewer than reserving from
    # normal stock (the transfer does not update the stock line nor read the warehouses again).
    with django_assert_max_num_queries(34):
        grab(live, shop.customer, shop.address_id)
