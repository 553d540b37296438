"""Coupons in the shop: the claim centre and my coupons."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_coupons as views

urlpatterns: list[URLPattern] = [
    path("coupons/", views.coupon_centre, name="coupon_centre"),
    path("coupons/claim/<int:template_id>/", views.coupon_claim, name="coupon_claim"),
    path("coupons/claim-code/", views.coupon_claim_code, name="coupon_claim_code"),
    path("coupons/for-product/<int:product_id>/", views.product_coupons, name="product_coupons"),
    path("account/coupons/", views.my_coupons, name="my_coupons"),
]
