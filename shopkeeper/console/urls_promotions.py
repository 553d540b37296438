"""Console routes of the campaign desk's promotions (included by console/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_promotions as views

urlpatterns: list[URLPattern] = [
    path("promotions/", views.promotion_list, name="promotion_list"),
    path("promotions/new/", views.promotion_create, name="promotion_create"),
    path("promotions/preview/", views.promotion_preview, name="promotion_preview"),
    path("promotions/calendar/", views.promotion_calendar, name="promotion_calendar"),
    path("promotions/simulator/", views.promotion_simulator, name="promotion_simulator"),
    path("promotions/<int:promotion_id>/", views.promotion_edit, name="promotion_edit"),
    path("promotions/<int:promotion_id>/pause/", views.promotion_pause, name="promotion_pause"),
    path("promotions/<int:promotion_id>/resume/", views.promotion_resume, name="promotion_resume"),
    path("promotions/<int:promotion_id>/end/", views.promotion_end, name="promotion_end"),
]
