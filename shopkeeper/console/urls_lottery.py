"""Console routes of lotteries (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_lottery as views

urlpatterns: list[URLPattern] = [
    path("lotteries/", views.lottery_list, name="lottery_list"),
    path("lotteries/new/", views.lottery_new, name="lottery_new"),
    path("lotteries/<int:lottery_id>/", views.lottery_detail, name="lottery_detail"),
    path("lotteries/<int:lottery_id>/edit/", views.lottery_edit, name="lottery_edit"),
    path("lotteries/<int:lottery_id>/status/", views.lottery_status, name="lottery_status"),
]
