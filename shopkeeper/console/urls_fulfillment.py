"""Console routes of the warehouse desk (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_fulfillment as views

urlpatterns: list[URLPattern] = [
    path("fulfillment/queue/", views.queue, name="fulfillment_queue"),
    path("fulfillment/pick/", views.pick_list, name="fulfillment_pick"),
    path("fulfillment/shipments/", views.shipment_search, name="fulfillment_shipments"),
    path("fulfillment/shipments/<int:shipment_id>/", views.shipment_detail, name="fulfillment_shipment"),
    path("fulfillment/shipments/<int:shipment_id>/scan/", views.shipment_scan, name="fulfillment_scan"),
    path("fulfillment/shipments/<int:shipment_id>/rescan/", views.shipment_scan_reset, name="fulfillment_rescan"),
    path("fulfillment/shipments/<int:shipment_id>/pack/", views.shipment_pack, name="fulfillment_pack"),
    path("fulfillment/shipments/<int:shipment_id>/ship/", views.shipment_ship, name="fulfillment_ship"),
    path("fulfillment/shipments/<int:shipment_id>/deliver/", views.shipment_deliver, name="fulfillment_deliver"),
    path("fulfillment/shipments/<int:shipment_id>/push/", views.shipment_sandbox_push, name="fulfillment_push"),
    path("fulfillment/overdue/", views.overdue, name="fulfillment_overdue"),
    path("fulfillment/carriers/", views.carriers, name="fulfillment_carriers"),
    path("fulfillment/bins/", views.bins, name="fulfillment_bins"),
    path("fulfillment/capacity/", views.capacity, name="fulfillment_capacity"),
    path("fulfillment/surge/", views.surge, name="fulfillment_surge"),
]
