from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupbuyConfig(AppConfig):
    name = "shopkeeper.promotions.groupbuy"
    label = "groupbuy"
    verbose_name = _("Group buys")

    def ready(self) -> None:
        from shopkeeper.core import events
        from shopkeeper.orders.events import OrderCancelled, OrderPaid
        from shopkeeper.promotions.groupbuy import services, tasks  # noqa: F401  (tasks: registered with the worker)

        events.subscribe(OrderPaid, services.on_order_paid)
        events.subscribe(OrderCancelled, services.on_order_cancelled)
