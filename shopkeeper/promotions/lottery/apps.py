from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LotteryConfig(AppConfig):
    name = "shopkeeper.promotions.lottery"
    label = "lottery"
    verbose_name = _("Lotteries")

    def ready(self) -> None:
        from shopkeeper.core import events
        from shopkeeper.orders.events import OrderPaid
        from shopkeeper.promotions.lottery import services

        events.subscribe(OrderPaid, services.on_order_paid)
