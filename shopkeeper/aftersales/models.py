"""After-sales applications per order line, their timeline, the automatic approval rules, and
service items opened by carrier exceptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.aftersales.domain.states import OPEN
from shopkeeper.aftersales.enums import (
    EVENT_LABELS,
    AfterSalesKind,
    AfterSalesReason,
    AfterSalesStatus,
    Inspection,
    OrderStage,
    RuleStageChoice,
    ServiceItemStatus,
)


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
