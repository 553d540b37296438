"""Customer reads shared by the storefront, the API, checkout and orders, and the staff's
customer pages (user operations: look a customer up, see and set their membership tier).

A customer sees only their own addresses: every read takes the signed-in user and an address of
someone else is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.customers.domain.addresses import MAX_ADDRESSES, cities_of, province_names
from shopkeeper.customers.domain.mobile import mobile_is_valid, mobile_mask, mobile_normalize
from shopkeeper.customers.enums import TIER_ORDER, MemberTier, tier_rank
from shopkeeper.customers.models import Address, Customer

__all__ = [
    "MAX_ADDRESSES",
    "TIER_ORDER",
    "CustomerFilters",
    "MemberTier",
    "ShopperFacts",
    "address_count",
    "address_default",
    "address_get",
    "address_list",
    "cities_of",
    "customer_get",
    "customer_list",
    "customer_profile",
    "customer_tier",
    "customer_tiers",
    "is_customer",
    "mobile_is_valid",
    "mobile_mask",
    "mobile_normalize",
    "province_names",
    "shoppers_with_default_address",
    "tier_counts",
    "tier_label",
    "tier_rank",
]


def customer_profile(user: User | AnonymousUser | None) -> Customer | None:
    """The customer profile of a signed-in shopper; None for visitors and staff accounts.

    Reads `user.customer`, which Django caches on the user object, so a request asks once.
    """
    if user is None or not user.is_authenticated or not isinstance(user, User):
        return None
    if not user.is_active or user.is_staff or user.is_superuser:
        return None
    try:
        profile: Customer = user.customer
        return profile
    except Customer.DoesNotExist:
        return None


def is_customer(user: User | AnonymousUser | None) -> bool:
    return customer_profile(user) is not None


# --- membership tiers -----------------------------------------------------------------------------


def tier_label(tier: str) -> str:
    """The tier's name as shoppers and staff read it ("黄金会员"); the value itself when unknown."""
    return str(MemberTier(tier).label) if tier in MemberTier.values else tier


def customer_tier(customer_id: int | None) -> str | None:
    """The membership tier of a customer account (one query); None for visitors and staff accounts."""
    if customer_id is None:
        return None
    tier: str | None = Customer.objects.filter(user_id=customer_id).values_list("tier", flat=True).first()
    return tier


def customer_tiers(customer_ids: Iterable[int]) -> dict[int, str]:
    """Tiers of many customer accounts in one query (accounts without a profile are left out)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    return dict(Customer.objects.filter(user_id__in=ids).values_list("user_id", "tier"))


def tier_counts() -> dict[str, int]:
    """How many customers hold each tier, lowest tier first (one query)."""
    found = dict.fromkeys(TIER_ORDER, 0)
    for row in Customer.objects.values("tier").annotate(n=Count("pk")).order_by():
        found[row["tier"]] = found.get(row["tier"], 0) + row["n"]
    return found


# --- staff reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""  # a mobile number (whole or its last digits), a nickname or a name
    tier: str = ""
    channel: str = ""


def customer_list(filters: CustomerFilters | None = None) -> QuerySet[Customer]:
    """Customers for the staff's list, newest first. A search by mobile matches the whole number
    or its ending (the last four digits a customer reads out); by name, the nickname or real name."""
    filters = filters or CustomerFilters()
    queryset = Customer.objects.select_related("user")
    text = " ".join(filters.q.split())
    if text:
        number = mobile_normalize(text)
        if number is not None:
            queryset = queryset.filter(mobile=number)
        elif text.isdigit():
            queryset = queryset.filter(mobile__endswith=text)
        else:
            queryset = queryset.filter(Q(nickname__icontains=text) | Q(user__display_name__icontains=text))
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    return queryset.order_by("-registered_at", "-id")


def customer_get(customer_id: int) -> Customer:
    """One customer by account id (the id orders and coupons name); NotFound otherwise."""
    found = Customer.objects.select_related("user").filter(user_id=customer_id).first()
    if found is None:
        raise NotFound(_("No customer %(id)s") % {"id": customer_id}, details={"customer_id": customer_id})
    return found


def address_list(user: User | AnonymousUser) -> list[Address]:
    """The customer's addresses: the default first, then the newest."""
    if not user.is_authenticated:
        return []
    return list(Address.objects.filter(customer_id=user.pk).order_by("-is_default", "-created_at", "-id"))


def address_count(user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Address.objects.filter(customer_id=user.pk).count()


def address_get(*, user: User | AnonymousUser, address_id: int) -> Address:
    """One of the customer's own addresses; NotFound for another customer's (or no) address."""
    address = Address.objects.filter(customer_id=user.pk, pk=address_id).first() if user.is_authenticated else None
    if address is None:
        raise NotFound(_("You have no address with id %(id)s") % {"id": address_id}, details={"id": address_id})
    return address


def address_default(user: User | AnonymousUser) -> Address | None:
    if not user.is_authenticated:
        return None
    return Address.objects.filter(customer_id=user.pk, is_default=True).first()


# --- bulk reads (demo data, reports) -------------------------------------------------------------


@dataclass(frozen=True)
class ShopperFacts:
    """A customer with their default address, as orders and demo histories need them."""

    user_id: int
    registered_at: datetime
    channel: str
    display_name: str
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    detail: str


def shoppers_with_default_address() -> list[ShopperFacts]:
    """Every customer who has a default address, in two queries."""
    customers = {
        row["user_id"]: row
        for row in Customer.objects.values("user_id", "registered_at", "channel", "nickname", "mobile")
    }
    found: list[ShopperFacts] = []
    for address in Address.objects.filter(is_default=True).order_by("customer_id"):
        customer = customers.get(address.customer_id)
        if customer is None:
            continue
        found.append(
            ShopperFacts(
                user_id=address.customer_id,
                registered_at=customer["registered_at"],
                channel=customer["channel"],
                display_name=customer["nickname"] or address.recipient,
                recipient=address.recipient,
                mobile=address.mobile,
                province=address.province,
                city=address.city,
                district=address.district,
                detail=address.detail,
            )
        )
    return found
