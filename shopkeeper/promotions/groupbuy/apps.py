from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupbuyConfig(AppConfig):
    name = "shopkeeper.promotions.groupbuy"
    label = "groupbuy"
    verbose_name = _("Group buys")
