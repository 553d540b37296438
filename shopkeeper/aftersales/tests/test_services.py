"""After-sales from application to refund or replacement, through the sandbox gateway's real
notifications: a returned line gets back exactly its paid share, bad applications are refused
and change nothing, automatic rules approve at once, the warehouse's inspection moves stock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.aftersales import selectors, services
from shopkeeper.aftersales.models import Application, ServiceItem
from shopkeeper.aftersales.tests.conftest import SYSTEM, Shop, bought
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound, PermissionDenied, ShopkeeperError, ValidationFailed
from shopkeeper.core.events import publish
from shopkeeper.core.services import ActorContext
from shopkeeper.fulfillment import selectors as fulfillment_reads
from shopkeeper.fulfillment.events import ShipmentDelivered, ShipmentException
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory.models import Stock, StockMovement
from shopkeeper.orders.models import Order, OrderRefund

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def apply(
    shop: Shop, order: Order, sku_code: str, *, kind: str = "return_refund", quantity: int = 1, **kw: Any
) -> Application:
    line = order.lines.get(sku_code=sku_code)
    return services.application_apply(
        customer=shop.customer,
        order_number=order.number,
        line_id=line.pk,
        kind=kind,
        reason=kw.pop("reason", "wrong_size"),
        quantity=quantity,
        actor=ActorContext(user=shop.customer),
        **kw,
    )


def return_through(
    app: Application, shop: Shop, staff: dict[str, ActorContext], settle: Any, *, result: str = "pass"
) -> Application:
    services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    services.application_ship_return(
        application_id=app.pk, customer=shop.customer, carrier="SF", tracking_no="SF1234567890", actor=SYSTEM
    )
    services.application_receive(application_id=app.pk, warehouse_id=shop.east, actor=staff["warehouse"])
    with settle():
        services.application_inspect(
            application_id=app.pk,
            result=result,
            note="" if result == "pass" else "外包装破损",
            actor=staff["warehouse"],
        )
    app.refresh_from_db()
    return app


def test_returning_one_line_of_a_multi_line_order_refunds_exactly_that_lines_paid_share(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 2))
    dress = order.lines.get(sku_code="DRESS-M")
    app = apply(shop, order, "DRESS-M")
    assert (app.status, app.amount_fen, app.stage) == ("applied", dress.total_fen, "delivered")
    on_hand = Stock.objects.get(sku=shop.dress, warehouse_id=shop.east).on_hand
    app = return_through(app, shop, staff, settle)
    assert app.status == "refunded"
    assert app.refunded_fen == dress.total_fen == 19900
    dress.refresh_from_db()
    order.refresh_from_db()
    assert (dress.refunded_fen, order.refunded_fen) == (19900, 19900)
    assert order.status == "delivered"  # the cups stay with the customer
    assert Stock.objects.get(sku=shop.dress, warehouse_id=shop.east).on_hand == on_hand + 1  # back on the shelf
    kinds = [event.kind for event in app.events.all()]
    assert kinds == ["applied", "approve", "ship_return", "receive", "inspect", "refund", "refund_succeed"]


def test_units_returned_in_several_applications_add_up_to_the_lines_total(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    order = bought(shop, settle, (shop.cup, 3), (shop.dress, 1))
    cup = order.lines.get(sku_code="CUP-500")
    cup.total_fen = 17000  # a discount left 170.00 over 3 units: 56.66, 56.67, 56.67
    cup.save(update_fields=["total_fen"])
    first = return_through(apply(shop, order, "CUP-500", quantity=1), shop, staff, settle)
    second = return_through(apply(shop, order, "CUP-500", quantity=2), shop, staff, settle)
    assert (first.refunded_fen, second.refunded_fen) == (5666, 11334)
    cup.refresh_from_db()
    assert cup.refunded_fen == cup.total_fen == 17000
    with pytest.raises(ShopkeeperError, match="refunded in full"):
        apply(shop, order, "CUP-500")


def test_damaged_goods_are_written_off_and_still_refunded(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1))
    before = Stock.objects.get(sku=shop.cup, warehouse_id=shop.east).on_hand
    app = return_through(apply(shop, order, "CUP-500", reason="damaged"), shop, staff, settle, result="damaged")
    assert app.status == "refunded"
    assert app.inspection == "damaged"
    assert Stock.objects.get(sku=shop.cup, warehouse_id=shop.east).on_hand == before
    kinds = set(StockMovement.objects.filter(reference__startswith=app.reference).values_list("kind", flat=True))
    assert kinds == {"return", "write_off"}


def test_refund_only_before_shipment_is_approved_by_a_rule_and_paid_at_once(shop: Shop, settle: Any) -> None:
    services.auto_rule_create(
        kind="refund_only", stage="before_shipment", max_amount=Money.from_yuan("60"), actor=SYSTEM
    )
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1), stage="paid")
    with settle():
        app = apply(shop, order, "CUP-500", kind="refund_only", reason="not_wanted")
    app.refresh_from_db()
    assert app.auto_approved
    assert app.status == "refunded"
    assert app.refunded_fen == 5900
    dress = apply(shop, order, "DRESS-M", kind="refund_only", reason="not_wanted")  # ¥199 is above the rule
    assert dress.status == "applied"
    (parcel,) = fulfillment_reads.order_shipments(order.pk)  # the cup came out of the unshipped parcel
    assert [(line.sku_code, line.quantity) for line in parcel.lines.all()] == [("DRESS-M", 1)]
    assert [r.sku_id for r in stock_reads.reservations_for(order.reference)] == [shop.dress.pk]
    assert stock_reads.ledger_imbalances() == []
    assert list(selectors.service_items()) == []  # nothing for customer service to follow up


def test_refund_only_of_some_units_before_shipment_leaves_the_rest_in_the_parcel(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    order = bought(shop, settle, (shop.cup, 2), (shop.dress, 1), stage="paid")
    app = apply(shop, order, "CUP-500", kind="refund_only", reason="not_wanted", quantity=1)
    with settle():
        services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    app.refresh_from_db()
    assert app.status == "refunded"
    (parcel,) = fulfillment_reads.order_shipments(order.pk)
    assert [(line.sku_code, line.quantity) for line in parcel.lines.all()] == [("DRESS-M", 1), ("CUP-500", 1)]
    held = {r.sku_id: r.quantity for r in stock_reads.reservations_for(order.reference)}
    assert held == {shop.dress.pk: 1, shop.cup.pk: 1}
    assert stock_reads.ledger_imbalances() == []
    assert list(selectors.service_items()) == []


def test_an_agent_approves_up_to_the_limit_and_only_a_supervisor_refuses(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], settings: Any
) -> None:
    settings.AFTERSALES_AGENT_LIMIT_FEN = 10000
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1))
    dress = apply(shop, order, "DRESS-M")
    with pytest.raises(PermissionDenied):
        services.application_approve(application_id=dress.pk, actor=staff["agent"])
    with pytest.raises(PermissionDenied):
        services.application_refuse(application_id=dress.pk, actor=staff["agent"], note="不符合")
    with pytest.raises(ValidationFailed):
        services.application_refuse(application_id=dress.pk, actor=staff["supervisor"], note=" ")
    refused = services.application_refuse(application_id=dress.pk, actor=staff["supervisor"], note="已穿着，不支持退货")
    assert refused.status == "refused"
    assert refused.decision_note == "已穿着，不支持退货"
    cup = apply(shop, order, "CUP-500")
    assert services.application_approve(application_id=cup.pk, actor=staff["agent"]).status == "approved"


def test_approving_twice_is_one_approval_and_one_refund(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1), stage="paid")
    app = apply(shop, order, "DRESS-M", kind="refund_only")
    with settle():
        services.application_approve(application_id=app.pk, actor=staff["supervisor"])
        services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    app.refresh_from_db()
    assert app.status == "refunded"
    assert OrderRefund.objects.filter(order=order).count() == 1
    assert [e.kind for e in app.events.all()].count("approve") == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"quantity": 3}, "at most 2 of the 2"),
        ({"quantity": 0}, "invalid fields"),
        ({"kind": "swap"}, "invalid fields"),
        ({"reason": "because"}, "invalid fields"),
        ({"reason": "other"}, "invalid fields"),  # "other" needs a description
        ({"photos": ["javascript:alert(1)"]}, "http(s) link"),
        ({"photos": [f"https://img.example.com/{i}.jpg" for i in range(7)]}, "At most 6 photos"),
    ],
)
def test_bad_applications_are_refused_and_change_nothing(
    shop: Shop, settle: Any, case: dict[str, Any], expected: str
) -> None:
    order = bought(shop, settle, (shop.cup, 2), (shop.dress, 1))
    with pytest.raises(ShopkeeperError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        apply(shop, order, "CUP-500", **case)
    assert Application.objects.count() == 0


def test_one_open_application_per_line(shop: Shop, settle: Any) -> None:
    order = bought(shop, settle, (shop.cup, 2), (shop.dress, 1))
    first = apply(shop, order, "CUP-500")
    with pytest.raises(ShopkeeperError, match="already has an open application"):
        apply(shop, order, "CUP-500")
    services.application_cancel(application_id=first.pk, customer=shop.customer, actor=SYSTEM)
    assert apply(shop, order, "CUP-500", quantity=2).status == "applied"  # cancelled frees the units


def test_after_the_window_only_nothing_and_before_shipment_only_refund(shop: Shop, settle: Any, settings: Any) -> None:
    settings.AFTERSALES_WINDOW_DAYS = 7
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1))
    late = timezone.now() + timedelta(days=8)
    with pytest.raises(ShopkeeperError, match="window of 7 days"):
        apply(shop, order, "CUP-500", now=late)
    unshipped = bought(shop, settle, (shop.cup, 1), stage="paid", key="k2")
    with pytest.raises(ShopkeeperError, match="not shipped yet"):
        apply(shop, unshipped, "CUP-500")
    in_transit = bought(shop, settle, (shop.dress, 1), stage="shipped", key="k3")
    with pytest.raises(ShopkeeperError, match="still on its way"):
        apply(shop, in_transit, "DRESS-M", kind="exchange")
    assert apply(shop, in_transit, "DRESS-M", kind="refund_only", reason="not_received").stage == "in_transit"
    assert Application.objects.count() == 1


def test_someone_elses_line_is_not_found(shop: Shop, settle: Any, second_customer: Any) -> None:
    order = bought(shop, settle, (shop.cup, 1))
    other = second_customer("13900139000")
    with pytest.raises(NotFound):
        services.application_apply(
            customer=other,
            order_number=order.number,
            line_id=order.lines.get().pk,
            kind="refund_only",
            reason="not_wanted",
            quantity=1,
            actor=ActorContext(user=other),
        )


def test_a_failed_refund_can_be_tried_again_with_a_new_key(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    from shopkeeper.payments.models import Refund
    from shopkeeper.payments.services import refunds as gateway_refunds

    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1), stage="paid")
    app = apply(shop, order, "DRESS-M", kind="refund_only")
    services.application_approve(application_id=app.pk, actor=staff["supervisor"])  # not settled: stays pending
    app.refresh_from_db()
    first_key = app.refund_key
    gateway_refunds._refund_fail(refund_id=Refund.objects.get(request_key=first_key).pk, reason="ACQ.TRADE_ERROR")
    app.refresh_from_db()
    assert app.status == "refund_failed"
    with settle():
        services.application_refund_retry(application_id=app.pk, actor=staff["supervisor"])
    app.refresh_from_db()
    assert app.status == "refunded"
    assert app.refund_key != first_key
    assert app.refunded_fen == 19900
    order.refresh_from_db()
    assert order.refunded_fen == 19900


def test_an_exchange_ships_a_replacement(shop: Shop, settle: Any, staff: dict[str, ActorContext]) -> None:
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1))
    app = return_through(apply(shop, order, "DRESS-M", kind="exchange"), shop, staff, settle)
    assert app.status == "exchange_shipped"
    assert app.amount_fen == 0
    assert app.replacement_reference == f"exchange:{app.number}"
    assert OrderRefund.objects.filter(order=order).count() == 0
    shipments = fulfillment_reads.order_shipments(order.pk)
    replacement = next(s for s in shipments if s.reference == app.replacement_reference)
    original = next(s for s in shipments if s.reference != app.replacement_reference)
    publish(ShipmentDelivered(shipment_id=original.pk, order_id=order.pk, number=order.number))
    app.refresh_from_db()
    assert app.status == "exchange_shipped"  # another parcel of the order
    publish(ShipmentDelivered(shipment_id=replacement.pk, order_id=order.pk, number=order.number))
    app.refresh_from_db()
    assert app.status == "closed"


def test_a_carrier_exception_opens_one_service_item(shop: Shop, settle: Any) -> None:
    order = bought(shop, settle, (shop.cup, 1), stage="shipped")
    event = ShipmentException(
        shipment_id=7, order_id=order.pk, number=order.number, carrier="SF", tracking_no="SF1", note="破损"
    )
    publish(event)
    publish(event)
    assert ServiceItem.objects.filter(shipment_id=7).count() == 1
    item = ServiceItem.objects.get()
    services.service_item_resolve(item_id=item.pk, resolution="已补发", actor=SYSTEM)
    assert selectors.service_items().count() == 0


def test_refund_rate_by_product_day_and_reason(shop: Shop, settle: Any, staff: dict[str, ActorContext]) -> None:
    order = bought(shop, settle, (shop.cup, 2), (shop.dress, 1))
    bought(shop, settle, (shop.cup, 2), key="k2")
    return_through(apply(shop, order, "CUP-500", quantity=1), shop, staff, settle)
    today = timezone.localdate()
    by_product = {row.label: row for row in selectors.refund_rate(start=today, end=today, by="product")}
    cup = by_product["316不锈钢保温杯"]
    assert (cup.sold_units, cup.refunded_units, cup.refunded_fen) == (4, 1, 5900)
    assert str(cup.unit_rate) == "25.00"
    assert by_product["法式收腰连衣裙"].unit_rate == 0
    (day,) = selectors.refund_rate(start=today, end=today, by="day")
    assert (day.sold_units, day.refunded_units) == (5, 1)
    reasons = {row.key: row for row in selectors.refund_rate(start=today, end=today, by="reason")}
    assert reasons["wrong_size"].refunded_units == 1
    assert reasons["quality"].refunded_units == 0
    total = selectors.refund_rate_total(start=today, end=today, product_ids=[shop.cup.product_id])
    assert (total.sold_units, total.refunded_units) == (4, 1)
    csv_text = selectors.refund_rate_csv(list(by_product.values()), by="product")
    assert "25.00" in csv_text
    assert "59.00" in csv_text


def test_refunding_a_whole_unshipped_order_closes_it_and_leaves_nothing_to_follow_up(
    shop: Shop, settle: Any, staff: dict[str, ActorContext]
) -> None:
    order = bought(shop, settle, (shop.cup, 2), stage="paid")
    app = apply(shop, order, "CUP-500", kind="refund_only", reason="not_wanted", quantity=2)
    with settle():
        services.application_approve(application_id=app.pk, actor=staff["agent"])
    app.refresh_from_db()
    order.refresh_from_db()
    assert app.status == "refunded"
    assert app.refunded_fen == 2 * 5900 + 800  # the shipping goes back with the last goods
    assert order.status == "closed"
    assert selectors.service_items().count() == 0


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("ship_blank", "invalid fields"),
        ("ship_bad_tracking", "invalid fields"),
        ("ship_other_customer", "No such"),
        ("receive_before_shipped", "cannot be changed"),
        ("inspect_unknown_result", "passed or damaged"),
        ("inspect_damaged_without_note", "Describe the damage"),
        ("approve_refused", "cannot be changed"),
        ("cancel_after_shipping", "cannot be changed"),
    ],
)
def test_bad_steps_are_refused_and_change_nothing(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], second_customer: Any, step: str, expected: str
) -> None:
    order = bought(shop, settle, (shop.cup, 1), (shop.dress, 1))
    app = apply(shop, order, "CUP-500")
    if step in ("ship_blank", "ship_bad_tracking", "ship_other_customer", "cancel_after_shipping"):
        services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    if step == "cancel_after_shipping":
        services.application_ship_return(
            application_id=app.pk, customer=shop.customer, carrier="SF", tracking_no="SF1", actor=SYSTEM
        )
    if step == "approve_refused":
        services.application_refuse(application_id=app.pk, actor=staff["supervisor"], note="不支持")
    app.refresh_from_db()
    before = (app.status, app.return_tracking_no, app.inspection, app.events.count())
    calls = {
        "ship_blank": lambda: services.application_ship_return(
            application_id=app.pk, customer=shop.customer, carrier="", tracking_no="", actor=SYSTEM
        ),
        "ship_bad_tracking": lambda: services.application_ship_return(
            application_id=app.pk, customer=shop.customer, carrier="SF", tracking_no="<b>1</b>", actor=SYSTEM
        ),
        "ship_other_customer": lambda: services.application_ship_return(
            application_id=app.pk,
            customer=second_customer("13900139001"),
            carrier="SF",
            tracking_no="SF1",
            actor=SYSTEM,
        ),
        "receive_before_shipped": lambda: services.application_receive(
            application_id=app.pk, warehouse_id=shop.east, actor=staff["warehouse"]
        ),
        "inspect_unknown_result": lambda: services.application_inspect(
            application_id=app.pk, result="ok", note="", actor=staff["warehouse"]
        ),
        "inspect_damaged_without_note": lambda: services.application_inspect(
            application_id=app.pk, result="damaged", note="", actor=staff["warehouse"]
        ),
        "approve_refused": lambda: services.application_approve(application_id=app.pk, actor=staff["supervisor"]),
        "cancel_after_shipping": lambda: services.application_cancel(
            application_id=app.pk, customer=shop.customer, actor=SYSTEM
        ),
    }
    with pytest.raises(ShopkeeperError, match=expected):
        calls[step]()
    app.refresh_from_db()
    assert (app.status, app.return_tracking_no, app.inspection, app.events.count()) == before


def test_a_split_order_line_whose_parcel_arrived_can_be_returned_while_the_other_is_on_its_way(
    shop: Shop, settle: Any
) -> None:
    from shopkeeper.aftersales.tests.conftest import pay, placed
    from shopkeeper.fulfillment import services as fulfilment
    from shopkeeper.inventory import services as stock

    stock.stocktake(sku_id=shop.cup.pk, warehouse_id=shop.east, counted=0, actor=SYSTEM, reason="测试")
    order = placed(shop, (shop.dress, 1), (shop.cup, 1))  # the dress from East, the cup from South
    pay(order, settle)
    parcels = {parcel.warehouse_id: parcel for parcel in fulfillment_reads.order_shipments(order.pk)}
    assert set(parcels) == {shop.east, shop.south}
    for warehouse, tracking in ((shop.east, "SF100000000001"), (shop.south, "SF100000000002")):
        parcel = parcels[warehouse]
        fulfilment.shipments_pick(shipment_ids=[parcel.pk], actor=SYSTEM)
        for line in parcel.lines.all():
            fulfilment.shipment_scan(shipment_id=parcel.pk, code=line.sku_code, actor=SYSTEM)
        fulfilment.shipment_pack(shipment_id=parcel.pk, actor=SYSTEM)
        fulfilment.shipment_ship(shipment_id=parcel.pk, carrier_code="SF", tracking_no=tracking, actor=SYSTEM)
    fulfilment.shipment_deliver(shipment_id=parcels[shop.east].pk, by="customer", actor=SYSTEM)
    order.refresh_from_db()
    assert order.status == "shipped"  # the cup is still on its way
    application = apply(shop, order, "DRESS-M", kind="return_refund")
    assert application.stage == "delivered"
    with pytest.raises(ShopkeeperError) as refused:
        apply(shop, order, "CUP-500", kind="return_refund")
    assert refused.value.details["reason"] == "in_transit_only_refund"
