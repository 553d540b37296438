"""The flash-sale page and the grab."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_flash as views

urlpatterns: list[URLPattern] = [
    path("flash/", views.flash_list, name="flash_list"),
    path("flash/<int:item_id>/grab/", views.flash_grab, name="flash_grab"),
]
