from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "shopkeeper.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        from shopkeeper.aftersales import gifts, services
        from shopkeeper.core import events
        from shopkeeper.fulfillment.events import ShipmentDelivered, ShipmentException
        from shopkeeper.orders.events import OrderPaid
        from shopkeeper.payments.events import RefundFailed, RefundSucceeded

        events.subscribe(RefundSucceeded, services.on_refund_succeeded)
        events.subscribe(RefundFailed, services.on_refund_failed)
        events.subscribe(ShipmentException, services.on_shipment_exception)
        events.subscribe(ShipmentDelivered, services.on_shipment_delivered)
        # After fulfilment's handler (fulfilment is installed first): the gift's units come out of
        # the parcel it has just opened.
        events.subscribe(OrderPaid, gifts.on_order_paid)
