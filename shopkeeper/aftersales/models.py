"""After-sales applications per order line, their timeline, the automatic approval rules, service
items opened by carrier exceptions, and the gifts with purchase of orders that after-sales settles
on refund."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.aftersales.domain.gifts import SETTLED as SETTLED_GIFT
from shopkeeper.aftersales.domain.gifts import GiftState
from shopkeeper.aftersales.domain.states import OPEN
from shopkeeper.aftersales.enums import (
    EVENT_LABELS,
    AfterSalesKind,
    AfterSalesReason,
    AfterSalesStatus,
    GiftReturnChoice,
    GiftStateChoice,
    Inspection,
    OrderStage,
    RuleStageChoice,
    ServiceItemStatus,
)
from shopkeeper.promotions.enums import GiftRefundRule


class Application(models.Model):
    """A customer's request about one order line: money back, goods back, or a replacement."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=AfterSalesKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AfterSalesStatus.choices, default=AfterSalesStatus.APPLIED
    )
    stage = models.CharField(_("order stage"), max_length=20, choices=OrderStage.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=AfterSalesReason.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    photos = models.JSONField(_("photos"), default=list, blank=True)  # image URLs (links or uploads)
    quantity = models.PositiveIntegerField(_("quantity"))
    amount_fen = models.BigIntegerField(_("refund (fen)"), default=0)  # what goes back (0 for exchanges)
    # What came off the units' paid share for gifts the customer keeps (itemised in `gifts`):
    # amount_fen + gift_deduction_fen is the units' share.
    gift_deduction_fen = models.BigIntegerField(_("gift deduction (fen)"), default=0)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now, db_index=True)
    review_deadline = models.DateTimeField(_("review by"))
    auto_approved = models.BooleanField(_("approved automatically"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    return_carrier = models.CharField(_("return carrier"), max_length=40, blank=True)
    return_tracking_no = models.CharField(_("return tracking number"), max_length=40, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    warehouse_id = models.BigIntegerField(null=True, blank=True)  # where the return was received
    inspection = models.CharField(_("inspection"), max_length=10, choices=Inspection.choices, blank=True)
    inspection_note = models.CharField(max_length=300, blank=True)
    inspected_at = models.DateTimeField(null=True, blank=True)
    refund_attempt = models.PositiveIntegerField(default=0)
    refund_key = models.CharField(max_length=100, blank=True, db_index=True)  # the order refund's request key
    refunded_fen = models.BigIntegerField(_("refunded (fen)"), default=0)
    refunded_at = models.DateTimeField(null=True, blank=True)
    replacement_reference = models.CharField(max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("after-sales application")
        default_permissions = ()
        permissions = [
            ("view_aftersales", "Can see after-sales applications and service items"),
            ("handle_aftersales", "Can handle after-sales applications (approve up to the agent limit)"),
            ("decide_aftersales", "Can approve and refuse any after-sales application"),
            ("manage_aftersales_rules", "Can set the automatic approval rules"),
            ("inspect_returns", "Can receive and inspect returned goods"),
            ("view_refund_rates", "Can see refund rates"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=Q(status__in=sorted(status.value for status in OPEN)),
                name="aftersales_one_open_per_line",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(amount_fen__gte=0) & Q(refunded_fen__gte=0),
                name="aftersales_amounts_valid",
            ),
            models.CheckConstraint(condition=Q(gift_deduction_fen__gte=0), name="aftersales_gift_deduction_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "review_deadline"], name="aftersales_queue"),
            models.Index(fields=["customer", "-created_at"], name="aftersales_customer"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reference(self) -> str:
        return f"aftersales:{self.number}"

    @property
    def share_fen(self) -> int:
        """The units' paid share, before anything came off for gifts."""
        return self.amount_fen + self.gift_deduction_fen


class ApplicationEvent(models.Model):
    """One step on an application's timeline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))

    @property
    def from_label(self) -> str:
        return str(AfterSalesStatus(self.from_status).label) if self.from_status in AfterSalesStatus.values else ""

    @property
    def to_label(self) -> str:
        return str(AfterSalesStatus(self.to_status).label) if self.to_status in AfterSalesStatus.values else ""


class AutoApprovalRule(models.Model):
    """Approve at once: applications of this kind, at this stage, asking at most this much back."""

    kind = models.CharField(_("kind"), max_length=16, choices=AfterSalesKind.choices)
    stage = models.CharField(_("order stage"), max_length=20, choices=RuleStageChoice.choices)
    max_fen = models.BigIntegerField(_("up to (fen)"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "stage", "max_fen", "id"]
        default_permissions = ()
        constraints = [models.CheckConstraint(condition=Q(max_fen__gte=0), name="aftersales_rule_max_valid")]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage} ≤ {self.max_fen}"


class ServiceItem(models.Model):
    """Something for customer service to follow up on an order: today, a carrier's exception."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    number = models.CharField(_("order number"), max_length=24)
    shipment_id = models.BigIntegerField(null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    note = models.CharField(_("what happened"), max_length=300)
    status = models.CharField(max_length=10, choices=ServiceItemStatus.choices, default=ServiceItemStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["shipment_id"], condition=Q(status="open"), name="aftersales_one_open_item_per_shipment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.note[:30]}"


class OrderGift(models.Model):
    """A gift with purchase an order came with, as after-sales keeps track of it: sent with the
    goods or held until they are received, then (when a refund takes the order below what earned
    it) returned, charged for, taken out of the parcel or never sent. One row per gift use."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    use_id = models.BigIntegerField(_("gift use"), unique=True)  # promotions' PromotionUse
    promotion_id = models.BigIntegerField(_("promotion"))
    label = models.CharField(_("promotion"), max_length=80)
    line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sku_id = models.BigIntegerField(null=True, blank=True)
    sku_code = models.CharField(_("SKU code"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    units = models.PositiveIntegerField(_("units"))
    rule = models.CharField(_("on refund"), max_length=16, choices=GiftRefundRule.choices)
    unit_value_fen = models.BigIntegerField(_("value of one unit (fen)"))  # its list price when ordered
    state = models.CharField(_("state"), max_length=12, choices=GiftStateChoice.choices, default=GiftState.KEPT.value)
    # The application the gift hangs on: the open one whose refund is expected to take the order
    # below the threshold (a forecast), then the one whose refund did (settled).
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="gifts")
    returned = models.CharField(_("found in the return"), max_length=10, choices=GiftReturnChoice.choices, blank=True)
    charged_fen = models.BigIntegerField(_("charged (fen)"), default=0)  # what came off the refund for it
    reference = models.CharField(max_length=100, blank=True)  # a held gift's stock reference
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("gift with purchase")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=Q(units__gte=1) & Q(unit_value_fen__gte=0) & Q(charged_fen__gte=0),
                name="aftersales_gift_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.sku_code} × {self.units}"

    @property
    def value_fen(self) -> int:
        return self.unit_value_fen * self.units

    @property
    def settled(self) -> bool:
        return self.state in {state.value for state in SETTLED_GIFT}
