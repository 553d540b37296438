"""Console routes of the coupon desk (included by console/urls.py under the console namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.console import views_coupons as views

urlpatterns: list[URLPattern] = [
    path("coupons/", views.coupon_list, name="coupon_list"),
    path("coupons/new/", views.coupon_new, name="coupon_new"),
    path("coupons/issue/", views.coupon_issue, name="coupon_issue"),
    path("coupons/<int:template_id>/", views.coupon_edit, name="coupon_edit"),
    path("coupons/<int:template_id>/status/", views.coupon_status, name="coupon_status"),
]
