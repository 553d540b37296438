from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LotteryConfig(AppConfig):
    name = "shopkeeper.promotions.lottery"
    label = "lottery"
    verbose_name = _("Lotteries")
