from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfillmentConfig(AppConfig):
    name = "shopkeeper.fulfillment"
    label = "fulfillment"
    verbose_name = _("Fulfilment")

    def ready(self) -> None:
        from shopkeeper.core.events import subscribe
        from shopkeeper.fulfillment import services
        from shopkeeper.orders.events import OrderPaid, OrderReleased
        from shopkeeper.payments.events import RefundSucceeded

        subscribe(OrderPaid, services.on_order_paid)
        subscribe(OrderReleased, services.on_order_released)
        # After orders' own handler (orders is installed first): a fully refunded order is closed.
        subscribe(RefundSucceeded, services.on_refund_succeeded)
