"""Console routes of flash sales (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_flash as views

urlpatterns: list[URLPattern] = [
    path("flash/", views.flash_list, name="flash_list"),
    path("flash/<int:sale_id>/", views.flash_detail, name="flash_detail"),
    path("flash/<int:sale_id>/counters/", views.flash_counters, name="flash_counters"),
    path("flash/<int:sale_id>/rename/", views.flash_rename, name="flash_rename"),
    path("flash/<int:sale_id>/status/", views.flash_status, name="flash_status"),
    path("flash/<int:sale_id>/sessions/", views.flash_session_save, name="flash_session_save"),
    path("flash/<int:sale_id>/sessions/<int:session_id>/items/", views.flash_item_save, name="flash_item_save"),
    path("flash/<int:sale_id>/items/<int:item_id>/delete/", views.flash_item_delete, name="flash_item_delete"),
]
