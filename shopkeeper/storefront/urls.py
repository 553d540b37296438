from __future__ import annotations

from django.urls import path

from shopkeeper.storefront import urls_account, urls_cart, urls_orders, views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("categories/", views.category_index, name="categories"),
    path("category/<slug:slug>/", views.category, name="category"),
    path("scene/<slug:slug>/", views.scene, name="scene"),
    path("product/<int:product_id>/", views.product, name="product"),
    path("product/<int:product_id>/reviews/", views.product_reviews, name="product_reviews"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggest, name="search_suggest"),
]
# Customer account (sign-in, addresses), cart and checkout, my orders.
urlpatterns += urls_account.urlpatterns + urls_cart.urlpatterns + urls_orders.urlpatterns
# --- aftersales storefront urls ---
# --- promotions storefront urls ---
# --- coupons storefront urls ---
# --- flash sale storefront urls ---
# --- presale storefront urls ---
# --- group buy and lottery storefront urls ---
