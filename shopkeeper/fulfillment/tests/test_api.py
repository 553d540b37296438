"""/api/v1/fulfillment: the queue, a shipment, pick, scan (a wrong code is a 422 that changes
nothing), pack, ship with a tracking number, tracking events; CS reads but cannot ship."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import ApiClient
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.tests.conftest import SYSTEM, Shop
from shopkeeper.orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_warehouse_ships_a_parcel_through_the_api(
    shop: Shop,
    place: Callable[..., Order],
    pay: Callable[[Order], Order],
    make_staff: Callable[..., User],
    api_as: Callable[[User], ApiClient],
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    api = api_as(make_staff(Role.WAREHOUSE))
    queue = api.request("GET", "fulfillment/queue", warehouse="EAST")
    assert queue.status_code == 200
    assert [item["order_number"] for item in queue.json()["items"]] == [order.number]
    assert api.request("POST", "fulfillment/pick", {"shipment_ids": [shipment.pk]}).json() == {"picked": 1}
    wrong = api.request("POST", f"fulfillment/shipments/{shipment.pk}/scan", {"code": "DRESS-M"})
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "validation_error"
    scanned = api.request("POST", f"fulfillment/shipments/{shipment.pk}/scan", {"code": "CUP-500"}).json()
    assert scanned == {"sku_code": "CUP-500", "scanned": 1, "quantity": 1, "complete": True}
    assert api.request("POST", f"fulfillment/shipments/{shipment.pk}/pack").json()["status"] == "packed"
    bad = api.request("POST", f"fulfillment/shipments/{shipment.pk}/ship", {"carrier": "EMS", "tracking_no": "123"})
    assert bad.status_code == 422
    shipped = api.request(
        "POST", f"fulfillment/shipments/{shipment.pk}/ship", {"carrier": "EMS", "tracking_no": "EA123456789CN"}
    )
    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["carrier"]) == ("shipped", "EMS")
    again = api.request(
        "POST", f"fulfillment/shipments/{shipment.pk}/ship", {"carrier": "EMS", "tracking_no": "EB123456789CN"}
    )
    assert again.status_code == 409
    assert api.request("GET", f"fulfillment/shipments/{shipment.pk}/tracking").json() == []
    assert {c["code"] for c in api.request("GET", "fulfillment/carriers").json()} == {"SF", "ZTO", "YTO", "JD", "EMS"}


def test_customer_service_reads_shipments_but_cannot_ship(
    shop: Shop,
    place: Callable[..., Order],
    pay: Callable[[Order], Order],
    make_staff: Callable[..., User],
    api_as: Callable[[User], ApiClient],
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    api = api_as(make_staff(Role.CS_AGENT))
    found = api.request("GET", "fulfillment/shipments", q=order.number).json()
    assert [item["id"] for item in found["items"]] == [shipment.pk]
    assert api.request("GET", f"fulfillment/shipments/{shipment.pk}").status_code == 200
    assert api.request("POST", "fulfillment/pick", {"shipment_ids": [shipment.pk]}).status_code == 403
    assert api_as(make_staff(Role.MARKETING)).request("GET", "fulfillment/queue").status_code == 403


def test_the_customer_reads_their_parcels_and_confirms_receipt(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], client: Client
) -> None:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    services.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    services.shipment_scan(shipment_id=shipment.pk, code="CUP-500", actor=SYSTEM)
    services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF600000000001", actor=SYSTEM)
    base = f"/api/v1/shop/orders/{order.number}/shipments"
    assert client.get(base).status_code == 401
    client.force_login(shop.customer)
    [parcel] = client.get(base).json()
    assert (parcel["status"], parcel["tracking_no"], parcel["tracking"]) == ("shipped", "SF600000000001", [])
    received = client.post(f"{base}/{shipment.pk}/received")
    assert received.status_code == 200
    assert (received.json()["status"], received.json()["delivered_by"]) == ("delivered", "customer")
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert client.get("/api/v1/shop/orders/SK000/shipments").status_code == 404
