from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "shopkeeper.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        from shopkeeper.aftersales import services
        from shopkeeper.core import events
        from shopkeeper.fulfillment.events import ShipmentDelivered, ShipmentException
        from shopkeeper.payments.events import RefundFailed, RefundSucceeded

        events.subscribe(RefundSucceeded, services.on_refund_succeeded)
        events.subscribe(RefundFailed, services.on_refund_failed)
        events.subscribe(ShipmentException, services.on_shipment_exception)
        events.subscribe(ShipmentDelivered, services.on_shipment_delivered)
