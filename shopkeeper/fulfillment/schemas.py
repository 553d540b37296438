"""API shapes of fulfilment. No `from __future__ import annotations` (ninja reads them at import)."""

from datetime import datetime

from django.conf import settings
from ninja import Field, Schema


class PageIn(Schema):
    limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
    offset: int = Field(0, ge=0)


class ShipmentLineOut(Schema):
    sku_id: int | None
    sku_code: str
    title: str
    spec_label: str
    quantity: int
    scanned: int


class TrackingEventOut(Schema):
    kind: str
    label: str
    occurred_at: datetime
    location: str
    description: str


class ShipmentOut(Schema):
    id: int
    order_number: str
    kind: str
    warehouse_code: str
    status: str
    status_label: str
    priority: bool
    opened_at: datetime
    dispatch_deadline: datetime
    overdue: bool
    carrier: str | None
    tracking_no: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    delivered_by: str
    exception_note: str
    lines: list[ShipmentLineOut]


class ShipmentPageOut(Schema):
    items: list[ShipmentOut]
    count: int


class ShipmentDetailOut(ShipmentOut):
    tracking: list[TrackingEventOut]


class PickIn(Schema):
    shipment_ids: list[int] = Field(..., min_length=1, max_length=500)


class PickOut(Schema):
    picked: int


class ScanIn(Schema):
    code: str = Field(..., min_length=1, max_length=64)


class ScanOut(Schema):
    sku_code: str
    scanned: int
    quantity: int
    complete: bool


class ShipIn(Schema):
    carrier: str = Field(..., min_length=1, max_length=16)
    tracking_no: str = Field(..., min_length=1, max_length=40)


class CarrierOut(Schema):
    code: str
    name: str
    tracking_pattern: str
    is_active: bool
