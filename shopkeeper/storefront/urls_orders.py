"""My orders."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_orders as views

urlpatterns: list[URLPattern] = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", views.order_pay, name="order_pay"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<str:number>/paid/", views.order_paid, name="order_paid"),
    path("orders/<str:number>/status/", views.order_status, name="order_status"),
    path("orders/<str:number>/lines/<int:line_id>/review/", views.order_line_review, name="order_line_review"),
]
