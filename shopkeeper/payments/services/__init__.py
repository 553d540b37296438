"""Payments writes. Import from here: `from shopkeeper.payments import services`."""

from shopkeeper.payments.services.history import PaidRecord, payments_bulk_record
from shopkeeper.payments.services.notifications import NotificationOutcome, notification_log_error
from shopkeeper.payments.services.payments import (
    PaymentStart,
    notify_url,
    payment_notification_handle,
    payment_start,
    payment_sync,
    payment_sync_one,
    payments_reconcile,
    refund_notify_url,
)
from shopkeeper.payments.services.refunds import (
    payments_lock,
    refund_notification_handle,
    refund_start,
    refund_submit,
)
from shopkeeper.payments.services.sandbox import (
    DeliveryKnobs,
    sandbox_delivery_attempt,
    sandbox_return_url,
    sandbox_trade_finish,
    sandbox_trade_get,
)

__all__ = [
    "DeliveryKnobs",
    "NotificationOutcome",
    "PaidRecord",
    "PaymentStart",
    "notification_log_error",
    "notify_url",
    "payment_notification_handle",
    "payment_start",
    "payment_sync",
    "payment_sync_one",
    "payments_bulk_record",
    "payments_lock",
    "payments_reconcile",
    "refund_notification_handle",
    "refund_notify_url",
    "refund_start",
    "refund_submit",
    "sandbox_delivery_attempt",
    "sandbox_return_url",
    "sandbox_trade_finish",
    "sandbox_trade_get",
]
