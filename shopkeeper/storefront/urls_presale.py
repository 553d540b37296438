"""Presale pages of the shop (listing, deposit, balance, the payment return page)."""

from __future__ import annotations

from django.urls import path

from shopkeeper.storefront import views_presale

urlpatterns = [
    path("presale/", views_presale.presale_list, name="presale_list"),
    path("presale/<int:presale_id>/deposit/", views_presale.presale_deposit, name="presale_deposit"),
    path("presale/orders/<str:number>/balance/", views_presale.presale_balance, name="presale_balance"),
    path("presale/orders/<str:number>/paid/", views_presale.presale_paid, name="presale_paid"),
    path("presale/orders/<str:number>/paid/status/", views_presale.presale_paid_status, name="presale_paid_status"),
]
