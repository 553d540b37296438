from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlashConfig(AppConfig):
    name = "shopkeeper.promotions.flash"
    label = "flash"
    verbose_name = _("Flash sales")

    def ready(self) -> None:
        from shopkeeper.core import events
        from shopkeeper.orders.events import OrderCancelled, OrderPaid
        from shopkeeper.promotions.flash import services, tasks  # noqa: F401  (tasks: registered with the worker)

        events.subscribe(OrderCancelled, services.on_order_cancelled)
        events.subscribe(OrderPaid, services.on_order_paid)
