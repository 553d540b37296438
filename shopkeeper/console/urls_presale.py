"""Console routes of deposit presales (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_presale as views

urlpatterns: list[URLPattern] = [
    path("presales/", views.presale_list, name="presale_list"),
    path("presales/new/", views.presale_new, name="presale_new"),
    path("presales/<int:presale_id>/", views.presale_detail, name="presale_detail"),
    path("presales/<int:presale_id>/edit/", views.presale_edit, name="presale_edit"),
    path("presales/<int:presale_id>/status/", views.presale_status, name="presale_status"),
    path(
        "presales/<int:presale_id>/orders/<str:number>/refund-deposit/",
        views.presale_deposit_refund,
        name="presale_deposit_refund",
    ),
]
