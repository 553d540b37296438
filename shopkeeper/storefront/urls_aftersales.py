"""After-sales for the customer (included by storefront/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_aftersales as views

urlpatterns: list[URLPattern] = [
    path("orders/<str:number>/lines/<int:line_id>/after-sales/", views.apply, name="aftersales_apply"),
    path("after-sales/", views.application_list, name="aftersales_list"),
    path("after-sales/<str:number>/", views.application_detail, name="aftersales_detail"),
    path("after-sales/<str:number>/cancel/", views.application_cancel, name="aftersales_cancel"),
    path("after-sales/<str:number>/ship/", views.application_ship_return, name="aftersales_ship"),
    path("media/aftersales/<str:name>", views.photo, name="aftersales_photo"),
]
