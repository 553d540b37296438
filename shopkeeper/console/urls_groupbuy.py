"""Console routes of group buys (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_groupbuy as views

urlpatterns: list[URLPattern] = [
    path("groupbuys/", views.groupbuy_list, name="groupbuy_list"),
    path("groupbuys/new/", views.groupbuy_new, name="groupbuy_new"),
    path("groupbuys/<int:groupbuy_id>/", views.groupbuy_detail, name="groupbuy_detail"),
    path("groupbuys/<int:groupbuy_id>/edit/", views.groupbuy_edit, name="groupbuy_edit"),
    path("groupbuys/<int:groupbuy_id>/status/", views.groupbuy_status, name="groupbuy_status"),
]
