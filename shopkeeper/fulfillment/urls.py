from __future__ import annotations

from django.urls import path

from shopkeeper.fulfillment import views

app_name = "fulfillment"

urlpatterns = [
    path("carriers/<str:code>/notify/", views.carrier_notify, name="carrier_notify"),
]
