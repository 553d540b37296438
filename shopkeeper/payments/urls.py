"""Payments URLs under /payments/: gateway notifications and the sandbox gateway's cashier."""

from __future__ import annotations

from django.urls import path

from shopkeeper.payments import views

app_name = "payments"

urlpatterns = [
    path("notify/<slug:gateway>/", views.notify, name="notify"),
    path("notify/<slug:gateway>/refund/", views.notify_refund, name="notify_refund"),
    path("sandbox/pay/<str:token>/", views.sandbox_pay, name="sandbox_pay"),
]
