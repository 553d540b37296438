"""Customer reads shared by the storefront, the API, checkout and orders.

A customer sees only their own addresses: every read takes the signed-in user and an address of
someone else is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.customers.domain.addresses import MAX_ADDRESSES, cities_of, province_names
from shopkeeper.customers.domain.mobile import mobile_is_valid, mobile_mask, mobile_normalize
from shopkeeper.customers.models import Address, Customer

__all__ = [
    "MAX_ADDRESSES",
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
        profile: Customer = user.customer  # type: ignore[attr-defined]  # reverse one-to-one, unseen by django-stubs
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
