"""The customer's parcels: each shipment of one of my orders with its tracking, and "confirm
receipt" (the customer session, like the rest of /api/v1/shop).

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from django.http import HttpRequest
from ninja import Router

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.api import shipment_detail_out
from shopkeeper.fulfillment.schemas import ShipmentDetailOut
from shopkeeper.orders import selectors as order_reads

router = Router(tags=["shop: my parcels"], auth=CustomerSessionAuth())


def _order_id(request: HttpRequest, number: str) -> int:
    assert isinstance(request.user, User)
    order = order_reads.order_for_customer(customer=request.user, number=number)
    if order is None:
        raise NotFound("No such order", details={"number": number})
    return order.pk


@router.get("/orders/{number}/shipments", response=list[ShipmentDetailOut], summary="My order's parcels")
@customer_operation
def my_shipments(request: HttpRequest, number: str) -> list[ShipmentDetailOut]:
    return [shipment_detail_out(s) for s in selectors.order_shipments(_order_id(request, number))]


@router.post(
    "/orders/{number}/shipments/{shipment_id}/received",
    response=ShipmentDetailOut,
    summary="Confirm receipt of a parcel (idempotent)",
)
@customer_operation
def confirm_receipt(request: HttpRequest, number: str, shipment_id: int) -> ShipmentDetailOut:
    order_id = _order_id(request, number)
    assert isinstance(request.user, User)
    if selectors.shipment_of_customer(shipment_id=shipment_id, customer_id=request.user.pk) is None:
        raise NotFound("No such shipment", details={"shipment_id": shipment_id})
    services.shipment_confirm_receipt(
        shipment_id=shipment_id, customer=request.user, actor=ActorContext.from_request(request, AuditChannel.API)
    )
    found = [s for s in selectors.order_shipments(order_id) if s.pk == shipment_id]
    if not found:
        raise NotFound("No such shipment", details={"shipment_id": shipment_id})
    return shipment_detail_out(found[0])
