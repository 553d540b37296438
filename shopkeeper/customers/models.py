"""Customer accounts and their address books.

A customer is a `core.User` whose username is the mobile number, with no groups and no staff
flags, plus the `Customer` profile below. Staff accounts never have a profile, which is how the
storefront tells the two apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.models import TimeStampedModel
from shopkeeper.customers.domain.addresses import DETAIL_MAX_LENGTH, DISTRICT_MAX_LENGTH, RECIPIENT_MAX_LENGTH
from shopkeeper.customers.domain.mobile import mobile_mask
from shopkeeper.customers.enums import MemberTier

DEFAULT_CHANNEL = "direct"
CHANNEL_MAX_LENGTH = 32
NICKNAME_MAX_LENGTH = 32


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="customer"
    )
    mobile = models.CharField(_("mobile number"), max_length=11, unique=True)
    nickname = models.CharField(_("nickname"), max_length=NICKNAME_MAX_LENGTH, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    # Where the customer came from when they registered (?channel= or utm_source): 抖音直播, 小红书, direct…
    channel = models.CharField(_("channel"), max_length=CHANNEL_MAX_LENGTH, default=DEFAULT_CHANNEL, db_index=True)
    # 会员等级: member prices are set per tier. User operations sets it (audited); the loyalty
    # system's growth value will move customers between tiers.
    tier = models.CharField(
        _("membership tier"), max_length=16, choices=MemberTier.choices, default=MemberTier.REGULAR, db_index=True
    )

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_customers", "Can look customers up in the console and the API"),
            ("set_customer_tier", "Can set a customer's membership tier"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The nickname, or the masked mobile number for customers who gave none."""
        return self.nickname or mobile_mask(self.mobile)

    @property
    def masked_mobile(self) -> str:
        return mobile_mask(self.mobile)


class Address(TimeStampedModel):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    recipient = models.CharField(_("recipient"), max_length=RECIPIENT_MAX_LENGTH)
    mobile = models.CharField(_("mobile number"), max_length=11)
    province = models.CharField(_("province"), max_length=16)
    city = models.CharField(_("city"), max_length=32)
    district = models.CharField(_("district"), max_length=DISTRICT_MAX_LENGTH)
    detail = models.CharField(_("street address"), max_length=DETAIL_MAX_LENGTH)
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [models.Index(fields=["customer", "created_at"], name="customers_address_book_idx")]
        constraints = [
            # Exactly one default per customer: the services keep at least one, the database at most one.
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="customers_address_one_default"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.region_line}"

    @property
    def region_line(self) -> str:
        """省 市 区 as one line, without repeating a municipality (上海市 上海市 → 上海市)."""
        parts = [self.province] if self.city == self.province else [self.province, self.city]
        return " ".join([*parts, self.district])

    @property
    def full_line(self) -> str:
        return f"{self.region_line} {self.detail}"
