"""Flash sales (秒杀): a sale's sessions, the SKUs each session sells from its own pool, the
customers' running counts against their limits, and one claim per admitted attempt.

The database is the record: `FlashItem.sold` counts the units taken by pending, held and paid
claims, `FlashQuota.taken` the same per customer. The Redis gate (when configured) is a fast copy
seeded from these rows; see services.py. While `FlashItem.pool_reserved` is set, the pool's units
that no order holds yet are reserved in inventory under `FlashItem.pool_reference`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shopkeeper.promotions.flash.enums import DEFAULT_PAY_WINDOW_MINUTES, ClaimStatus, SaleStatus


def pool_reference(item_id: int) -> str:
    """The stock reference an item's pool is reserved under (shown in the inventory ledger)."""
    return f"flash:item:{item_id}"


class FlashSale(models.Model):
    name = models.CharField(_("name"), max_length=80)
    status = models.CharField(_("status"), max_length=10, choices=SaleStatus.choices, default=SaleStatus.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("flash sale")
        default_permissions = ()
        permissions = [
            ("view_flash_sales", "Can see flash sales, their sessions and live counters"),
            ("manage_flash_sales", "Can create and change flash sales, sessions and items"),
        ]

    def __str__(self) -> str:
        return self.name


class FlashSession(models.Model):
    sale = models.ForeignKey(FlashSale, verbose_name=_("flash sale"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("flash-sale session")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="flash_session_window")]

    def __str__(self) -> str:
        return f"{self.sale.name} {self.starts_at:%Y-%m-%d %H:%M}"


class FlashItem(models.Model):
    """One SKU in one session: its flash price, its own pool and the per-customer limit."""

    session = models.ForeignKey(FlashSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    sale_price_fen = models.BigIntegerField(_("flash price (fen)"))
    pool = models.PositiveIntegerField(_("units for the sale"))
    sold = models.PositiveIntegerField(_("units taken"), default=0)  # pending + held + paid claims
    per_customer_limit = models.PositiveIntegerField(_("limit per customer"), default=1)
    pay_window_minutes = models.PositiveIntegerField(_("payment window (minutes)"), default=DEFAULT_PAY_WINDOW_MINUTES)
    position = models.PositiveIntegerField(default=0)
    # Set while inventory holds the pool (pool − units of held and paid claims) under
    # `pool_reference`: from the sale's publishing (or the item's saving into a published sale)
    # until the session ends, the item is removed or the sale goes back to draft.
    pool_reserved = models.BooleanField(_("pool reserved in stock"), default=False)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("flash-sale item")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["session", "sku"], name="flash_item_one_per_session"),
            models.CheckConstraint(condition=Q(sold__lte=F("pool")), name="flash_item_never_oversold"),
            models.CheckConstraint(
                condition=Q(sale_price_fen__gt=0) & Q(pool__gt=0) & Q(per_customer_limit__gt=0),
                name="flash_item_values_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.sku_id}"

    @property
    def remaining(self) -> int:
        return max(self.pool - self.sold, 0)

    @property
    def pool_reference(self) -> str:
        return pool_reference(self.pk)


class FlashQuota(models.Model):
    """How many units of an item a customer holds or bought (across orders), against the limit."""

    item = models.ForeignKey(FlashItem, on_delete=models.CASCADE, related_name="quotas")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    taken = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["item", "customer"], name="flash_quota_one_per_customer")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.customer_id}: {self.taken}"


class FlashClaim(models.Model):
    """One admitted attempt: the units it took and the order placed for them."""

    item = models.ForeignKey(FlashItem, on_delete=models.CASCADE, related_name="claims")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    idempotency_key = models.CharField(max_length=40)
    order_reference = models.CharField(max_length=40, blank=True, db_index=True)
    order_number = models.CharField(max_length=24, blank=True)
    note = models.CharField(max_length=200, blank=True)  # why a claim failed
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["customer", "idempotency_key"], name="flash_claim_one_per_key"),
        ]
        indexes = [models.Index(fields=["item", "status"], name="flash_claim_item_status")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.customer_id} {self.status} {self.order_number}"


class FlashAttemptCount(models.Model):
    """Attempts per item when there is no Redis, spread over a few rows so that counting them
    does not queue every attempt on one row lock (the console adds the shards up)."""

    item = models.ForeignKey(FlashItem, on_delete=models.CASCADE, related_name="attempt_counts")
    shard = models.PositiveSmallIntegerField()
    attempts = models.PositiveBigIntegerField(default=0)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["item", "shard"], name="flash_attempts_one_per_shard")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.shard}: {self.attempts}"
