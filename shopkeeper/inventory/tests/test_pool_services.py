"""Pools against the database: units set aside under a campaign's reference leave available stock,
move to an order on the same line without changing reserved, come back from a cancelled order,
and are given back — each move in the ledger, which always balances; refusals change nothing."""

from __future__ import annotations

import pytest

from shopkeeper.core.errors import ValidationFailed
from shopkeeper.inventory import selectors, services
from shopkeeper.inventory.enums import MovementKind, ReservationState
from shopkeeper.inventory.errors import NotDeliverable, OutOfStock
from shopkeeper.inventory.models import Stock, StockMovement, StockReservation, Warehouse
from shopkeeper.inventory.services import PoolLine, ReserveLine
from shopkeeper.inventory.tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db

Warehouses = dict[str, Warehouse]
POOL = "flash:item:1"


@pytest.fixture
def stocked(warehouses: Warehouses, skus: list[int]) -> int:
    """SKU 0: 60 in East, 30 in South, 10 in North."""
    for code, units in (("east", 60), ("south", 30), ("north", 10)):
        services.stock_receive(sku_id=skus[0], warehouse_id=warehouses[code].pk, quantity=units, actor=SYSTEM)
    return skus[0]


def held(reference: str) -> dict[str, int]:
    return {a.warehouse_code: a.quantity for a in services.reservations_for(reference)}


def line(warehouse: Warehouse, sku_id: int) -> Stock:
    return Stock.objects.get(warehouse=warehouse, sku_id=sku_id)


def set_aside(sku_id: int, quantity: int, reference: str = POOL) -> None:
    services.stock_pool_reserve(
        lines=[PoolLine(reference=reference, sku_id=sku_id, quantity=quantity)], actor=SYSTEM, reason="秒杀「双11」"
    )


def transfer(sku_id: int, to: str, province: str = "上海市", quantity: int = 1) -> list[selectors.Allocated]:
    return services.stock_reservation_transfer(
        from_reference=POOL, to_reference=to, lines=[ReserveLine(sku_id=sku_id, quantity=quantity)],
        province=province, actor=SYSTEM,
    )  # fmt: skip


class TestSetAsideAndGiveBack:
    def test_a_pool_is_spread_in_proportion_and_leaves_available_stock(self, stocked: int) -> None:
        set_aside(stocked, 10)
        assert held(POOL) == {"EAST-SH": 6, "SOUTH-GZ": 3, "NORTH-BJ": 1}
        assert selectors.sku_availability([stocked])[stocked] == 90
        rows = StockMovement.objects.filter(reference=POOL, kind=MovementKind.RESERVATION)
        assert set(rows.values_list("reason", flat=True)) == {"秒杀「双11」"}
        set_aside(stocked, 10)  # more on top: the same rows grow
        assert held(POOL) == {"EAST-SH": 12, "SOUTH-GZ": 6, "NORTH-BJ": 2}
        assert StockReservation.objects.filter(reference=POOL, state=ReservationState.ACTIVE).count() == 3
        assert not selectors.ledger_imbalances()

    def test_too_little_stock_is_refused_with_the_figures_and_nothing_held(self, stocked: int) -> None:
        with pytest.raises(OutOfStock) as refused:
            services.stock_pool_reserve(
                lines=[PoolLine(POOL, stocked, 60), PoolLine("flash:item:2", stocked, 41)], actor=SYSTEM, reason="秒杀"
            )
        assert refused.value.details["skus"] == [{"sku_id": stocked, "requested": 101, "available": 100}]
        assert not StockReservation.objects.exists()
        assert selectors.sku_availability([stocked])[stocked] == 100

    def test_a_reason_and_whole_quantities_are_required(self, stocked: int) -> None:
        with pytest.raises(ValidationFailed):
            services.stock_pool_reserve(lines=[PoolLine(POOL, stocked, 1)], actor=SYSTEM, reason=" ")
        with pytest.raises(ValidationFailed):
            services.stock_pool_reserve(lines=[PoolLine(POOL, stocked, 0)], actor=SYSTEM, reason="秒杀")
        with pytest.raises(ValidationFailed):
            services.stock_pool_reserve(lines=[PoolLine(POOL, stocked, None)], actor=SYSTEM, reason="秒杀")

    def test_giving_back_part_then_all_releases_each_unit_once(self, stocked: int) -> None:
        set_aside(stocked, 10)
        assert services.stock_pool_release(lines=[PoolLine(POOL, stocked, 5)], actor=SYSTEM, reason="减少") == 5
        assert sum(held(POOL).values()) == 5
        assert services.stock_pool_release(lines=[PoolLine(POOL, stocked)], actor=SYSTEM, reason="结束") == 5
        assert services.stock_pool_release(lines=[PoolLine(POOL, stocked)], actor=SYSTEM, reason="结束") == 0
        assert services.stock_pool_release(lines=[PoolLine(POOL, stocked, 3)], actor=SYSTEM, reason="减少") == 0
        assert held(POOL) == {}
        assert selectors.sku_availability([stocked])[stocked] == 100
        assert not selectors.ledger_imbalances()


class TestTransferAndReturn:
    def test_a_transfer_moves_units_on_the_same_line_without_changing_reserved(
        self, warehouses: Warehouses, stocked: int
    ) -> None:
        set_aside(stocked, 10)
        east_before = line(warehouses["east"], stocked)
        moved = transfer(stocked, "order:A")  # Shanghai: East serves it
        assert [(a.warehouse_code, a.quantity) for a in moved] == [("EAST-SH", 1)]
        east = line(warehouses["east"], stocked)
        assert (east.on_hand, east.reserved, east.updated_at) == (60, 6, east_before.updated_at)
        assert held(POOL)["EAST-SH"] == 5
        assert held("order:A") == {"EAST-SH": 1}
        out, into = StockMovement.objects.filter(stock=east, reference__in=[POOL, "order:A"]).order_by("-pk")[:2][::-1]
        assert (out.kind, out.reserved_delta, out.reason) == (MovementKind.RELEASE, -1, "→ order:A")
        assert (into.kind, into.reserved_delta, into.reason) == (MovementKind.RESERVATION, 1, f"← {POOL}")
        assert into.reserved_after == 6
        assert transfer(stocked, "order:A") == moved  # a second call answers what the order holds
        assert held(POOL)["EAST-SH"] == 5
        assert not selectors.ledger_imbalances()

    def test_the_routing_picks_the_pool_line_and_falls_back_to_any_that_ships_there(self, stocked: int) -> None:
        set_aside(stocked, 10)  # East 6, South 3, North 1
        assert [a.warehouse_code for a in transfer(stocked, "order:GZ", province="广东省")] == ["SOUTH-GZ"]
        assert [a.warehouse_code for a in transfer(stocked, "order:BJ", province="北京市")] == ["NORTH-BJ"]
        # North's pool unit is gone: Beijing gets the next nearest pool line (North → Northeast → Central → East)
        assert [a.warehouse_code for a in transfer(stocked, "order:BJ2", province="北京市")] == ["EAST-SH"]
        split = transfer(stocked, "order:BIG", province="北京市", quantity=7)  # East 5 + South 2
        assert sorted((a.warehouse_code, a.quantity) for a in split) == [("EAST-SH", 5), ("SOUTH-GZ", 2)]
        assert selectors.sku_availability([stocked])[stocked] == 90  # normal stock never touched
        assert not selectors.ledger_imbalances()

    def test_a_pool_too_small_or_out_of_reach_is_refused_and_nothing_moves(self, stocked: int) -> None:
        set_aside(stocked, 2)
        with pytest.raises(OutOfStock):
            transfer(stocked, "order:X", quantity=3)
        with pytest.raises(NotDeliverable):
            transfer(stocked, "order:HK", province="香港特别行政区")
        services.stock_pool_release(lines=[PoolLine(POOL, stocked)], actor=SYSTEM, reason="结束")
        with pytest.raises(OutOfStock):  # the pool was given back
            transfer(stocked, "order:Y")
        assert not StockReservation.objects.filter(reference__startswith="order:").exists()
        with pytest.raises(ValidationFailed):
            services.stock_reservation_transfer(
                from_reference=POOL, to_reference=POOL, lines=[ReserveLine(stocked, 1)], province="上海市",
                actor=SYSTEM,
            )  # fmt: skip

    def test_a_cancelled_orders_units_return_to_the_pool_once(self, warehouses: Warehouses, stocked: int) -> None:
        set_aside(stocked, 10)
        transfer(stocked, "order:A", quantity=2)
        assert services.stock_release(reference="order:A", actor=SYSTEM, reason="取消") == 2
        back = services.stock_reservation_return(
            from_reference="order:A", to_reference=POOL, actor=SYSTEM, reason="退回秒杀库存"
        )
        assert back == 2
        assert held(POOL) == {"EAST-SH": 6, "SOUTH-GZ": 3, "NORTH-BJ": 1}
        again = services.stock_reservation_return(
            from_reference="order:A", to_reference=POOL, actor=SYSTEM, reason="退回秒杀库存"
        )
        assert again == 0
        assert selectors.sku_availability([stocked])[stocked] == 90
        assert services.stock_reservation_return(
            from_reference="order:NEVER", to_reference=POOL, actor=SYSTEM, reason="x"
        ) == 0  # fmt: skip
        assert not selectors.ledger_imbalances()

    def test_a_return_takes_back_only_what_the_lines_still_have(self, warehouses: Warehouses, stocked: int) -> None:
        set_aside(stocked, 100)  # everything
        transfer(stocked, "order:A", quantity=2)
        services.stock_release(reference="order:A", actor=SYSTEM, reason="取消")
        services.stock_reserve(
            reference="order:NORMAL", lines=[ReserveLine(stocked, 1)], province="上海市", actor=SYSTEM
        )  # a later transaction sold one of the two meanwhile
        assert services.stock_reservation_return(
            from_reference="order:A", to_reference=POOL, actor=SYSTEM, reason="x"
        ) == 1  # fmt: skip
        assert not selectors.ledger_imbalances()
