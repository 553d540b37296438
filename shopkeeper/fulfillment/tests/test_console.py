"""The warehouse desk in the console: who reaches which page, the queue in a fixed number of
queries, and a parcel picked, scanned, packed and shipped through the forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.fulfillment import selectors
from shopkeeper.fulfillment.models import Shipment
from shopkeeper.fulfillment.tests.conftest import Shop
from shopkeeper.orders.models import Order

pytestmark = pytest.mark.django_db

PAGES = {
    "queue": "/console/fulfillment/queue/",
    "shipments": "/console/fulfillment/shipments/",
    "overdue": "/console/fulfillment/overdue/",
    "surge": "/console/fulfillment/surge/?run=1&days=14&factor=3",
    "carriers": "/console/fulfillment/carriers/",
    "bins": "/console/fulfillment/bins/",
    "capacity": "/console/fulfillment/capacity/",
    "pick": "/console/fulfillment/pick/",
}
DESK = {"queue", "shipments", "overdue", "surge", "carriers", "bins", "capacity", "pick"}
REACH: dict[Role, set[str]] = {
    Role.WAREHOUSE: DESK,
    Role.STORE_OPERATOR: {"queue", "shipments", "overdue", "surge"},
    Role.OPERATIONS_DIRECTOR: {"queue", "shipments", "overdue", "surge"},
    Role.CS_SUPERVISOR: {"queue", "shipments"},
    Role.CS_AGENT: {"queue", "shipments"},
    Role.MARKETING: set(),
    Role.PLATFORM_ADMIN: set(),
}


@pytest.mark.parametrize("role", list(REACH), ids=lambda role: role.value)
def test_each_role_reaches_its_fulfilment_pages_and_is_refused_the_rest(
    role: Role, shop: Shop, make_staff: Callable[..., User], client: Client
) -> None:
    client.force_login(make_staff(role))
    for name, url in PAGES.items():
        status = client.get(url).status_code
        assert status == (200 if name in REACH[role] else 403), (role, name, status)


def test_the_queue_page_runs_a_fixed_number_of_queries(
    shop: Shop,
    place: Callable[..., Order],
    pay: Callable[[Order], Order],
    make_staff: Callable[..., User],
    client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(make_staff(Role.WAREHOUSE))
    pay(place((shop.cup, 1), key="first"))
    client.get(f"/console/fulfillment/queue/?warehouse={shop.east}")
    for index in range(12):
        pay(place((shop.cup, 1), (shop.dress, 1) if index % 4 == 0 else (shop.cup, 1), key=f"k{index}"))
    with django_assert_max_num_queries(14):
        page = client.get(f"/console/fulfillment/queue/?warehouse={shop.east}")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="queue-row"') == 13


def test_pick_scan_pack_and_ship_through_the_console(
    shop: Shop,
    place: Callable[..., Order],
    pay: Callable[[Order], Order],
    make_staff: Callable[..., User],
    client: Client,
) -> None:
    order = pay(place((shop.cup, 2)))
    client.force_login(make_staff(Role.WAREHOUSE))
    [shipment] = selectors.order_shipments(order.pk)
    listing = client.get(f"/console/fulfillment/pick/?warehouse={shop.east}")
    assert "CUP-500" in listing.content.decode()
    client.post("/console/fulfillment/pick/", {"warehouse": shop.east, "shipment": [shipment.pk]})
    base = f"/console/fulfillment/shipments/{shipment.pk}"
    wrong = client.post(f"{base}/scan/", {"code": "DRESS-M"}, follow=True)
    assert "DRESS-M" in wrong.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).lines.get().packed_quantity == 0
    for _ in range(2):
        client.post(f"{base}/scan/", {"code": "CUP-500"})
    client.post(f"{base}/pack/")
    refused = client.post(f"{base}/ship/", {"carrier": "SF", "tracking_no": "12345"}, follow=True)
    assert Shipment.objects.get(pk=shipment.pk).status == "packed"
    assert "12345" in refused.content.decode()
    page = client.post(f"{base}/ship/", {"carrier": "SF", "tracking_no": "SF300000000001"}, follow=True)
    assert 'data-testid="tracking-no">SF300000000001' in page.content.decode()
    assert Order.objects.get(pk=order.pk).status == "shipped"
    # The carrier reported an exception; the customer phones to say it arrived after all.
    Shipment.objects.filter(pk=shipment.pk).update(status="exception", exception_note="地址无法派送")
    assert 'data-testid="mark-delivered"' in client.get(f"{base}/").content.decode()
    client.post(f"{base}/deliver/")
    delivered = Shipment.objects.get(pk=shipment.pk)
    assert (delivered.status, delivered.delivered_by) == ("delivered", "staff")
    assert Order.objects.get(pk=order.pk).status == "delivered"
    assert AuditEntry.objects.filter(action="shipment.deliver", object_id=str(shipment.pk)).count() == 1


def test_a_customer_sees_the_parcel_and_confirms_receipt(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], client: Client
) -> None:
    from shopkeeper.fulfillment import services
    from shopkeeper.fulfillment.tests.conftest import SYSTEM

    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    services.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    services.shipment_scan(shipment_id=shipment.pk, code="CUP-500", actor=SYSTEM)
    services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    services.shipment_ship(shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF300000000002", actor=SYSTEM)
    client.force_login(shop.customer)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "SF300000000002" in page
    assert 'data-testid="confirm-receipt"' in page
    client.post(f"/orders/{order.number}/shipments/{shipment.pk}/received/")
    assert Order.objects.get(pk=order.pk).status == "delivered"
    other = User.objects.create_user(username="someone", password="x-Long-Password-1")
    client.force_login(other)
    assert client.post(f"/orders/{order.number}/shipments/{shipment.pk}/received/").status_code in (302, 404)


def test_the_surge_page_reports_the_backlog(
    shop: Shop,
    place: Callable[..., Order],
    pay: Callable[[Order], Order],
    make_staff: Callable[..., User],
    client: Client,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from shopkeeper.fulfillment import services
    from shopkeeper.fulfillment.tests.conftest import SYSTEM

    for index in range(4):
        pay(place((shop.cup, 1), key=f"s{index}"))
    Shipment.objects.update(opened_at=timezone.now() - timedelta(days=1))
    services.capacity_set(warehouse_id=shop.east, orders_per_day=5, actor=SYSTEM)
    client.force_login(make_staff(Role.STORE_OPERATOR))
    page = client.get("/console/fulfillment/surge/?run=1&days=7&factor=3").content.decode()
    assert 'data-testid="surge-verdict"' in page
    assert ">7</td>" in page  # 4 × 3 = 12 orders against 5 a day: 7 left at the end of that day
    bad = client.get("/console/fulfillment/surge/?run=1&days=0&factor=x")
    assert bad.status_code == 422
