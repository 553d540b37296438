from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlashConfig(AppConfig):
    name = "shopkeeper.promotions.flash"
    label = "flash"
    verbose_name = _("Flash sales")
