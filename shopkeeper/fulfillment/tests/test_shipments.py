"""From a paid order to the customer's door: shipments open per warehouse when the payment
arrives, are picked, scanned, packed and shipped with a valid tracking number (stock leaves the
warehouse once), and are delivered by the customer or automatically."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.errors import ShipmentStateError
from shopkeeper.fulfillment.events import ShipmentDelivered
from shopkeeper.fulfillment.models import Shipment
from shopkeeper.fulfillment.tests.conftest import SYSTEM, Recorder, Shop
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory import services as stock
from shopkeeper.inventory.errors import OutOfStock
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order

pytestmark = pytest.mark.django_db


def _ready_to_ship(shipment: Shipment) -> Shipment:
    services.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    for line in shipment.lines.all():
        for _unit in range(line.quantity):
            services.shipment_scan(shipment_id=shipment.pk, code=line.sku_code, actor=SYSTEM)
    return services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)


def test_paying_opens_one_shipment_with_the_orders_lines_and_a_48_hour_deadline(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.dress, 1), (shop.cup, 2)))
    assert order.status == "allocated"
    [shipment] = selectors.order_shipments(order.pk)
    assert shipment.warehouse_id == shop.east
    assert shipment.status == "to_pick"
    assert [(line.sku_code, line.quantity) for line in shipment.lines.all()] == [("DRESS-M", 1), ("CUP-500", 2)]
    assert order.paid_at is not None
    assert shipment.dispatch_deadline == order.paid_at + timedelta(hours=48) == order.dispatch_deadline
    # The event again (a duplicated notification, a retried handler) opens nothing more.
    assert services.shipments_open(order_id=order.pk, actor=SYSTEM) == []
    assert Shipment.objects.filter(order_id=order.pk).count() == 1


def test_an_order_from_two_warehouses_is_split_and_ships_when_its_last_parcel_leaves(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.cup, 60)))  # East holds 50, South 50
    shipments = selectors.order_shipments(order.pk)
    assert sorted(s.warehouse_id for s in shipments) == sorted([shop.east, shop.south])
    assert sum(line.quantity for s in shipments for line in s.lines.all()) == 60
    first, second = shipments
    services.shipment_ship(
        shipment_id=_ready_to_ship(first).pk, carrier_code="SF", tracking_no="SF100000000001", actor=SYSTEM
    )
    order.refresh_from_db()
    assert order.status == "allocated"  # one parcel still in the warehouse
    services.shipment_ship(
        shipment_id=_ready_to_ship(second).pk, carrier_code="ZTO", tracking_no="773000000000001", actor=SYSTEM
    )
    order.refresh_from_db()
    assert order.status == "shipped"
    assert stock_reads.reservations_for(order.reference) == []
    east = stock_reads.stock_line(warehouse_id=shop.east, sku_id=shop.cup.pk)
    south = stock_reads.stock_line(warehouse_id=shop.south, sku_id=shop.cup.pk)
    assert east is not None
    assert south is not None
    assert east.on_hand + south.on_hand == 40
    assert east.reserved == south.reserved == 0


def test_a_held_order_waits_for_its_release(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = place((shop.cup, 1))
    orders.order_hold(order_id=order.pk, reason="拼团未成团", actor=SYSTEM)
    order = pay(order)
    assert selectors.order_shipments(order.pk) == []
    before = timezone.now()
    orders.order_release(order_id=order.pk, actor=SYSTEM)
    [shipment] = selectors.order_shipments(order.pk)
    assert shipment.dispatch_deadline >= before + timedelta(hours=48)


def test_units_refunded_while_the_order_is_held_are_not_in_its_parcel(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = place((shop.cup, 2), (shop.dress, 1))
    orders.order_hold(order_id=order.pk, reason="拼团未成团", actor=SYSTEM)
    order = pay(order)
    assert (
        services.shipment_units_remove(order_id=order.pk, sku_id=shop.cup.pk, quantity=1, actor=SYSTEM, reason="退一件")
        == 1
    )
    assert stock_reads.ledger_imbalances() == []
    orders.order_release(order_id=order.pk, actor=SYSTEM)
    [shipment] = selectors.order_shipments(order.pk)
    assert sorted((line.sku_code, line.quantity) for line in shipment.lines.all()) == [("CUP-500", 1), ("DRESS-M", 1)]


def test_the_shop_sets_the_dispatch_deadline(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    with override_settings(FULFILMENT_DISPATCH_HOURS=24):
        order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    assert order.paid_at is not None
    assert shipment.dispatch_deadline == order.paid_at + timedelta(hours=24)
    with pytest.raises(ValidationFailed):
        services.shipments_open(order_id=order.pk, actor=SYSTEM, hours=0)


def test_the_queue_puts_priority_first_then_the_nearest_deadline(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    early = pay(place((shop.cup, 1), key="a"))
    late = pay(place((shop.cup, 1), key="b"))
    urgent = pay(place((shop.cup, 1), key="c"))
    Shipment.objects.filter(order_id=urgent.pk).update(priority=True)
    Shipment.objects.filter(order_id=early.pk).update(dispatch_deadline=timezone.now() - timedelta(hours=1))
    queue = [s.order_id for s in selectors.queue(warehouse_id=shop.east)]
    assert queue == [urgent.pk, early.pk, late.pk]
    assert [s.order_id for s in selectors.overdue()] == [early.pk]
    assert selectors.queue_counts(warehouse_id=shop.east) == {"to_pick": 3, "picked": 0, "packed": 0, "overdue": 1}


def test_the_pick_list_adds_up_units_per_sku_in_bin_order(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    a = pay(place((shop.cup, 2), (shop.dress, 1), key="a"))
    b = pay(place((shop.cup, 3), key="b"))
    services.bin_set(warehouse_id=shop.east, sku_id=shop.dress.pk, code="A-01-1", actor=SYSTEM)
    ids = [s.pk for s in Shipment.objects.filter(order_id__in=[a.pk, b.pk])]
    rows = selectors.pick_list(warehouse_id=shop.east, shipment_ids=ids)
    assert [(r.bin, r.sku_code, r.quantity, r.shipments) for r in rows] == [
        ("A-01-1", "DRESS-M", 1, 1),
        ("—", "CUP-500", 5, 2),
    ]
    assert services.shipments_pick(shipment_ids=ids, actor=SYSTEM) == 2
    assert services.shipments_pick(shipment_ids=ids, actor=SYSTEM) == 0  # already picked: nothing again


def test_packing_counts_each_scanned_unit_and_refuses_a_wrong_code(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.cup, 2), (shop.dress, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    with pytest.raises(ShipmentStateError):
        services.shipment_scan(shipment_id=shipment.pk, code="CUP-500", actor=SYSTEM)  # not picked yet
    services.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="SCARF"):
        services.shipment_scan(shipment_id=shipment.pk, code="SCARF", actor=SYSTEM)
    first = services.shipment_scan(shipment_id=shipment.pk, code="cup-500 ", actor=SYSTEM)
    assert (first.scanned, first.quantity, first.complete) == (1, 2, False)
    with pytest.raises(ValidationFailed, match="Scan every unit"):
        services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    services.shipment_scan(shipment_id=shipment.pk, code="CUP-500", actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="already counted"):
        services.shipment_scan(shipment_id=shipment.pk, code="CUP-500", actor=SYSTEM)
    done = services.shipment_scan(shipment_id=shipment.pk, code="DRESS-M", actor=SYSTEM)
    assert done.complete
    assert services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM).status == "packed"


@pytest.mark.parametrize(
    ("carrier", "good", "bad"),
    [
        ("SF", "SF123456789012", "SF12345"),
        ("ZTO", "773012345678", "77301234567"),
        ("YTO", "YT1234567890123", "YT123456789012"),
        ("JD", "JDVA12345678901", "JD123"),
        ("EMS", "EA123456789CN", "EA123456789US"),
    ],
)
def test_tracking_numbers_must_match_the_carriers_format(
    carrier: str, good: str, bad: str, shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    _ready_to_ship(shipment)
    with pytest.raises(ValidationFailed, match="tracking number"):
        services.shipment_ship(shipment_id=shipment.pk, carrier_code=carrier, tracking_no=bad, actor=SYSTEM)
    assert Shipment.objects.get(pk=shipment.pk).status == "packed"  # refused: nothing changed
    shipped = services.shipment_ship(
        shipment_id=shipment.pk, carrier_code=carrier, tracking_no=good.lower(), actor=SYSTEM
    )
    assert (shipped.status, shipped.tracking_no) == ("shipped", good)


def test_shipping_twice_is_refused_and_stock_leaves_once(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.dress, 2)))
    [shipment] = selectors.order_shipments(order.pk)
    _ready_to_ship(shipment)
    services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF000000000001", actor=SYSTEM)
    with pytest.raises(ShipmentStateError):
        services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF000000000002", actor=SYSTEM)
    line = stock_reads.stock_line(warehouse_id=shop.east, sku_id=shop.dress.pk)
    assert line is not None
    assert (line.on_hand, line.reserved) == (3, 0)
    assert Order.objects.get(pk=order.pk).status == "shipped"


def test_a_tracking_number_is_used_on_one_parcel_only(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    first = selectors.order_shipments(pay(place((shop.cup, 1), key="a")).pk)[0]
    second = selectors.order_shipments(pay(place((shop.cup, 1), key="b")).pk)[0]
    for shipment in (first, second):
        _ready_to_ship(shipment)
    services.shipment_ship(shipment_id=first.pk, carrier_code="SF", tracking_no="SF000000000009", actor=SYSTEM)
    with pytest.raises(ValidationFailed, match="another parcel"):
        services.shipment_ship(shipment_id=second.pk, carrier_code="SF", tracking_no="SF000000000009", actor=SYSTEM)


def test_a_fully_refunded_order_is_not_shipped_and_its_parcel_is_cancelled(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], settle: Any
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    _ready_to_ship(shipment)
    with settle():
        orders.order_refund(
            order=order, amounts={order.lines.get().pk: None}, reason="不想要了", request_key="r", actor=SYSTEM
        )
    assert Order.objects.get(pk=order.pk).status == "closed"
    with pytest.raises(ShipmentStateError, match="do not ship"):
        services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF000000000003", actor=SYSTEM)
    assert Shipment.objects.get(pk=shipment.pk).status == "cancelled"  # off the queue: its units are back on sale
    assert not selectors.queue(warehouse_id=shop.east).filter(pk=shipment.pk).exists()
    line = stock_reads.stock_line(warehouse_id=shop.east, sku_id=shop.cup.pk)
    assert line is not None
    assert (line.on_hand, line.reserved) == (50, 0)


def test_a_line_refunded_in_full_leaves_the_parcel_and_the_other_line_ships(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], settle: Any
) -> None:
    order = pay(place((shop.cup, 1), (shop.dress, 1)))
    cup_line = order.lines.get(sku_id=shop.cup.pk)
    with settle():
        orders.order_refund(order=order, amounts={cup_line.pk: None}, reason="少买一件", request_key="p", actor=SYSTEM)
    [shipment] = selectors.order_shipments(order.pk)
    assert shipment.status == "to_pick"
    assert [(line.sku_code, line.quantity) for line in shipment.lines.all()] == [("DRESS-M", 1)]
    assert [(r.sku_id, r.quantity) for r in stock_reads.reservations_for(order.reference)] == [(shop.dress.pk, 1)]
    cup = stock_reads.stock_line(warehouse_id=shop.east, sku_id=shop.cup.pk)
    assert cup is not None
    assert (cup.on_hand, cup.reserved) == (50, 0)  # back on sale
    assert stock_reads.ledger_imbalances() == []
    services.shipment_ship(
        shipment_id=_ready_to_ship(shipment).pk, carrier_code="SF", tracking_no="SF000000000004", actor=SYSTEM
    )
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert stock_reads.ledger_imbalances() == []


def test_refunded_units_come_out_of_a_packed_parcel_which_goes_back_to_picked(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], settle: Any
) -> None:
    order = pay(place((shop.cup, 2), (shop.dress, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    _ready_to_ship(shipment)
    assert (
        services.shipment_units_remove(order_id=order.pk, sku_id=shop.cup.pk, quantity=1, actor=SYSTEM, reason="退一件")
        == 1
    )
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert (shipment.status, shipment.packed_at) == ("picked", None)  # to be scanned again
    assert [(line.sku_code, line.quantity, line.packed_quantity) for line in shipment.lines.all()] == [
        ("DRESS-M", 1, 0),
        ("CUP-500", 1, 0),
    ]
    cup = stock_reads.stock_line(warehouse_id=shop.east, sku_id=shop.cup.pk)
    assert cup is not None
    assert (cup.on_hand, cup.reserved) == (50, 1)
    assert stock_reads.ledger_imbalances() == []
    assert AuditEntry.objects.filter(action="shipment.units_removed", object_id=str(shipment.pk)).count() == 1
    with pytest.raises(ShipmentStateError):
        services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF000000000005", actor=SYSTEM)
    services.shipment_ship(
        shipment_id=_ready_to_ship(shipment).pk, carrier_code="SF", tracking_no="SF000000000005", actor=SYSTEM
    )
    cup.refresh_from_db()
    assert (cup.on_hand, cup.reserved) == (49, 0)
    assert stock_reads.ledger_imbalances() == []


def test_an_emptied_parcel_of_a_split_order_is_cancelled_and_the_order_still_ships(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.cup, 60)))  # East holds 50, South 50
    small, big = sorted(selectors.order_shipments(order.pk), key=lambda s: s.pk)  # units come out in pk order
    units = small.lines.get().quantity
    assert (
        services.shipment_units_remove(
            order_id=order.pk, sku_id=shop.cup.pk, quantity=units, actor=SYSTEM, reason="退款"
        )
        == units
    )
    assert Shipment.objects.get(pk=small.pk).status == "cancelled"
    services.shipment_ship(
        shipment_id=_ready_to_ship(big).pk, carrier_code="SF", tracking_no="SF000000000006", actor=SYSTEM
    )
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert stock_reads.reservations_for(order.reference) == []
    assert stock_reads.ledger_imbalances() == []


def test_the_customer_confirms_receipt_and_the_order_turns_delivered(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], seen: Recorder
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    _ready_to_ship(shipment)
    services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF000000000004", actor=SYSTEM)
    services.shipment_confirm_receipt(shipment_id=shipment.pk, customer=shop.customer, actor=SYSTEM)
    services.shipment_confirm_receipt(shipment_id=shipment.pk, customer=shop.customer, actor=SYSTEM)  # twice: once
    shipment.refresh_from_db()
    assert (shipment.status, shipment.delivered_by) == ("delivered", "customer")
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert [e.shipment_id for e in seen.of(ShipmentDelivered)] == [shipment.pk]
    assert [e.kind for e in Order.objects.get(pk=order.pk).events.all()][-2:] == ["ship", "deliver"]


def test_parcels_not_confirmed_count_as_delivered_after_the_set_days(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    _ready_to_ship(shipment)
    services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF000000000005", actor=SYSTEM)
    now = timezone.now()
    assert services.shipments_auto_deliver(now=now + timedelta(days=9)) == 0
    assert services.shipments_auto_deliver(now=now + timedelta(days=10, minutes=1)) == 1
    assert services.shipments_auto_deliver(now=now + timedelta(days=11)) == 0
    shipment.refresh_from_db()
    assert (shipment.status, shipment.delivered_by) == ("delivered", "auto")
    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_a_replacement_reserves_a_unit_and_ships_without_moving_the_order(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    order = pay(place((shop.dress, 1)))
    [parcel] = selectors.order_shipments(order.pk)
    _ready_to_ship(parcel)
    services.shipment_ship(shipment_id=parcel.pk, carrier_code="SF", tracking_no="SF000000000006", actor=SYSTEM)
    services.shipment_confirm_receipt(shipment_id=parcel.pk, customer=shop.customer, actor=SYSTEM)
    replacement = services.replacement_ship(
        order_id=order.pk, sku_id=shop.dress.pk, quantity=1, reference="exchange:T1", actor=SYSTEM
    )
    again = services.replacement_ship(
        order_id=order.pk, sku_id=shop.dress.pk, quantity=1, reference="exchange:T1", actor=SYSTEM
    )
    assert again.pk == replacement.pk
    assert (replacement.kind, replacement.priority, replacement.status) == ("replacement", True, "to_pick")
    assert [a.quantity for a in stock_reads.reservations_for("exchange:T1")] == [1]
    _ready_to_ship(replacement)
    services.shipment_ship(shipment_id=replacement.pk, carrier_code="SF", tracking_no="SF000000000007", actor=SYSTEM)
    assert stock_reads.reservations_for("exchange:T1") == []
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert len(selectors.order_shipments(order.pk)) == 2
    with pytest.raises(OutOfStock):
        services.replacement_ship(order_id=order.pk, sku_id=shop.dress.pk, quantity=99, reference="x:2", actor=SYSTEM)


def test_carriers_bins_and_capacity_check_their_input(shop: Shop) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.carrier_save(code="ST O", name="", tracking_pattern="^(", actor=SYSTEM)
    assert set(refused.value.details) == {"code", "name", "tracking_pattern"}
    carrier = services.carrier_save(code="sto", name="申通快递", tracking_pattern=r"^\d{12}$", actor=SYSTEM)
    assert carrier.code == "STO"
    assert services.carrier_save(code="STO", name="申通", tracking_pattern=r"^\d{13}$", actor=SYSTEM).pk == carrier.pk
    with pytest.raises(ValidationFailed):
        services.capacity_set(warehouse_id=shop.east, orders_per_day=0, actor=SYSTEM)
    services.capacity_set(warehouse_id=shop.east, orders_per_day=300, actor=SYSTEM)
    assert selectors.capacities([shop.east, shop.south]) == {shop.east: 300, shop.south: 2000}
    assert services.bin_set(warehouse_id=shop.east, sku_id=shop.cup.pk, code=" ", actor=SYSTEM).code == "—"
    stock.stock_receive(sku_id=shop.cup.pk, warehouse_id=shop.east, quantity=1, actor=SYSTEM)  # unrelated: untouched
