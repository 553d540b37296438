"""Staff fulfilment endpoints: the warehouse queue, shipments, pick, scan, pack, ship with a
tracking number, and each shipment's tracking events.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import RUN_WAREHOUSE_DESK, VIEW_SHIPMENTS
from shopkeeper.core.services import ActorContext
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.enums import TrackingKind
from shopkeeper.fulfillment.models import Shipment
from shopkeeper.fulfillment.schemas import (
    CarrierOut,
    PageIn,
    PickIn,
    PickOut,
    ScanIn,
    ScanOut,
    ShipIn,
    ShipmentDetailOut,
    ShipmentLineOut,
    ShipmentOut,
    ShipmentPageOut,
    TrackingEventOut,
)
from shopkeeper.inventory import selectors as inventory

router = Router(tags=["fulfillment"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _fields(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "order_number": shipment.order_number,
        "kind": shipment.kind,
        "warehouse_code": shipment.warehouse.code,
        "status": shipment.status,
        "status_label": selectors.status_label(shipment.status),
        "priority": shipment.priority,
        "opened_at": shipment.opened_at,
        "dispatch_deadline": shipment.dispatch_deadline,
        "overdue": shipment.status in selectors.WAITING_STATUSES and shipment.dispatch_deadline < timezone.now(),
        "carrier": shipment.carrier.code if shipment.carrier else None,
        "tracking_no": shipment.tracking_no,
        "shipped_at": shipment.shipped_at,
        "delivered_at": shipment.delivered_at,
        "delivered_by": shipment.delivered_by,
        "exception_note": shipment.exception_note,
        "lines": [
            ShipmentLineOut(
                sku_id=line.sku_id,
                sku_code=line.sku_code,
                title=line.title,
                spec_label=line.spec_label,
                quantity=line.quantity,
                scanned=line.packed_quantity,
            )
            for line in shipment.lines.all()
        ],
    }


def _detail(shipment_id: int) -> ShipmentDetailOut:
    return shipment_detail_out(selectors.shipment_get(shipment_id=shipment_id))


def shipment_detail_out(shipment: Shipment) -> ShipmentDetailOut:
    """A shipment with its tracking (its lines and tracking prefetched by the selector)."""
    return ShipmentDetailOut(
        **_fields(shipment),
        tracking=[
            TrackingEventOut(
                kind=event.kind,
                label=str(TrackingKind(event.kind).label),
                occurred_at=event.occurred_at,
                location=event.location,
                description=event.description,
            )
            for event in shipment.tracking.all()
        ],
    )


@router.get("/queue", response=ShipmentPageOut, summary="A warehouse's queue: priority first, then dispatch deadline")
@requires(VIEW_SHIPMENTS, api=True)
def queue(request: HttpRequest, page: Query[PageIn], warehouse: str = "", status: str = "") -> ShipmentPageOut:
    warehouse_id = inventory.warehouse_get(code=warehouse).pk if warehouse else None
    queryset = selectors.queue(warehouse_id=warehouse_id, status=status if status in selectors.WAITING_STATUSES else "")
    window = queryset[page.offset : page.offset + page.limit]
    return ShipmentPageOut(items=[ShipmentOut(**_fields(s)) for s in window], count=queryset.count())


@router.get("/shipments", response=ShipmentPageOut, summary="Shipments by order number, tracking number or status")
@requires(VIEW_SHIPMENTS, api=True)
def shipment_list(request: HttpRequest, page: Query[PageIn], q: str = "", status: str = "") -> ShipmentPageOut:
    queryset = selectors.shipments_search(q=q, status=status)
    window = queryset[page.offset : page.offset + page.limit]
    return ShipmentPageOut(items=[ShipmentOut(**_fields(s)) for s in window], count=queryset.count())


@router.get("/shipments/{shipment_id}", response=ShipmentDetailOut, summary="One shipment with its tracking events")
@requires(VIEW_SHIPMENTS, api=True)
def shipment_get(request: HttpRequest, shipment_id: int) -> ShipmentDetailOut:
    return _detail(shipment_id)


@router.get(
    "/shipments/{shipment_id}/tracking", response=list[TrackingEventOut], summary="A shipment's tracking events"
)
@requires(VIEW_SHIPMENTS, api=True)
def shipment_tracking(request: HttpRequest, shipment_id: int) -> list[TrackingEventOut]:
    return _detail(shipment_id).tracking


@router.post("/pick", response=PickOut, summary="Mark the shipments of a picking list picked")
@requires(RUN_WAREHOUSE_DESK, api=True)
def pick(request: HttpRequest, payload: PickIn) -> PickOut:
    return PickOut(picked=services.shipments_pick(shipment_ids=payload.shipment_ids, actor=_actor(request)))


@router.post("/shipments/{shipment_id}/scan", response=ScanOut, summary="Count one scanned unit (wrong code: 422)")
@requires(RUN_WAREHOUSE_DESK, api=True)
def scan(request: HttpRequest, shipment_id: int, payload: ScanIn) -> ScanOut:
    done = services.shipment_scan(shipment_id=shipment_id, code=payload.code, actor=_actor(request))
    return ScanOut(sku_code=done.sku_code, scanned=done.scanned, quantity=done.quantity, complete=done.complete)


@router.post("/shipments/{shipment_id}/pack", response=ShipmentDetailOut, summary="Close a fully scanned parcel")
@requires(RUN_WAREHOUSE_DESK, api=True)
def pack(request: HttpRequest, shipment_id: int) -> ShipmentDetailOut:
    services.shipment_pack(shipment_id=shipment_id, actor=_actor(request))
    return _detail(shipment_id)


@router.post(
    "/shipments/{shipment_id}/ship", response=ShipmentDetailOut, summary="Ship with a carrier and tracking number"
)
@requires(RUN_WAREHOUSE_DESK, api=True)
def ship(request: HttpRequest, shipment_id: int, payload: ShipIn) -> ShipmentDetailOut:
    services.shipment_ship(
        shipment_id=shipment_id, carrier_code=payload.carrier, tracking_no=payload.tracking_no, actor=_actor(request)
    )
    return _detail(shipment_id)


@router.get("/carriers", response=list[CarrierOut], summary="Carriers and their tracking-number formats")
@requires(VIEW_SHIPMENTS, api=True)
def carrier_list(request: HttpRequest) -> list[CarrierOut]:
    return [
        CarrierOut(code=c.code, name=c.name, tracking_pattern=c.tracking_pattern, is_active=c.is_active)
        for c in selectors.carriers()
    ]
