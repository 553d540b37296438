"""User operations' customer pages: the customer list (search by mobile or name, filter by tier,
head counts per tier) and one customer's page with their membership tier, its history in the
audit log and the form to change it.

Views parse input and call the customers services and selectors; the service checks the tier
and writes the audit entry.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_customers import CustomerSearchForm, TierForm
from shopkeeper.core import selectors as core_selectors
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.roles import SET_CUSTOMER_TIER, VIEW_CUSTOMERS
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors, services
from shopkeeper.orders import selectors as orders

PAGE_SIZE = 50
TIER_HISTORY = 20


@console_page(VIEW_CUSTOMERS)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET or None)
    filters = selectors.CustomerFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.CustomerFilters(q=form.cleaned_data["q"], tier=form.cleaned_data["tier"])
    page = Paginator(selectors.customer_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.tier_counts()
    tiers = [
        {"value": tier, "label": selectors.tier_label(tier), "count": counts[tier], "active": filters.tier == tier}
        for tier in counts
    ]
    return render(
        request,
        "console/customers/list.html",
        {
            "form": form,
            "page": page,
            "tiers": tiers,
            "total": sum(counts.values()),
            "filters": filters,
            "query": urlencode({key: value for key, value in (("q", filters.q), ("tier", filters.tier)) if value}),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


def _detail(request: HttpRequest, customer_id: int, form: TierForm | None = None, status: int = 200) -> HttpResponse:
    try:
        customer = selectors.customer_get(customer_id)
    except NotFound:
        raise Http404(_("No such customer.")) from None
    entries = core_selectors.audit_entry_list(
        action="customer.set_tier", object_type="customers.customer", object_id=str(customer.pk)
    )[:TIER_HISTORY]
    history = [
        {
            "at": entry.at,
            "by": entry.actor_label,
            "before": selectors.tier_label(str((entry.before or {}).get("tier", ""))),
            "after": selectors.tier_label(str((entry.after or {}).get("tier", ""))),
            "reason": (entry.after or {}).get("reason", ""),
        }
        for entry in entries
    ]
    return render(
        request,
        "console/customers/detail.html",
        {
            "customer": customer,
            "tier_label": selectors.tier_label(customer.tier),
            "spent": Money(orders.customer_spent(customer_id)),
            "history": history,
            "form": form or TierForm(initial={"tier": customer.tier}),
            "can_set_tier": request.user.has_perm(SET_CUSTOMER_TIER),
        },
        status=status,
    )


@console_page(VIEW_CUSTOMERS)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _detail(request, customer_id)


@require_POST
@console_page(SET_CUSTOMER_TIER)
def customer_tier(request: HttpRequest, customer_id: int) -> HttpResponse:
    form = TierForm(request.POST)
    if not form.is_valid():
        return _detail(request, customer_id, form, status=422)
    try:
        customer = services.customer_set_tier(
            customer_id=customer_id,
            tier=form.cleaned_data["tier"],
            reason=form.cleaned_data["reason"],
            actor=ActorContext.from_request(request, AuditChannel.CONSOLE),
        )
    except NotFound:
        raise Http404(_("No such customer.")) from None
    except ValidationFailed as refused:
        for name, problem in refused.details.items():
            form.add_error(name if name in form.fields else None, str(problem))
        return _detail(request, customer_id, form, status=422)
    except ShopkeeperError as refused:
        form.add_error(None, refused.message)
        return _detail(request, customer_id, form, status=422)
    messages.success(
        request,
        _("%(customer)s is now a %(tier)s.")
        % {"customer": customer.display_name, "tier": selectors.tier_label(customer.tier)},
    )
    return redirect("console:customer_detail", customer_id=customer_id)
