from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "shopkeeper.storefront"
    label = "storefront"
    verbose_name = _("Storefront")
