from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "shopkeeper.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from shopkeeper.core import events
        from shopkeeper.orders import services, tasks  # noqa: F401  (tasks: registered with the worker)
        from shopkeeper.payments.events import PaymentSucceeded, RefundFailed, RefundSucceeded

        events.subscribe(PaymentSucceeded, services.on_payment_succeeded)
        events.subscribe(RefundSucceeded, services.on_refund_succeeded)
        events.subscribe(RefundFailed, services.on_refund_failed)
