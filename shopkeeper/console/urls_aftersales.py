"""Console routes of the after-sales desk (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_aftersales as views

urlpatterns: list[URLPattern] = [
    path("after-sales/", views.queue, name="aftersales_queue"),
    path("after-sales/rules/", views.rules, name="aftersales_rules"),
    path("after-sales/rates/", views.rates, name="aftersales_rates"),
    path("after-sales/photos/<str:name>", views.photo, name="aftersales_photo"),
    path("after-sales/items/<int:item_id>/resolve/", views.service_item_resolve, name="aftersales_item_resolve"),
    path("after-sales/<str:number>/", views.detail, name="aftersales_detail"),
    path("after-sales/<str:number>/approve/", views.approve, name="aftersales_approve"),
    path("after-sales/<str:number>/refuse/", views.refuse, name="aftersales_refuse"),
    path("after-sales/<str:number>/receive/", views.receive, name="aftersales_receive"),
    path("after-sales/<str:number>/inspect/", views.inspect, name="aftersales_inspect"),
    path("after-sales/<str:number>/refund-retry/", views.refund_retry, name="aftersales_refund_retry"),
    path("after-sales/<str:number>/close/", views.close, name="aftersales_close"),
]
