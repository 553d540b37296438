"""Order statuses, invoice kinds and event kinds, as the console and API show them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shopkeeper.orders.domain.states import Status


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = Status.PENDING_PAYMENT.value, _("Pending payment")
    PAID = Status.PAID.value, _("Paid")
    ALLOCATED = Status.ALLOCATED.value, _("Allocated")
    SHIPPED = Status.SHIPPED.value, _("Shipped")
    DELIVERED = Status.DELIVERED.value, _("Delivered")
    COMPLETED = Status.COMPLETED.value, _("Completed")
    CANCELLED = Status.CANCELLED.value, _("Cancelled")
    CLOSED = Status.CLOSED.value, _("Closed")


class OrderKind(models.TextChoices):
    """How the order was bought: through the cart, or one of the campaign mechanics' own flows."""

    NORMAL = "normal", _("Normal")
    FLASH = "flash", _("Flash sale")
    PRESALE = "presale", _("Presale")
    GROUP = "group", _("Group buy")


class InvoiceKind(models.TextChoices):
    NONE = "none", _("No invoice")
    PERSONAL = "personal", _("Personal")
    COMPANY = "company", _("Company")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


# What each kind of timeline entry is called (OrderEvent.kind: the state machine's actions and the
# other things that happen to an order).
EVENT_LABELS = {
    "placed": _("Order placed"),
    "pay": _("Paid"),
    "allocate": _("Allocated to a warehouse"),
    "ship": _("Shipped"),
    "deliver": _("Delivered"),
    "complete": _("Completed"),
    "cancel": _("Cancelled"),
    "close": _("Closed"),
    "refund_requested": _("Refund requested"),
    "refunded": _("Refunded"),
    "refund_failed": _("Refund failed"),
    "late_payment": _("Paid after cancellation"),
    "hold": _("Held from shipping"),
    "release": _("Released for shipping"),
    "deposit_paid": _("Deposit paid"),  # presale orders
    "deposit_forfeited": _("Deposit kept (balance not paid)"),
}
