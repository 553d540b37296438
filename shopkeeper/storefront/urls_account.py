"""The customer's account pages: sign in, register, sign out, the user centre and the address book."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkeeper.storefront import views_account

urlpatterns: list[URLPattern] = [
    path("account/", views_account.account_home, name="account_home"),
    path("account/login/", views_account.login_view, name="account_login"),
    path("account/register/", views_account.register_view, name="account_register"),
    path("account/logout/", views_account.logout_view, name="account_logout"),
    path("account/addresses/", views_account.address_list, name="account_addresses"),
    path("account/addresses/new/", views_account.address_new, name="account_address_new"),
    path("account/addresses/cities/", views_account.city_options, name="account_cities"),
    path("account/addresses/<int:address_id>/edit/", views_account.address_edit, name="account_address_edit"),
    path("account/addresses/<int:address_id>/delete/", views_account.address_delete, name="account_address_delete"),
    path(
        "account/addresses/<int:address_id>/default/",
        views_account.address_make_default,
        name="account_address_default",
    ),
]
