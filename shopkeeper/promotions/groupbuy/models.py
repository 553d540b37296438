"""Group buys (拼团): the campaign per SKU, each group a leader opened, and the group's members.

A member holds one seat from joining (their order placed) until their order is cancelled;
`Group.seats_taken` counts those seats and is changed only under the group's row lock, so a
group never has more members than its size. The orders themselves live in the orders app; a
member keeps the order's id and number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopkeeper.core.domain.money import Money


class GroupBuyStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("campaign status", "Active")
    PAUSED = "paused", pgettext_lazy("campaign status", "Paused")


class GroupState(models.TextChoices):
    OPEN = "open", pgettext_lazy("group state", "Open")
    FORMED = "formed", pgettext_lazy("group state", "Formed")
    FAILED = "failed", pgettext_lazy("group state", "Failed")


class MemberState(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Order cancelled")
    REFUND_DUE = "refund_due", _("Refund due")
    REFUNDED = "refunded", _("Refunded")


class GroupBuy(models.Model):
    sku = models.ForeignKey("catalog.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    product_id = models.BigIntegerField(_("product"), db_index=True)  # the SKU's product, for its page
    title = models.CharField(_("title"), max_length=100)
    group_price_fen = models.BigIntegerField(_("group price (fen)"))
    normal_price_fen = models.BigIntegerField(_("normal price (fen)"))  # the SKU's price when saved
    group_size = models.PositiveSmallIntegerField(_("group size"))
    time_limit_hours = models.PositiveSmallIntegerField(_("time limit (hours)"))
    per_customer_limit = models.PositiveSmallIntegerField(_("limit per customer"), default=1)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    min_margin_percent = models.PositiveSmallIntegerField(_("margin floor (%)"), null=True, blank=True)
    virtual_completion = models.BooleanField(_("complete with virtual members"), default=False)
    virtual_max_missing = models.PositiveSmallIntegerField(_("virtual members at most"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=GroupBuyStatus.choices, default=GroupBuyStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("group buy")
        verbose_name_plural = _("group buys")
        permissions = [
            ("view_groupbuys", "Can see group buys, their groups and counters"),
            ("manage_groupbuys", "Can create, change and pause group buys"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(group_size__gte=2) & Q(time_limit_hours__gte=1) & Q(per_customer_limit__gte=1),
                name="groupbuy_terms_valid",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="groupbuy_window_valid"),
        ]
        indexes = [models.Index(fields=["product_id", "status"], name="groupbuy_product_active")]

    def __str__(self) -> str:
        return self.title

    @property
    def group_price(self) -> Money:
        return Money(self.group_price_fen)

    @property
    def normal_price(self) -> Money:
        return Money(self.normal_price_fen)

    @property
    def saving(self) -> Money:
        return Money(self.normal_price_fen - self.group_price_fen)


class Group(models.Model):
    groupbuy = models.ForeignKey(GroupBuy, verbose_name=_("group buy"), on_delete=models.PROTECT, related_name="groups")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    share_code = models.CharField(_("share code"), max_length=16, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=GroupState.choices, default=GroupState.OPEN)
    size = models.PositiveSmallIntegerField(_("group size"))  # the group buy's size when opened
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0)
    paid_count = models.PositiveSmallIntegerField(_("members paid"), default=0)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    closed_at = models.DateTimeField(_("formed or failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("group")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("size")) & Q(paid_count__lte=models.F("size")),
                name="groupbuy_group_never_over_size",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="groupbuy_group_due")]

    def __str__(self) -> str:
        return self.share_code

    @property
    def missing(self) -> int:
        return max(self.size - self.seats_taken, 0)


class GroupMember(models.Model):
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    nickname = models.CharField(_("nickname"), max_length=40)
    is_leader = models.BooleanField(_("leader"), default=False)
    is_virtual = models.BooleanField(_("virtual member"), default=False)
    order_id = models.BigIntegerField(_("order"), null=True, blank=True, unique=True)
    order_number = models.CharField(_("order number"), max_length=24, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=MemberState.choices, default=MemberState.PENDING)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    released = models.BooleanField(_("released for shipping"), default=False)
    refund_fen = models.BigIntegerField(_("refunded (fen)"), default=0)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("group member")
        constraints = [
            # One seat per customer per group while their order is alive.
            models.UniqueConstraint(
                fields=["group", "customer"],
                condition=Q(state__in=["pending", "paid"], is_virtual=False),
                name="groupbuy_member_one_seat",
            ),
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="groupbuy_member_one_per_key",
            ),
        ]
        indexes = [models.Index(fields=["customer", "state"], name="groupbuy_member_customer")]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.nickname}"

    @property
    def initial(self) -> str:
        return (self.nickname or "?")[:1]
