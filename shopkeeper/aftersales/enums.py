"""After-sales kinds, statuses, reasons and inspection results, as the console and API show them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopkeeper.aftersales.domain.gifts import GiftReturn, GiftState
from shopkeeper.aftersales.domain.rules import RuleStage, Stage
from shopkeeper.aftersales.domain.states import Kind, Status


class AfterSalesKind(models.TextChoices):
    REFUND_ONLY = Kind.REFUND_ONLY.value, _("Refund only")
    RETURN_REFUND = Kind.RETURN_REFUND.value, _("Return and refund")
    EXCHANGE = Kind.EXCHANGE.value, _("Exchange")


class AfterSalesStatus(models.TextChoices):
    APPLIED = Status.APPLIED.value, _("Awaiting review")
    APPROVED = Status.APPROVED.value, _("Approved")
    REFUSED = Status.REFUSED.value, _("Refused")
    RETURN_SHIPPED = Status.RETURN_SHIPPED.value, _("Return on its way")
    RECEIVED = Status.RECEIVED.value, _("Return received")
    INSPECTED = Status.INSPECTED.value, _("Inspected")
    REFUNDING = Status.REFUNDING.value, _("Refunding")
    REFUND_FAILED = Status.REFUND_FAILED.value, _("Refund failed")
    REFUNDED = Status.REFUNDED.value, _("Refunded")
    EXCHANGE_SHIPPED = Status.EXCHANGE_SHIPPED.value, _("Replacement shipped")
    CLOSED = Status.CLOSED.value, _("Closed")
    CANCELLED = Status.CANCELLED.value, _("Cancelled")


class AfterSalesReason(models.TextChoices):
    NOT_WANTED = "not_wanted", _("No longer wanted")
    WRONG_SIZE = "wrong_size", _("Wrong size or colour")
    QUALITY = "quality", _("Quality problem")
    DAMAGED = "damaged", _("Arrived damaged")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NOT_RECEIVED = "not_received", _("Not received")
    OTHER = "other", _("Other")


class OrderStage(models.TextChoices):
    BEFORE_SHIPMENT = Stage.BEFORE_SHIPMENT.value, _("Not shipped")
    IN_TRANSIT = Stage.IN_TRANSIT.value, _("Shipped, not received")
    DELIVERED = Stage.DELIVERED.value, pgettext_lazy("after-sales", "Received")


class RuleStageChoice(models.TextChoices):
    ANY = RuleStage.ANY.value, _("Any stage")
    BEFORE_SHIPMENT = RuleStage.BEFORE_SHIPMENT.value, _("Not shipped")
    IN_TRANSIT = RuleStage.IN_TRANSIT.value, _("Shipped, not received")
    DELIVERED = RuleStage.DELIVERED.value, pgettext_lazy("after-sales", "Received")


class Inspection(models.TextChoices):
    PASS = "pass", _("Passed: back to stock")
    DAMAGED = "damaged", _("Damaged: written off")


class GiftStateChoice(models.TextChoices):
    KEPT = GiftState.KEPT.value, pgettext_lazy("gift", "With the goods")
    HELD = GiftState.HELD.value, pgettext_lazy("gift", "Held until the goods are received")
    SENT = GiftState.SENT.value, pgettext_lazy("gift", "Sent after receipt")
    RETURNED = GiftState.RETURNED.value, pgettext_lazy("gift", "Returned")
    CHARGED = GiftState.CHARGED.value, pgettext_lazy("gift", "Charged for")
    CANCELLED = GiftState.CANCELLED.value, pgettext_lazy("gift", "Taken out of the parcel")
    WITHHELD = GiftState.WITHHELD.value, pgettext_lazy("gift", "Not sent")


class GiftReturnChoice(models.TextChoices):
    INTACT = GiftReturn.INTACT.value, pgettext_lazy("gift", "Gift back intact: back to stock")
    DAMAGED = GiftReturn.DAMAGED.value, pgettext_lazy("gift", "Gift back damaged: written off")
    MISSING = GiftReturn.MISSING.value, pgettext_lazy("gift", "Gift not sent back")


class ServiceItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


# What each kind of timeline entry is called (ApplicationEvent.kind).
EVENT_LABELS = {
    "applied": pgettext_lazy("after-sales", "Applied"),
    "auto_approve": _("Approved automatically"),
    "approve": _("Approved"),
    "refuse": _("Refused"),
    "cancel": _("Cancelled by the customer"),
    "ship_return": _("Return shipped"),
    "receive": _("Return received"),
    "inspect": _("Inspected"),
    "refund": _("Refund requested"),
    "refund_succeed": _("Refunded"),
    "refund_fail": _("Refund failed"),
    "ship_exchange": _("Replacement shipped"),
    "close": _("Closed"),
    "note": _("Note"),
    "gift": pgettext_lazy("after-sales", "Gift"),
}
