from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _order_paid(event: Any) -> None:
    from shopkeeper.promotions import services

    services.on_order_paid(event)


def _order_cancelled(event: Any) -> None:
    from shopkeeper.promotions import services

    services.on_order_cancelled(event)


class PromotionsConfig(AppConfig):
    name = "shopkeeper.promotions"
    label = "promotions"
    verbose_name = _("Promotions")

    def ready(self) -> None:
        from shopkeeper.core import events
        from shopkeeper.orders.events import OrderCancelled, OrderPaid
        from shopkeeper.promotions import tasks  # noqa: F401  (registered with the worker)

        events.subscribe(OrderPaid, _order_paid)
        events.subscribe(OrderCancelled, _order_cancelled)
