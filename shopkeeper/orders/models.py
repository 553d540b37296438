"""Orders, their lines (with each line's paid share), their timeline and their refunds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.domain.money import Money
from shopkeeper.orders.enums import EVENT_LABELS, InvoiceKind, OrderKind, OrderStatus, RefundStatus


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=24, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    channel = models.CharField(_("channel"), max_length=40, default="direct")
    # The shipping address as it was when the order was placed.
    recipient = models.CharField(_("recipient"), max_length=40)
    mobile = models.CharField(_("mobile"), max_length=20)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=40)
    district = models.CharField(_("district"), max_length=40)
    address_detail = models.CharField(_("address"), max_length=200)
    region = models.CharField(_("region"), max_length=20)
    subtotal_fen = models.BigIntegerField(_("subtotal (fen)"))
    discount_fen = models.BigIntegerField(_("discount (fen)"), default=0)
    shipping_fen = models.BigIntegerField(_("shipping (fen)"), default=0)
    total_fen = models.BigIntegerField(_("total (fen)"))
    paid_fen = models.BigIntegerField(_("paid (fen)"), default=0)
    refunded_fen = models.BigIntegerField(_("refunded (fen)"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    invoice_kind = models.CharField(_("invoice"), max_length=10, choices=InvoiceKind.choices, default=InvoiceKind.NONE)
    invoice_title = models.CharField(_("invoice title"), max_length=100, blank=True)
    invoice_tax_number = models.CharField(_("tax number"), max_length=20, blank=True)
    idempotency_key = models.CharField(max_length=64)
    explanation = models.JSONField(default=list, blank=True)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    pay_deadline = models.DateTimeField(_("pay by"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices, default=OrderKind.NORMAL)
    # Fulfilment: a priority order goes ahead in the warehouse queue; a held order (a group not yet
    # formed, a presale balance not yet paid) is not shipped until released; the dispatch deadline
    # is set when the order is paid.
    priority = models.BooleanField(_("priority"), default=False)
    fulfilment_hold = models.CharField(_("held because"), max_length=40, blank=True)
    dispatch_deadline = models.DateTimeField(_("dispatch by"), null=True, blank=True)
    # Deposit presale (定金膨胀, kind "presale"): the deposit is paid first and counts as
    # `deposit_value_fen` (its value - deposit is the order's discount); the balance
    # (total - deposit) may be paid from balance_due_from until balance_due_until.
    deposit_fen = models.BigIntegerField(_("deposit (fen)"), default=0)
    deposit_value_fen = models.BigIntegerField(_("deposit value (fen)"), default=0)
    deposit_paid_at = models.DateTimeField(_("deposit paid at"), null=True, blank=True)
    deposit_forfeited_at = models.DateTimeField(_("deposit forfeited at"), null=True, blank=True)
    balance_due_from = models.DateTimeField(_("balance due from"), null=True, blank=True)
    balance_due_until = models.DateTimeField(_("balance due until"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("order")
        permissions = [
            ("view_orders", "Can see orders, their payments and refunds"),
            ("manage_orders", "Can cancel orders and refund them"),
            ("export_orders", "Can export orders"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "idempotency_key"], name="orders_order_one_per_key"),
            models.CheckConstraint(
                condition=Q(total_fen__gte=0)
                & Q(paid_fen__gte=0)
                & Q(refunded_fen__gte=0)
                & Q(refunded_fen__lte=models.F("paid_fen")),
                name="orders_order_amounts_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "pay_deadline"], name="orders_order_unpaid"),
            models.Index(fields=["customer", "-placed_at"], name="orders_order_customer"),
            # the console's list filtered by status, newest first (a page without a sort of them all)
            models.Index(fields=["status", "-placed_at", "-id"], name="orders_order_status_placed"),
            # looking an order up by the recipient's name or mobile (customer service, the console)
            models.Index(fields=["mobile"], name="orders_order_mobile"),
            models.Index(fields=["recipient"], name="orders_order_recipient"),
            # the list filtered by channel, newest first; and the channels for its filter, read
            # from this index (selectors.order_channels)
            models.Index(fields=["channel", "-placed_at", "-id"], name="orders_order_channel"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Money:
        return Money(self.total_fen)

    @property
    def reference(self) -> str:
        return f"order:{self.number}"

    @property
    def balance_fen(self) -> int:
        """A presale order's balance: what is left to pay once the deposit is in."""
        return self.total_fen - self.deposit_fen if self.deposit_fen else self.total_fen


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", null=True, on_delete=models.SET_NULL, related_name="+")
    product_id = models.BigIntegerField(_("product"))
    sku_code = models.CharField(_("SKU code"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    spec_label = models.CharField(_("variant"), max_length=200, blank=True)
    image = models.CharField(max_length=500, blank=True)
    unit_price_fen = models.BigIntegerField(_("unit price (fen)"))
    quantity = models.PositiveIntegerField(_("quantity"))
    subtotal_fen = models.BigIntegerField(_("subtotal (fen)"))
    discount_fen = models.BigIntegerField(_("discount (fen)"), default=0)
    total_fen = models.BigIntegerField(_("paid share (fen)"))  # what the customer pays for this line
    refunded_fen = models.BigIntegerField(_("refunded (fen)"), default=0)
    explanation = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("order line")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(refunded_fen__gte=0) & Q(refunded_fen__lte=models.F("total_fen")),
                name="orders_line_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_code} × {self.quantity}"


class OrderEvent(models.Model):
    """One step on the order's timeline: a status change or another thing that happened to it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)  # a default: history loads set it

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("order event")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))


class OrderRefund(models.Model):
    """Money sent back for some lines of an order; the payment gateway carries it out."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    request_key = models.CharField(max_length=100, unique=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    lines = models.JSONField(default=list)  # [{"line_id": 1, "amount_fen": 1990}]
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("order refund")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="orders_refund_positive")]

    def __str__(self) -> str:
        return self.request_key
