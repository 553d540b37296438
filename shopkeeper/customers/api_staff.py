"""Staff customer endpoints at /api/v1/customers: look customers up (by mobile, its last digits or
a name; by tier), the tiers with their head counts, and setting a customer's membership tier
(user operations; audited with the reason).

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import SET_CUSTOMER_TIER, VIEW_CUSTOMERS
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors, services
from shopkeeper.customers.enums import MemberTier
from shopkeeper.customers.models import Customer
from shopkeeper.customers.schemas import StaffCustomerOut, StaffCustomerPageOut, TierIn, TierOut

router = Router(tags=["customers"])


class CustomerFiltersIn(Schema):
    q: str = Field("", max_length=64, description="A mobile number, its last digits, or part of a name")
    tier: str = Field("", description="regular, silver, gold or platinum; empty: all")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _out(customer: Customer) -> StaffCustomerOut:
    return StaffCustomerOut(
        id=customer.user_id,
        mobile=customer.mobile,
        nickname=customer.nickname,
        display_name=customer.user.display_name or customer.display_name,
        registered_at=customer.registered_at,
        channel=customer.channel,
        tier=customer.tier,
        tier_label=selectors.tier_label(customer.tier),
    )


@router.get("/tiers", response=list[TierOut], summary="The membership tiers, lowest first, with head counts")
@requires(VIEW_CUSTOMERS, api=True)
def tier_list(request: HttpRequest) -> list[TierOut]:
    counts = selectors.tier_counts()
    return [TierOut(value=tier, label=selectors.tier_label(tier), customers=counts[tier]) for tier in counts]


@router.get("", response=StaffCustomerPageOut, summary="Customers, newest first (search and tier filter)")
@requires(VIEW_CUSTOMERS, api=True)
def customer_list(request: HttpRequest, filters: Query[CustomerFiltersIn]) -> StaffCustomerPageOut:
    if filters.tier and filters.tier not in MemberTier.values:
        problem = _("Choose a membership tier: %(tiers)s") % {"tiers": ", ".join(MemberTier.values)}
        raise ValidationFailed(problem, details={"tier": problem})
    queryset = selectors.customer_list(selectors.CustomerFilters(q=filters.q, tier=filters.tier))
    window = queryset[filters.offset : filters.offset + filters.limit]
    return StaffCustomerPageOut(items=[_out(customer) for customer in window], count=queryset.count())


@router.get("/{customer_id}", response=StaffCustomerOut, summary="One customer")
@requires(VIEW_CUSTOMERS, api=True)
def customer_detail(request: HttpRequest, customer_id: int) -> StaffCustomerOut:
    return _out(selectors.customer_get(customer_id))


@router.put("/{customer_id}/tier", response=StaffCustomerOut, summary="Set the customer's membership tier")
@requires(SET_CUSTOMER_TIER, api=True)
def customer_set_tier(request: HttpRequest, customer_id: int, payload: TierIn) -> StaffCustomerOut:
    services.customer_set_tier(
        customer_id=customer_id,
        tier=payload.tier,
        reason=payload.reason,
        actor=ActorContext.from_request(request, AuditChannel.API),
    )
    return _out(selectors.customer_get(customer_id))
