"""Cart and checkout."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_cart as views

urlpatterns: list[URLPattern] = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout_page, name="checkout"),
]
