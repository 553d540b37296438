"""The sandbox carrier posts signed tracking events over (in-process) HTTP to our callback:
a bad signature is refused with 403 and changes nothing, the same event twice counts once,
delivered moves the parcel and the order, an exception publishes ShipmentException."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shopkeeper.core.errors import PermissionDenied
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.events import ShipmentException
from shopkeeper.fulfillment.models import SandboxPush, Shipment, TrackingEvent
from shopkeeper.fulfillment.tests.conftest import SYSTEM, Recorder, Shop
from shopkeeper.orders.models import Order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("carrier_network")]


@pytest.fixture
def shipped(shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]) -> Shipment:
    order = pay(place((shop.cup, 1)))
    [shipment] = selectors.order_shipments(order.pk)
    services.shipments_pick(shipment_ids=[shipment.pk], actor=SYSTEM)
    services.shipment_scan(shipment_id=shipment.pk, code="CUP-500", actor=SYSTEM)
    services.shipment_pack(shipment_id=shipment.pk, actor=SYSTEM)
    return services.shipment_ship(
        shipment_id=shipment.pk, carrier_code="SF", tracking_no="SF200000000001", actor=SYSTEM
    )


def push(shipment: Shipment, kind: str, settle: Any, **options: Any) -> SandboxPush:
    with settle():
        created = services.sandbox_push(shipment_id=shipment.pk, kind=kind, actor=SYSTEM, **options)
    return SandboxPush.objects.get(pk=created.pk)


def test_tracking_events_reach_the_shipment_and_delivered_closes_the_order(
    shipped: Shipment, settle: Any, carrier_network: list[tuple[str, dict[str, str], int]]
) -> None:
    for kind in ("collected", "in_transit", "out_for_delivery"):
        assert push(shipped, kind, settle).status == "delivered"  # acknowledged by our callback
    assert Shipment.objects.get(pk=shipped.pk).status == "shipped"
    push(shipped, "delivered", settle)
    shipment = Shipment.objects.get(pk=shipped.pk)
    assert (shipment.status, shipment.delivered_by) == ("delivered", "carrier")
    assert Order.objects.get(pk=shipment.order_id).status == "delivered"
    assert [e.kind for e in TrackingEvent.objects.filter(shipment=shipment)] == [
        "collected",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    url, params, status = carrier_network[-1]
    assert url.endswith("/fulfillment/carriers/SF/notify/")
    assert status == 200
    assert params["sign"]


def test_a_bad_signature_is_refused_with_403_and_changes_nothing(
    shipped: Shipment, settle: Any, carrier_network: list[tuple[str, dict[str, str], int]]
) -> None:
    sent = push(shipped, "delivered", settle, tamper=True)
    assert (sent.status, sent.http_status) == ("failed", 403)
    assert carrier_network[-1][2] == 403
    assert Shipment.objects.get(pk=shipped.pk).status == "shipped"
    assert not TrackingEvent.objects.exists()
    with pytest.raises(PermissionDenied):
        services.tracking_notice_handle(carrier_code="SF", params={**sent.params, "sign": ""})


def test_the_same_event_twice_is_recorded_once(shipped: Shipment, settle: Any) -> None:
    sent = push(shipped, "in_transit", settle)
    client = Client()
    for _ in range(3):
        answer = client.post("/fulfillment/carriers/SF/notify/", sent.params)
        assert (answer.status_code, answer.content) == (200, b"success")
    assert TrackingEvent.objects.filter(shipment=shipped).count() == 1
    assert services.tracking_notice_handle(carrier_code="SF", params=sent.params).detail == "duplicate"


def test_an_exception_publishes_shipment_exception_and_the_parcel_can_still_arrive(
    shipped: Shipment, settle: Any, seen: Recorder
) -> None:
    push(shipped, "exception", settle, description="收件地址无法派送")
    shipment = Shipment.objects.get(pk=shipped.pk)
    assert (shipment.status, shipment.exception_note) == ("exception", "收件地址无法派送")
    [event] = seen.of(ShipmentException)
    assert (event.shipment_id, event.carrier, event.tracking_no, event.note) == (
        shipment.pk,
        "SF",
        "SF200000000001",
        "收件地址无法派送",
    )
    push(shipped, "in_transit", settle)
    assert Shipment.objects.get(pk=shipped.pk).status == "shipped"
    push(shipped, "delivered", settle)
    assert Shipment.objects.get(pk=shipped.pk).status == "delivered"


def test_unknown_carriers_and_parcels(shipped: Shipment, settle: Any) -> None:
    assert Client().post("/fulfillment/carriers/NOPE/notify/", {"a": "b"}).status_code == 404
    sent = push(shipped, "in_transit", settle)
    other = {**sent.params, "tracking_no": "SF999999999999"}
    from shopkeeper.fulfillment.carriers import sandbox_secret
    from shopkeeper.fulfillment.domain.tracking import signed

    answer = Client().post("/fulfillment/carriers/SF/notify/", signed(other, sandbox_secret()))
    assert answer.status_code == 200  # acknowledged (or the carrier retries forever), nothing recorded
    assert TrackingEvent.objects.count() == 1
    assert Client().get("/fulfillment/carriers/SF/notify/").status_code == 405
