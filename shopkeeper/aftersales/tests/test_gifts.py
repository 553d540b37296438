"""Gifts with purchase on refund, through the real checkout, payments and fulfilment: an order of a
¥199 dress and a ¥59 cup (¥258) earns a ¥39 tote bag (list price; it sells at ¥29) over ¥250.
Returning the cup leaves ¥199: below the threshold, so the gift's rule applies —

- recover: the return must bring the tote back; back intact, the refund is the cup's ¥59; missing
  or damaged, ¥59 − ¥39 = ¥20. A refund only before shipment takes the tote out of the parcel.
- charge: the customer keeps the tote and gets ¥20.
- after_receipt: the tote waits in the warehouse, reserved, and ships once the dress and cup are
  received; refunding the cup before that means it never ships.

A refund that leaves the order over the threshold changes nothing about the gift.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from shopkeeper.aftersales import selectors, services
from shopkeeper.aftersales.models import Application, OrderGift
from shopkeeper.aftersales.tests.conftest import SYSTEM, Shop, pay
from shopkeeper.catalog.models import Sku
from shopkeeper.catalog.services import prices
from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import _product
from shopkeeper.core.enums import Role
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.fulfillment import selectors as fulfillment_reads
from shopkeeper.fulfillment import services as fulfillment
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory import services as stock
from shopkeeper.inventory.models import Stock
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order, OrderRefund
from shopkeeper.promotions.tests.conftest import MakePromotion, promote  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]

TOTE_LIST_FEN = 3900


@pytest.fixture
def tote(shop: Shop) -> Sku:
    """The gift: a tote bag listed at ¥39 that sells at ¥29, 10 in East China."""
    sku = _product("帆布袋", 2900, "TOTE", category=shop.dress.product.category, brand=shop.dress.product.brand)
    sku.list_price_fen = TOTE_LIST_FEN
    sku.save(update_fields=["list_price_fen"])
    stock.stock_receive(sku_id=sku.pk, warehouse_id=shop.east, quantity=10, actor=SYSTEM)
    return sku


@pytest.fixture
def gift(promote: MakePromotion, tote: Sku) -> Any:  # noqa: F811
    def make(rule: str, *, threshold_fen: int = 25000) -> Any:
        return promote(
            "gift",
            {"threshold_fen": threshold_fen, "gift_sku_id": tote.pk, "gift_quantity": 1, "refund_rule": rule},
            label="满250赠帆布袋",
        )

    return make


def buy(shop: Shop, settle: Any, *lines: tuple[Sku, int], stage: str = "delivered", key: str = "g") -> Order:
    """Through the cart, so the running gift promotion applies; paid, then moved on to `stage`."""
    cart = checkout.cart_for_customer(shop.customer)
    for sku, quantity in lines:
        checkout.cart_add(cart=cart, sku_id=sku.pk, quantity=quantity)
    order = checkout.checkout_submit(
        cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key=key, actor=SYSTEM
    )
    pay(order, settle)
    if stage in ("shipped", "delivered"):
        orders.order_ship(order_id=order.pk, actor=SYSTEM)
    if stage == "delivered":
        orders.order_deliver(order_id=order.pk, actor=SYSTEM)
    order.refresh_from_db()
    return order


def apply(shop: Shop, order: Order, sku_code: str, *, kind: str = "return_refund", quantity: int = 1) -> Application:
    line = order.lines.get(sku_code=sku_code)
    return services.application_apply(
        customer=shop.customer,
        order_number=order.number,
        line_id=line.pk,
        kind=kind,
        reason="not_wanted",
        quantity=quantity,
        actor=ActorContext(user=shop.customer),
    )


def received(app: Application, shop: Shop, staff: dict[str, ActorContext]) -> Application:
    """Approved, sent back by the customer and received by the warehouse (not inspected yet)."""
    services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    services.application_ship_return(
        application_id=app.pk, customer=shop.customer, carrier="SF", tracking_no="SF1234567890", actor=SYSTEM
    )
    return services.application_receive(application_id=app.pk, warehouse_id=shop.east, actor=staff["warehouse"])


def inspected(app: Application, staff: dict[str, ActorContext], settle: Any, *, gift_result: str = "") -> Application:
    with settle():
        services.application_inspect(
            application_id=app.pk, result="pass", note="", actor=staff["warehouse"], gift_result=gift_result
        )
    app.refresh_from_db()
    return app


def return_through(
    app: Application, shop: Shop, staff: dict[str, ActorContext], settle: Any, *, gift_result: str = ""
) -> Application:
    return inspected(received(app, shop, staff), staff, settle, gift_result=gift_result)


def on_hand(sku: Sku, shop: Shop) -> int:
    return Stock.objects.get(sku=sku, warehouse_id=shop.east).on_hand


def the_gift(order: Order) -> OrderGift:
    return OrderGift.objects.get(order=order)


def ship_and_receive(shipment_id: int, *, tracking_no: str = "SF600000000001") -> None:
    """Pick, scan every unit, pack, ship and have the customer confirm receipt."""
    shipment = fulfillment_reads.shipment_get(shipment_id=shipment_id)
    fulfillment.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    for line in shipment.lines.all():
        for _unit in range(line.quantity):
            fulfillment.shipment_scan(shipment_id=shipment.pk, code=line.sku_code, actor=SYSTEM)
    fulfillment.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    fulfillment.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no=tracking_no, actor=SYSTEM)
    fulfillment.shipment_deliver(shipment_id=shipment.pk, by="customer", actor=SYSTEM)


# --- recover --------------------------------------------------------------------------------------


def test_recover_a_return_below_the_threshold_lists_the_gift_and_refunds_in_full_when_it_comes_back(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, tote: Sku
) -> None:
    gift("recover")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1))
    assert order.lines.filter(sku_code="TOTE", total_fen=0).exists()
    app = apply(shop, order, "CUP-500")
    assert (app.amount_fen, app.gift_deduction_fen) == (5900, 0)  # expected back with the goods
    (listed,) = selectors.application_gifts(app)
    assert (listed.title, listed.units, listed.value_fen, listed.rule) == ("帆布袋", 1, 3900, "recover")
    assert "Send the gift back" in listed.notice
    shelf = on_hand(tote, shop)
    app = received(app, shop, staff)
    with pytest.raises(ValidationFailed, match="gift came back"):  # the warehouse must say
        inspected(app, staff, settle)
    app = inspected(app, staff, settle, gift_result="pass")
    assert (app.status, app.refunded_fen, app.gift_deduction_fen) == ("refunded", 5900, 0)
    held = the_gift(order)
    assert (held.state, held.charged_fen, held.application_id) == ("returned", 0, app.pk)
    assert on_hand(tote, shop) == shelf + 1  # back on the shelf


@pytest.mark.parametrize(("found", "write_off"), [("missing", False), ("damaged", True)])
def test_recover_a_gift_not_sent_back_or_damaged_comes_off_the_refund(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, tote: Sku, found: str, write_off: bool
) -> None:
    gift("recover")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1))
    shelf = on_hand(tote, shop)
    app = return_through(apply(shop, order, "CUP-500"), shop, staff, settle, gift_result=found)
    assert (app.status, app.amount_fen, app.gift_deduction_fen, app.refunded_fen) == ("refunded", 2000, 3900, 2000)
    assert app.share_fen == 5900
    assert (the_gift(order).state, the_gift(order).charged_fen, the_gift(order).returned) == ("charged", 3900, found)
    assert OrderRefund.objects.get(order=order).amount_fen == 2000
    assert on_hand(tote, shop) == shelf  # missing: never came; damaged: came and was written off
    assert any("¥39.00" in event.note for event in app.events.all() if event.kind == "gift")


def test_recover_a_refund_only_before_shipment_takes_the_gift_out_of_the_parcel(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, tote: Sku
) -> None:
    gift("recover")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1), stage="paid")
    app = apply(shop, order, "DRESS-M", kind="refund_only")
    with settle():
        services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    app.refresh_from_db()
    assert (app.status, app.refunded_fen, app.gift_deduction_fen) == ("refunded", 19900, 0)
    assert the_gift(order).state == "cancelled"
    (parcel,) = fulfillment_reads.order_shipments(order.pk)
    assert [(line.sku_code, line.quantity) for line in parcel.lines.all()] == [("CUP-500", 1)]
    assert {r.sku_id for r in stock_reads.reservations_for(order.reference)} == {shop.cup.pk}
    assert stock_reads.ledger_imbalances() == []


def test_a_refund_that_leaves_the_order_over_the_threshold_changes_nothing_about_the_gift(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any
) -> None:
    gift("charge")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 2))  # ¥317
    app = apply(shop, order, "CUP-500")  # ¥258 left
    assert app.gift_deduction_fen == 0
    assert selectors.application_gifts(app) == []
    app = return_through(app, shop, staff, settle)
    assert (app.refunded_fen, app.gift_deduction_fen) == (5900, 0)
    assert (the_gift(order).state, the_gift(order).application_id) == ("kept", None)


# --- charge ---------------------------------------------------------------------------------------


def test_charge_the_customer_keeps_the_gift_and_its_value_comes_off_once(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any
) -> None:
    gift("charge", threshold_fen=30000)
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 2))  # ¥317 over ¥300
    first = apply(shop, order, "CUP-500")  # ¥258 left: below
    assert (first.amount_fen, first.gift_deduction_fen) == (2000, 3900)  # told before approval
    (listed,) = selectors.application_gifts(first)
    assert "¥39.00" in listed.notice
    first = return_through(first, shop, staff, settle)
    assert (first.refunded_fen, first.gift_deduction_fen) == (2000, 3900)
    second = return_through(apply(shop, order, "CUP-500"), shop, staff, settle)
    assert (second.refunded_fen, second.gift_deduction_fen) == (5900, 0)  # charged once, not again
    cup = order.lines.get(sku_code="CUP-500")
    assert cup.refunded_fen == 2000 + 5900  # the last unit does not take the ¥39 back
    assert (the_gift(order).state, the_gift(order).charged_fen, the_gift(order).application_id) == (
        "charged",
        3900,
        first.pk,
    )


def test_charge_never_takes_more_than_the_refund(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, tote: Sku
) -> None:
    tote.list_price_fen = 8000  # the gift is worth more than the cup
    tote.save(update_fields=["list_price_fen"])
    gift("charge")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1))
    app = apply(shop, order, "CUP-500")
    assert (app.amount_fen, app.gift_deduction_fen) == (0, 5900)
    app = return_through(app, shop, staff, settle)
    assert (app.status, app.refunded_fen, app.gift_deduction_fen) == ("refunded", 0, 5900)
    assert not OrderRefund.objects.filter(order=order).exists()  # nothing to send to the gateway
    assert the_gift(order).charged_fen == 5900


def test_the_gifts_value_is_its_list_price_when_the_order_was_placed(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, tote: Sku
) -> None:
    gift("charge")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1))
    prices.skus_bulk_change_price(
        actor=SYSTEM, sku_ids=[tote.pk], field="list", mode="set", value=Decimal("99"), reason="调价"
    )
    app = apply(shop, order, "CUP-500")
    assert app.gift_deduction_fen == 3900  # ¥39 then, not ¥99 now


# --- after receipt --------------------------------------------------------------------------------


def test_after_receipt_the_gift_waits_reserved_and_ships_once_the_goods_are_received(
    shop: Shop, settle: Any, gift: Any, tote: Sku
) -> None:
    gift("after_receipt")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1), stage="paid")
    (parcel,) = fulfillment_reads.order_shipments(order.pk)
    assert sorted(line.sku_code for line in parcel.lines.all()) == ["CUP-500", "DRESS-M"]  # no tote
    held = the_gift(order)
    assert held.state == "held"
    assert [(r.sku_id, r.quantity) for r in stock_reads.reservations_for(held.reference)] == [(tote.pk, 1)]
    ship_and_receive(parcel.pk)
    order.refresh_from_db()
    assert order.status == "delivered"
    held.refresh_from_db()
    assert held.state == "sent"
    sent = [s for s in fulfillment_reads.order_shipments(order.pk) if s.reference == held.reference]
    assert [(line.sku_code, line.quantity) for line in sent[0].lines.all()] == [("TOTE", 1)]
    assert stock_reads.ledger_imbalances() == []


def test_after_receipt_a_refund_below_the_threshold_before_receipt_means_the_gift_never_ships(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, tote: Sku
) -> None:
    gift("after_receipt")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1), stage="paid")
    available = stock_reads.sku_availability([tote.pk])[tote.pk]
    app = apply(shop, order, "CUP-500", kind="refund_only")
    assert app.gift_deduction_fen == 0
    with settle():
        services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    app.refresh_from_db()
    assert (app.status, app.refunded_fen) == ("refunded", 5900)
    held = the_gift(order)
    assert held.state == "withheld"
    assert stock_reads.reservations_for(held.reference) == []
    assert stock_reads.sku_availability([tote.pk])[tote.pk] == available + 1  # back on sale
    (parcel,) = fulfillment_reads.order_shipments(order.pk)
    ship_and_receive(parcel.pk)
    assert len(fulfillment_reads.order_shipments(order.pk)) == 1  # nothing more ships


def test_after_receipt_an_open_refund_application_keeps_the_gift_waiting_until_it_is_refused(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any
) -> None:
    gift("after_receipt")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1), stage="paid")
    (parcel,) = fulfillment_reads.order_shipments(order.pk)
    ship_and_receive(parcel.pk)  # delivered: the gift would ship now
    assert the_gift(order).state == "sent"
    # a second order: the application opens before receipt
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1), stage="paid", key="g2")
    (parcel,) = fulfillment_reads.order_shipments(order.pk)
    shipment = fulfillment_reads.shipment_get(shipment_id=parcel.pk)
    fulfillment.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    for line in shipment.lines.all():
        fulfillment.shipment_scan(shipment_id=shipment.pk, code=line.sku_code, actor=SYSTEM)
    fulfillment.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    fulfillment.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF600000000002", actor=SYSTEM)
    app = apply(shop, Order.objects.get(pk=order.pk), "CUP-500", kind="refund_only")  # in transit
    fulfillment.shipment_deliver(shipment_id=shipment.pk, by="customer", actor=SYSTEM)
    assert the_gift(order).state == "held"  # an open refund application on a qualifying line
    services.application_refuse(application_id=app.pk, actor=staff["supervisor"], note="已签收，请申请退货")
    assert the_gift(order).state == "sent"


# --- pages and API --------------------------------------------------------------------------------


def test_the_figures_are_on_the_review_page_the_customers_pages_and_in_the_api(
    shop: Shop,
    settle: Any,
    gift: Any,
    client: Client,
    make_staff: Callable[..., User],
    api_as: Any,
) -> None:
    gift("charge", threshold_fen=30000)
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 2))
    client.force_login(shop.customer)
    cup = order.lines.get(sku_code="CUP-500")
    apply_page = client.get(f"/orders/{order.number}/lines/{cup.pk}/after-sales/").content.decode()
    assert 'data-testid="apply-gift"' in apply_page
    assert "帆布袋" in apply_page
    assert "¥39.00" in apply_page
    app = apply(shop, order, "CUP-500")
    mine = client.get(f"/after-sales/{app.number}/").content.decode()
    assert 'data-testid="aftersales-gift"' in mine
    assert "¥59.00 − ¥39.00" in mine
    assert "¥20.00" in mine
    supervisor = Client()
    supervisor.force_login(make_staff(Role.CS_SUPERVISOR))
    review = supervisor.get(f"/console/after-sales/{app.number}/").content.decode()
    assert 'data-testid="aftersales-gift-deduction"' in review
    assert 'data-testid="aftersales-gift"' in review
    assert "¥39.00" in review
    staff_api = api_as(make_staff(Role.CS_SUPERVISOR, username="sup_gift_api"))
    body = staff_api.get(f"aftersales/applications/{app.number}").json()
    assert (body["share"]["fen"], body["gift_deduction"]["fen"], body["amount"]["fen"]) == (5900, 3900, 2000)
    (listed,) = body["gifts"]
    assert (listed["rule"], listed["state"], listed["value"]["fen"], listed["charged"]["fen"]) == (
        "charge",
        "kept",
        3900,
        3900,
    )
    shop_body = client.get(f"/api/v1/shop/aftersales/{app.number}").json()
    assert shop_body["gifts"][0]["notice"] == listed["notice"]


def test_the_inspection_api_asks_what_came_back_of_the_gift(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], gift: Any, make_staff: Callable[..., User], api_as: Any
) -> None:
    gift("recover")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1))
    app = received(apply(shop, order, "CUP-500"), shop, staff)
    desk = Client()
    desk.force_login(make_staff(Role.WAREHOUSE, username="wh_gift_desk"))
    page = desk.get(f"/console/after-sales/{app.number}/").content.decode()
    assert 'data-testid="inspect-gift"' in page  # the inspection form asks about the gift
    assert 'data-testid="inspect-gift-missing"' in page
    warehouse = api_as(make_staff(Role.WAREHOUSE, username="wh_gift_api"))
    refused = warehouse.request("POST", f"aftersales/applications/{app.number}/inspect", {"result": "pass"})
    assert refused.status_code == 422
    assert refused.json()["details"]["gift_result"] == "pass | damaged | missing"
    assert Application.objects.get(pk=app.pk).status == "received"  # nothing changed
    with settle():
        done = warehouse.request(
            "POST", f"aftersales/applications/{app.number}/inspect", {"result": "pass", "gift_result": "missing"}
        )
    assert done.status_code == 200, done.content
    app.refresh_from_db()
    assert (app.status, app.refunded_fen, app.gift_deduction_fen) == ("refunded", 2000, 3900)


def test_after_receipt_a_staff_refund_of_the_whole_order_releases_the_held_gift(
    shop: Shop, settle: Any, gift: Any, tote: Sku
) -> None:
    gift("after_receipt")
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 1), stage="paid")
    held = the_gift(order)
    bought = [line.pk for line in order.lines.all() if line.total_fen > 0]
    with settle():
        orders.order_refund(
            order=order, amounts=dict.fromkeys(bought), reason="缺货，整单退款", request_key="staff-1", actor=SYSTEM
        )
    order.refresh_from_db()
    assert order.status == "closed"
    held.refresh_from_db()
    assert held.state == "withheld"
    assert stock_reads.reservations_for(held.reference) == []
    assert stock_reads.ledger_imbalances() == []
