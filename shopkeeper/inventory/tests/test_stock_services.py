"""Stock services against the database: receipts, reservations by region, release, shipment,
returns, adjustments and counts, each written to the ledger; refusals change nothing; the ledger
always adds up; low-stock alerts open and resolve."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.events import subscribe, unsubscribe
from shopkeeper.core.models import AuditEntry
from shopkeeper.inventory import selectors, services
from shopkeeper.inventory.errors import NotDeliverable, OutOfStock, StockRefused
from shopkeeper.inventory.events import LowStock
from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, StockReservation, Warehouse
from shopkeeper.inventory.services import ReserveLine
from shopkeeper.inventory.tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db

Warehouses = dict[str, Warehouse]


def stock(warehouse: Warehouse, sku_id: int) -> Stock:
    return Stock.objects.get(warehouse=warehouse, sku_id=sku_id)


def receive(warehouse: Warehouse, sku_id: int, quantity: int, reference: str = "") -> StockMovement:
    return services.stock_receive(
        sku_id=sku_id, warehouse_id=warehouse.pk, quantity=quantity, reference=reference, actor=SYSTEM, reason="到货"
    )


def ledger_sums(line: Stock) -> tuple[int, int]:
    totals = StockMovement.objects.filter(stock=line).aggregate(
        on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
    )
    return totals["on_hand"] or 0, totals["reserved"] or 0


@pytest.fixture
def low_stock_events() -> Iterator[list[LowStock]]:
    seen: list[LowStock] = []
    subscribe(LowStock, seen.append)
    yield seen
    unsubscribe(LowStock, seen.append)


class TestReceiveAndReturn:
    def test_a_receipt_adds_to_on_hand_and_writes_the_ledger_and_the_audit_log(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        movement = receive(warehouses["east"], skus[0], 30, reference="po:1:line:1")
        line = stock(warehouses["east"], skus[0])
        assert (line.on_hand, line.reserved, line.available) == (30, 0, 30)
        assert (movement.kind, movement.on_hand_delta, movement.on_hand_after, movement.reason) == (
            "receipt",
            30,
            30,
            "到货",
        )
        assert movement.actor_label == "system"
        assert AuditEntry.objects.filter(action="stock.receive", object_id=str(line.pk)).exists()

    def test_the_same_reference_receives_once(self, warehouses: Warehouses, skus: list[int]) -> None:
        first = receive(warehouses["east"], skus[0], 30, reference="po:1:line:1")
        again = receive(warehouses["east"], skus[0], 30, reference="po:1:line:1")
        assert again.pk == first.pk
        assert stock(warehouses["east"], skus[0]).on_hand == 30

    def test_unknown_sku_or_warehouse_or_a_bad_quantity_is_refused(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        with pytest.raises(NotFound):
            receive(warehouses["east"], 999_999, 1)
        with pytest.raises(NotFound):
            services.stock_receive(sku_id=skus[0], warehouse_id=999_999, quantity=1, actor=SYSTEM)
        for quantity in (0, -1):
            with pytest.raises(ValidationFailed):
                receive(warehouses["east"], skus[0], quantity)
        assert not Stock.objects.filter(on_hand__gt=0).exists()

    def test_a_return_goes_back_on_the_shelf_once_per_reference(self, warehouses: Warehouses, skus: list[int]) -> None:
        for _attempt in range(2):
            services.stock_return(
                sku_id=skus[0], warehouse_id=warehouses["south"].pk, quantity=2, reference="aftersales:9",
                actor=SYSTEM, reason="七天无理由退货",
            )  # fmt: skip
        line = stock(warehouses["south"], skus[0])
        assert line.on_hand == 2
        assert list(line.movements.values_list("kind", flat=True)) == ["return"]


class TestReserve:
    def test_an_order_is_held_in_the_warehouse_serving_its_province(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        receive(warehouses["east"], skus[0], 5)
        receive(warehouses["south"], skus[0], 50)
        held = services.stock_reserve(
            reference="order:SK1", lines=[ReserveLine(skus[0], 2)], province="浙江省", actor=SYSTEM
        )
        assert [(a.warehouse_code, a.warehouse_name, a.sku_id, a.quantity) for a in held] == [
            ("EAST-SH", "华东仓", skus[0], 2)
        ]
        line = stock(warehouses["east"], skus[0])
        assert (line.on_hand, line.reserved, line.available) == (5, 2, 3)
        assert sorted(line.movements.values_list("kind", flat=True)) == ["receipt", "reservation"]
        reservation = StockReservation.objects.get(reference="order:SK1")
        assert (reservation.state, reservation.quantity) == ("active", 2)
        assert StockMovement.objects.filter(kind="reservation", reference="order:SK1", reserved_delta=2).count() == 1
        assert selectors.reservations_for("order:SK1") == held
        assert services.reservations_for("order:SK1") == held  # the same read through services

    def test_a_second_call_for_the_reference_returns_the_same_hold(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        receive(warehouses["east"], skus[0], 5)
        first = services.stock_reserve(
            reference="order:SK2", lines=[ReserveLine(skus[0], 2)], province="上海市", actor=SYSTEM
        )
        again = services.stock_reserve(
            reference="order:SK2", lines=[ReserveLine(skus[0], 2)], province="上海市", actor=SYSTEM
        )
        assert again == first
        assert stock(warehouses["east"], skus[0]).reserved == 2
        assert StockMovement.objects.filter(kind="reservation").count() == 1

    def test_the_nearest_region_fills_what_the_serving_warehouse_cannot(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        receive(warehouses["east"], skus[0], 1)
        receive(warehouses["south"], skus[0], 9)
        receive(warehouses["north"], skus[0], 9)
        held = services.stock_reserve(
            reference="order:SK3", lines=[ReserveLine(skus[0], 3)], province="上海市", actor=SYSTEM
        )
        assert [a.warehouse_code for a in held] == ["NORTH-BJ"]  # East → Central → North → South

    def test_an_order_splits_only_when_no_warehouse_has_it_all(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 3)
        receive(warehouses["south"], skus[1], 3)
        held = services.stock_reserve(
            reference="order:SK4",
            lines=[ReserveLine(skus[0], 2), ReserveLine(skus[1], 1)],
            province="江苏",
            actor=SYSTEM,
        )
        assert sorted((a.warehouse_code, a.sku_id, a.quantity) for a in held) == [
            ("EAST-SH", skus[0], 2),
            ("SOUTH-GZ", skus[1], 1),
        ]

    def test_out_of_stock_says_which_skus_and_holds_nothing(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 2)
        receive(warehouses["east"], skus[1], 9)
        with pytest.raises(OutOfStock) as refused:
            services.stock_reserve(
                reference="order:SK5",
                lines=[ReserveLine(skus[0], 3), ReserveLine(skus[1], 1), ReserveLine(skus[2], 1)],
                province="上海市",
                actor=SYSTEM,
            )
        assert refused.value.status == 409
        assert refused.value.details == {
            "skus": [
                {"sku_id": skus[0], "requested": 3, "available": 2},
                {"sku_id": skus[2], "requested": 1, "available": 0},
            ]
        }
        assert not StockReservation.objects.exists()
        assert Stock.objects.filter(reserved__gt=0).count() == 0

    def test_a_province_nobody_delivers_to_is_refused(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 2)
        for province in ("火星", "香港特别行政区"):
            with pytest.raises(NotDeliverable) as refused:
                services.stock_reserve(
                    reference="order:SK6", lines=[ReserveLine(skus[0], 1)], province=province, actor=SYSTEM
                )
            assert refused.value.status == 422
            assert refused.value.details == {"province": province}

    def test_inactive_warehouses_hold_nothing(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 2)
        Warehouse.objects.filter(pk=warehouses["east"].pk).update(is_active=False)
        with pytest.raises(OutOfStock):
            services.stock_reserve(
                reference="order:SK7", lines=[ReserveLine(skus[0], 1)], province="上海市", actor=SYSTEM
            )

    def test_bad_lines_are_refused(self, warehouses: Warehouses, skus: list[int]) -> None:
        for lines in ([], [ReserveLine(skus[0], 0)], [ReserveLine(skus[0], -1)]):
            with pytest.raises(ValidationFailed):
                services.stock_reserve(reference="order:SK8", lines=lines, province="上海市", actor=SYSTEM)
        with pytest.raises(ValidationFailed):
            services.stock_reserve(reference=" ", lines=[ReserveLine(skus[0], 1)], province="上海市", actor=SYSTEM)


class TestReleaseAndShip:
    def _hold(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 3)
        receive(warehouses["south"], skus[1], 3)
        services.stock_reserve(
            reference="order:SK9",
            lines=[ReserveLine(skus[0], 2), ReserveLine(skus[1], 1)],
            province="上海市",
            actor=SYSTEM,
        )

    def test_release_gives_every_unit_back_once(self, warehouses: Warehouses, skus: list[int]) -> None:
        self._hold(warehouses, skus)
        assert services.stock_release(reference="order:SK9", actor=SYSTEM, reason="未按时付款") == 3
        assert services.stock_release(reference="order:SK9", actor=SYSTEM, reason="未按时付款") == 0
        assert services.stock_release(reference="order:nothing", actor=SYSTEM, reason="") == 0
        assert Stock.objects.filter(reserved__gt=0).count() == 0
        assert set(StockReservation.objects.values_list("state", flat=True)) == {"released"}
        release = StockMovement.objects.filter(kind="release").order_by("pk")
        assert [(m.reserved_delta, m.on_hand_delta, m.reason) for m in release] == [
            (-2, 0, "未按时付款"),
            (-1, 0, "未按时付款"),
        ]
        assert selectors.reservations_for("order:SK9") == []

    def test_part_of_a_hold_is_given_back_and_the_rest_ships(self, warehouses: Warehouses, skus: list[int]) -> None:
        self._hold(warehouses, skus)

        def give_back(quantity: int) -> int:
            return services.stock_release_units(
                reference="order:SK9",
                warehouse_id=warehouses["east"].pk,
                sku_id=skus[0],
                quantity=quantity,
                actor=SYSTEM,
                reason="退款",
            )

        assert give_back(1) == 1
        assert (stock(warehouses["east"], skus[0]).reserved, selectors.ledger_imbalances()) == (1, [])
        assert [r.quantity for r in selectors.reservations_for("order:SK9") if r.sku_id == skus[0]] == [1]
        assert give_back(5) == 1  # at most what is held
        assert give_back(1) == 0
        with pytest.raises(ValidationFailed):
            give_back(0)
        assert stock(warehouses["east"], skus[0]).reserved == 0
        assert services.stock_deduct(reference="order:SK9", actor=SYSTEM) == 1  # the other SKU still ships
        assert selectors.ledger_imbalances() == []
        release = StockMovement.objects.filter(kind="release").order_by("pk")
        assert [(m.reserved_delta, m.on_hand_delta, m.reason) for m in release] == [(-1, 0, "退款"), (-1, 0, "退款")]

    def test_shipping_takes_the_units_out_of_the_warehouse_once(self, warehouses: Warehouses, skus: list[int]) -> None:
        self._hold(warehouses, skus)
        assert services.stock_deduct(reference="order:SK9", actor=SYSTEM, warehouse_id=warehouses["south"].pk) == 1
        south = stock(warehouses["south"], skus[1])
        assert (south.on_hand, south.reserved) == (2, 0)
        east = stock(warehouses["east"], skus[0])
        assert (east.on_hand, east.reserved) == (3, 2)  # East has not shipped its part yet
        assert services.stock_deduct(reference="order:SK9", actor=SYSTEM) == 2
        assert services.stock_deduct(reference="order:SK9", actor=SYSTEM) == 0
        east.refresh_from_db()
        assert (east.on_hand, east.reserved) == (1, 0)
        assert (
            services.stock_release(reference="order:SK9", actor=SYSTEM, reason="") == 0
        )  # shipped: nothing to give back
        shipments = StockMovement.objects.filter(kind="shipment").order_by("pk")
        assert [(m.on_hand_delta, m.reserved_delta) for m in shipments] == [(-1, -1), (-2, -2)]


class TestAdjustAndCount:
    def test_adjustments_need_a_reason_and_never_go_below_what_orders_hold(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        east = warehouses["east"]
        receive(east, skus[0], 10)
        services.stock_reserve(reference="order:SK10", lines=[ReserveLine(skus[0], 4)], province="上海市", actor=SYSTEM)
        moved = services.stock_adjust(sku_id=skus[0], warehouse_id=east.pk, delta=-3, reason="拣错货", actor=SYSTEM)
        assert (moved.kind, moved.on_hand_delta, moved.on_hand_after) == ("adjustment", -3, 7)
        with pytest.raises(StockRefused) as refused:
            services.stock_adjust(sku_id=skus[0], warehouse_id=east.pk, delta=-4, reason="破损", actor=SYSTEM)
        assert refused.value.details == {"on_hand": 7, "reserved": 4, "would_be": 3}
        for delta, reason in ((0, "x"), (2, ""), (2, "   ")):
            with pytest.raises(ValidationFailed):
                services.stock_adjust(sku_id=skus[0], warehouse_id=east.pk, delta=delta, reason=reason, actor=SYSTEM)
        assert stock(east, skus[0]).on_hand == 7
        assert AuditEntry.objects.filter(action="stock.adjust").count() == 1

    def test_a_write_off_is_a_negative_change_of_its_own_kind(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 10)
        moved = services.stock_adjust(
            sku_id=skus[0], warehouse_id=warehouses["east"].pk, delta=-2, reason="过期", actor=SYSTEM, write_off=True
        )
        assert (moved.kind, moved.on_hand_after) == ("write_off", 8)
        with pytest.raises(ValidationFailed):
            services.stock_adjust(
                sku_id=skus[0], warehouse_id=warehouses["east"].pk, delta=2, reason="过期", actor=SYSTEM, write_off=True
            )

    def test_a_stocktake_sets_on_hand_to_the_count(self, warehouses: Warehouses, skus: list[int]) -> None:
        east = warehouses["east"]
        receive(east, skus[0], 10)
        services.stock_reserve(reference="order:SK11", lines=[ReserveLine(skus[0], 3)], province="上海市", actor=SYSTEM)
        counted = services.stocktake(sku_id=skus[0], warehouse_id=east.pk, counted=8, reason="月度盘点", actor=SYSTEM)
        assert (counted.kind, counted.on_hand_delta, counted.on_hand_after) == ("stocktake", -2, 8)
        same = services.stocktake(sku_id=skus[0], warehouse_id=east.pk, counted=8, reason="复盘", actor=SYSTEM)
        assert same.on_hand_delta == 0  # the count matched: recorded all the same
        with pytest.raises(StockRefused):
            services.stocktake(sku_id=skus[0], warehouse_id=east.pk, counted=2, reason="盘点", actor=SYSTEM)
        with pytest.raises(ValidationFailed):
            services.stocktake(sku_id=skus[0], warehouse_id=east.pk, counted=9, reason="", actor=SYSTEM)
        line = stock(east, skus[0])
        assert (line.on_hand, line.reserved) == (8, 3)
        # A count of a line that did not exist yet creates it.
        services.stocktake(sku_id=skus[1], warehouse_id=east.pk, counted=4, reason="新品入仓盘点", actor=SYSTEM)
        assert stock(east, skus[1]).on_hand == 4


class TestLedger:
    def test_on_hand_is_the_sum_of_the_ledger_after_a_mixed_sequence(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        east, south = warehouses["east"], warehouses["south"]
        receive(east, skus[0], 20, reference="po:1")
        receive(south, skus[0], 5, reference="po:2")
        receive(east, skus[0], 20, reference="po:1")  # repeated: no change
        services.stock_reserve(reference="order:A", lines=[ReserveLine(skus[0], 6)], province="上海市", actor=SYSTEM)
        services.stock_reserve(reference="order:B", lines=[ReserveLine(skus[0], 3)], province="广东省", actor=SYSTEM)
        services.stock_release(reference="order:A", actor=SYSTEM, reason="取消")
        services.stock_reserve(reference="order:C", lines=[ReserveLine(skus[0], 18)], province="上海市", actor=SYSTEM)
        services.stock_deduct(reference="order:C", actor=SYSTEM)
        services.stock_return(
            sku_id=skus[0], warehouse_id=east.pk, quantity=1, reference="rma:1", actor=SYSTEM, reason="退货"
        )
        services.stock_adjust(sku_id=skus[0], warehouse_id=east.pk, delta=2, reason="找到", actor=SYSTEM)
        services.stock_adjust(
            sku_id=skus[0], warehouse_id=south.pk, delta=-1, reason="破损", actor=SYSTEM, write_off=True
        )
        services.stocktake(sku_id=skus[0], warehouse_id=south.pk, counted=4, reason="盘点", actor=SYSTEM)
        with pytest.raises(StockRefused):
            services.stocktake(sku_id=skus[0], warehouse_id=south.pk, counted=1, reason="盘点", actor=SYSTEM)
        kinds = set(StockMovement.objects.values_list("kind", flat=True))
        assert kinds == {
            "receipt",
            "reservation",
            "release",
            "shipment",
            "return",
            "adjustment",
            "write_off",
            "stocktake",
        }
        for line in Stock.objects.all():
            assert ledger_sums(line) == (line.on_hand, line.reserved)
            last = line.movements.order_by("-id").first()
            assert last is not None
            assert (last.on_hand_after, last.reserved_after) == (line.on_hand, line.reserved)
        assert stock(east, skus[0]).on_hand == 20 - 18 + 1 + 2
        assert selectors.ledger_imbalances() == []
        call_command("inventory_check")

    def test_a_line_changed_behind_the_ledgers_back_is_found(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 5)
        Stock.objects.filter(warehouse=warehouses["east"]).update(on_hand=9)
        (found,) = selectors.ledger_imbalances()
        assert (found.on_hand, found.ledger_on_hand) == (9, 5)
        with pytest.raises(CommandError, match="1 stock line"):
            call_command("inventory_check")

    def test_the_database_itself_refuses_reserving_more_than_on_hand(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        from django.db import IntegrityError, transaction

        receive(warehouses["east"], skus[0], 1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Stock.objects.filter(warehouse=warehouses["east"]).update(reserved=2)


class TestLowStock:
    def test_an_alert_opens_under_safety_stock_and_resolves_when_stock_recovers(
        self, warehouses: Warehouses, skus: list[int], low_stock_events: list[LowStock]
    ) -> None:
        east = warehouses["east"]
        receive(east, skus[0], 10)
        line = stock(east, skus[0])
        services.safety_stock_set(stock_id=line.pk, quantity=5, actor=SYSTEM)
        assert not LowStockAlert.objects.exists()
        services.stock_reserve(reference="order:L1", lines=[ReserveLine(skus[0], 6)], province="上海市", actor=SYSTEM)
        alert = LowStockAlert.objects.get()
        assert (alert.available, alert.safety_stock, alert.resolved_at) == (4, 5, None)
        assert low_stock_events == [LowStock(sku_id=skus[0], warehouse_id=east.pk, available=4, safety_stock=5)]
        services.stock_reserve(reference="order:L2", lines=[ReserveLine(skus[0], 1)], province="上海市", actor=SYSTEM)
        assert LowStockAlert.objects.count() == 1  # still the one open alert, published once
        assert len(low_stock_events) == 1
        assert list(selectors.alert_list()) == [alert]
        receive(east, skus[0], 10)
        alert.refresh_from_db()
        assert alert.resolved_at is not None
        assert list(selectors.alert_list()) == []
        assert list(selectors.alert_list(open_only=False)) == [alert]

    def test_raising_or_clearing_safety_stock_opens_or_resolves_at_once(
        self, warehouses: Warehouses, skus: list[int], low_stock_events: list[LowStock]
    ) -> None:
        receive(warehouses["east"], skus[0], 3)
        line = stock(warehouses["east"], skus[0])
        services.safety_stock_set(stock_id=line.pk, quantity=10, actor=SYSTEM)
        assert selectors.open_alert_count() == 1
        assert [e.available for e in low_stock_events] == [3]
        services.safety_stock_set(stock_id=line.pk, quantity=0, actor=SYSTEM)
        assert selectors.open_alert_count() == 0
        assert AuditEntry.objects.filter(action="stock.safety_stock").count() == 2
        with pytest.raises(NotFound):
            services.safety_stock_set(stock_id=999_999, quantity=1, actor=SYSTEM)

    def test_low_only_lists_lines_under_their_safety_stock(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 3)
        receive(warehouses["east"], skus[1], 30)
        for line in Stock.objects.all():
            services.safety_stock_set(stock_id=line.pk, quantity=5, actor=SYSTEM)
        low = selectors.stock_list(selectors.StockFilters(low_only=True))
        assert [line.sku_id for line in low] == [skus[0]]


class TestAvailability:
    def test_available_units_add_up_over_active_warehouses_in_one_query(
        self, warehouses: Warehouses, skus: list[int]
    ) -> None:
        receive(warehouses["east"], skus[0], 5)
        receive(warehouses["south"], skus[0], 7)
        receive(warehouses["north"], skus[1], 4)
        services.stock_reserve(reference="order:V1", lines=[ReserveLine(skus[0], 2)], province="上海市", actor=SYSTEM)
        Warehouse.objects.filter(pk=warehouses["north"].pk).update(is_active=False)
        with CaptureQueriesContext(connection) as queries:
            found = selectors.sku_availability([skus[0], skus[1], skus[2], 999_999])
        assert len(queries) == 1
        assert found == {skus[0]: 10, skus[1]: 0, skus[2]: 0, 999_999: 0}
        assert selectors.sku_availability([]) == {}

    def test_warehouse_totals(self, warehouses: Warehouses, skus: list[int]) -> None:
        receive(warehouses["east"], skus[0], 5)
        receive(warehouses["east"], skus[1], 7)
        services.stock_reserve(reference="order:V2", lines=[ReserveLine(skus[1], 2)], province="上海市", actor=SYSTEM)
        services.safety_stock_set(stock_id=stock(warehouses["east"], skus[0]).pk, quantity=9, actor=SYSTEM)
        with CaptureQueriesContext(connection) as queries:
            rows: dict[str, Any] = {w.code: w for w in selectors.warehouse_list()}
        assert len(queries) == 1
        east = rows["EAST-SH"]
        assert (east.sku_lines, east.total_on_hand, east.total_reserved, east.total_available, east.open_alerts) == (
            2, 12, 2, 10, 1,
        )  # fmt: skip
        assert (rows["SOUTH-GZ"].sku_lines, rows["SOUTH-GZ"].total_on_hand, rows["SOUTH-GZ"].open_alerts) == (0, 0, 0)


class TestWarehouses:
    def test_provinces_are_checked_and_short_names_understood(self, db: None) -> None:
        warehouse = services.warehouse_create(
            actor=SYSTEM, code="SW-CD", name="西南仓", region="southwest", provinces=["四川", "重庆市", "四川省"]
        )
        assert warehouse.provinces == ["重庆市", "四川省"]  # official names, once, in the table's order
        with pytest.raises(ValidationFailed) as refused:
            services.warehouse_create(actor=SYSTEM, code="X", name="X", region="moon", provinces=["火星"])
        assert set(refused.value.details) == {"region", "provinces"}

    def test_codes_are_unique(self, warehouses: Warehouses) -> None:
        from shopkeeper.core.errors import Conflict

        with pytest.raises(Conflict):
            services.warehouse_create(actor=SYSTEM, code="EAST-SH", name="又一个华东仓", region="east")
