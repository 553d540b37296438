"""Console routes of the products pages (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_products as views

urlpatterns: list[URLPattern] = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/bulk/status/", views.product_bulk_status, name="product_bulk_status"),
    path("products/bulk/price/", views.product_bulk_price, name="product_bulk_price"),
    path("products/check-copy/", views.product_check_copy, name="product_check_copy"),
    path("products/<int:product_id>/", views.product_edit, name="product_edit"),
    path("products/<int:product_id>/status/", views.product_status, name="product_status"),
    path("products/<int:product_id>/schedule/", views.product_schedule, name="product_schedule"),
]
