"""The customer's "confirm receipt" for one parcel of an order (the order page's shipment panel)."""

from __future__ import annotations

from django.urls import path

from shopkeeper.storefront import views_fulfillment

app_name = "storefront_fulfillment"

urlpatterns = [
    path(
        "orders/<str:number>/shipments/<int:shipment_id>/received/",
        views_fulfillment.confirm_receipt,
        name="confirm_receipt",
    ),
]
