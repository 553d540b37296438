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
from shopkeeper.storefront import urls_aftersales  # noqa: E402

urlpatterns += urls_aftersales.urlpatterns
# --- promotions storefront urls ---
from shopkeeper.storefront import views_promotions  # noqa: E402

urlpatterns += [path("cart/coupons/", views_promotions.cart_coupons, name="cart_coupons")]
# --- coupons storefront urls ---
from shopkeeper.storefront import urls_coupons  # noqa: E402

urlpatterns += urls_coupons.urlpatterns
# --- flash sale storefront urls ---
from shopkeeper.storefront import urls_flash  # noqa: E402

urlpatterns += urls_flash.urlpatterns
# --- presale storefront urls ---
from shopkeeper.storefront import urls_presale  # noqa: E402

urlpatterns += urls_presale.urlpatterns
# --- group buy and lottery storefront urls ---
from shopkeeper.storefront import urls_groupbuy  # noqa: E402

urlpatterns += urls_groupbuy.urlpatterns
