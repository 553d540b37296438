from __future__ import annotations

from django.urls import path

from shopkeeper.console import urls_catalog_tools, urls_inventory, urls_orders, urls_products, urls_reviews, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("desk/<str:role>/", views.desk, name="desk"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:user_id>/", views.staff_edit, name="staff_edit"),
    path("roles/", views.roles, name="roles"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:entry_id>/", views.audit_detail, name="audit_detail"),
    path("health/", views.health, name="health"),
]
urlpatterns += urls_products.urlpatterns + urls_catalog_tools.urlpatterns + urls_reviews.urlpatterns
urlpatterns += urls_inventory.urlpatterns + urls_orders.urlpatterns
# --- fulfillment console urls ---
from shopkeeper.console import urls_fulfillment  # noqa: E402

urlpatterns += urls_fulfillment.urlpatterns
# --- aftersales console urls ---
from shopkeeper.console import urls_aftersales  # noqa: E402

urlpatterns += urls_aftersales.urlpatterns
# --- promotions console urls (rules, simulator) ---
from shopkeeper.console import urls_promotions  # noqa: E402

urlpatterns += urls_promotions.urlpatterns
# --- coupons console urls ---
from shopkeeper.console import urls_coupons  # noqa: E402

urlpatterns += urls_coupons.urlpatterns
# --- flash sale console urls ---
from shopkeeper.console import urls_flash  # noqa: E402

urlpatterns += urls_flash.urlpatterns
# --- presale console urls ---
from shopkeeper.console import urls_presale  # noqa: E402

urlpatterns += urls_presale.urlpatterns
# --- group buy and lottery console urls ---
from shopkeeper.console import urls_groupbuy, urls_lottery  # noqa: E402

urlpatterns += urls_groupbuy.urlpatterns + urls_lottery.urlpatterns
# --- customers console urls (look-up, membership tiers) ---
from shopkeeper.console import urls_customers  # noqa: E402

urlpatterns += urls_customers.urlpatterns
