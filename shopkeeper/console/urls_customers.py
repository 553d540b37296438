"""Console routes of customers (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_customers as views

urlpatterns: list[URLPattern] = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/tier/", views.customer_tier, name="customer_tier"),
]
