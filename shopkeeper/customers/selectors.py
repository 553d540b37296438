"""Customer reads shared by the storefront, the API, checkout and orders.

A customer sees only their own addresses: every read takes the signed-in user and an address of
someone else is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.customers.domain.addresses import MAX_ADDRESSES, cities_of, province_names
from shopkeeper.customers.domain.mobile import mobile_is_valid, mobile_mask, mobile_normalize
from shopkeeper.customers.models import Address, Customer

__all__ = [
    "MAX_ADDRESSES",
    "ShopperFacts",
    "address_count",
    "address_default",
    "address_get",
    "address_list",
    "cities_of",
    "customer_profile",
    "is_customer",
    "mobile_is_valid",
    "mobile_mask",
    "mobile_normalize",
    "province_names",
    "shoppers_with_default_address",
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
