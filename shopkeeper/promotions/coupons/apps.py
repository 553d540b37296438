from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "shopkeeper.promotions.coupons"
    label = "coupons"
    verbose_name = _("Coupons")

    def ready(self) -> None:
        from shopkeeper.core import events
        from shopkeeper.customers.events import CustomerRegistered
        from shopkeeper.orders.events import OrderCancelled, OrderPaid
        from shopkeeper.promotions.coupons import services, tasks  # noqa: F401  (tasks: registered with the worker)

        events.subscribe(CustomerRegistered, services.on_customer_registered)
        events.subscribe(OrderCancelled, services.on_order_cancelled)
        events.subscribe(OrderPaid, services.on_order_paid)
