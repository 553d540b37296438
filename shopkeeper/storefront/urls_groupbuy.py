"""Storefront routes of group buys (included by storefront/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_groupbuy as views

urlpatterns: list[URLPattern] = [
    path("group/open/<int:groupbuy_id>/", views.group_open, name="group_open"),
    path("group/<str:share_code>/", views.group_page, name="group_page"),
    path("group/<str:share_code>/join/", views.group_join, name="group_join"),
]
