"""Console routes of the payments pages, mounted at /console/payments/ by config/urls.py's payments slot."""

from __future__ import annotations

from django.urls import path

from shopkeeper.console import views_payments as views

app_name = "console_payments"

urlpatterns = [
    path("", views.payment_list, name="payment_list"),
    path("<int:payment_id>/", views.payment_detail, name="payment_detail"),
    path("sandbox/", views.sandbox_log, name="sandbox_log"),
]
