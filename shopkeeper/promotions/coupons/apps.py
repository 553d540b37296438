from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "shopkeeper.promotions.coupons"
    label = "coupons"
    verbose_name = _("Coupons")
