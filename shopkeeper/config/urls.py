"""URL map: storefront at /, console at /console/, the API at /api/v1/, health at /healthz."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from shopkeeper.config.api import api
from shopkeeper.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("console/", include("shopkeeper.console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # --- payments: gateway notifications and the sandbox gateway's pages ---
    path("payments/", include("shopkeeper.payments.urls")),
    path("console/payments/", include("shopkeeper.console.urls_payments")),
    # --- fulfillment: carrier callbacks ---
    path("fulfillment/", include("shopkeeper.fulfillment.urls")),
    path("", include("shopkeeper.storefront.urls_fulfillment")),  # the customer's "confirm receipt"
    # --- aftersales ---
    # --- promotions (rules, coupons, flash, presale, group buy, lottery) ---
    path("admin/", admin.site.urls),
    path("", include("shopkeeper.storefront.urls")),
]

handler400 = "shopkeeper.core.views.bad_request"
handler403 = "shopkeeper.core.views.permission_denied"
handler404 = "shopkeeper.core.views.page_not_found"
handler500 = "shopkeeper.core.views.server_error"
