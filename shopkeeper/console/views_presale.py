"""Deposit presales in the console (campaign operator manages, the director reads): the list
with live counters, create and edit (terms and margin floor checked by the service), pause and
resume, and one presale's orders; a kept deposit can be given back from there.

Views parse input and call the presale's and orders' services and selectors; the services
check the rules and write the audit entries.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_presale import PresaleForm
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import MANAGE_ORDERS, MANAGE_PROMOTIONS, VIEW_PROMOTIONS
from shopkeeper.core.services import ActorContext
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.promotions.presale import selectors, services
from shopkeeper.promotions.presale.enums import PresalePhase


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _counter_rows(counters: selectors.Counters) -> list[tuple[str, str, str]]:
    return [
        ("orders", _("Orders placed"), str(counters.orders)),
        ("deposits", _("Deposits paid"), str(counters.deposits_paid)),
        ("awaiting", _("Awaiting balance"), str(counters.awaiting_balance)),
        ("balances", _("Balances paid"), str(counters.balances_paid)),
        ("forfeited", _("Deposits kept"), str(counters.deposits_forfeited)),
        ("units", _("Units reserved or sold"), str(counters.units_reserved)),
        ("revenue", _("Revenue (paid − refunded)"), str(counters.revenue)),
    ]


@console_page(VIEW_PROMOTIONS)
def presale_list(request: HttpRequest) -> HttpResponse:
    presales = list(selectors.presale_list()[:200])
    counters = selectors.presale_counters([p.pk for p in presales])
    rows = [
        {
            "presale": p,
            "phase": selectors.presale_phase(p),
            "phase_label": PresalePhase(selectors.presale_phase(p).value).label,
            "unit_price": selectors.presale_unit_price(p),
            "counters": counters[p.pk],
        }
        for p in presales
    ]
    context = {"rows": rows, "can_manage": request.user.has_perm(MANAGE_PROMOTIONS)}
    return render(request, "console/presale/list.html", context)


def _form_page(request: HttpRequest, form: PresaleForm, presale: Any = None, status: int = 200) -> HttpResponse:
    return render(request, "console/presale/form.html", {"form": form, "presale": presale}, status=status)


def _save(request: HttpRequest, form: PresaleForm, presale_id: int | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        if presale_id is None:
            saved = services.presale_create(data=form.terms(), actor=_actor(request))
        else:
            saved = services.presale_update(presale_id=presale_id, data=form.terms(), actor=_actor(request))
    except ShopkeeperError as refused:
        fields = refused.details.get("fields", {}) if isinstance(refused.details, dict) else {}
        if isinstance(fields, dict):
            for name, message in fields.items():
                target = PresaleForm.FIELD_OF.get(name, name)
                form.add_error(target if target in form.fields else None, message)
        if not fields or not isinstance(fields, dict):
            form.add_error(None, refused.message)
        return None
    messages.success(request, _("Presale “%(name)s” saved.") % {"name": saved.name})
    return redirect("console:presale_detail", presale_id=saved.pk)


@console_page(MANAGE_PROMOTIONS)
def presale_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PresaleForm(request.POST)
        return _save(request, form, None) or _form_page(request, form, status=422)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {
        "limit_per_customer": 1,
        "presale_starts_at": now,
        "presale_ends_at": now + timedelta(days=7),
        "balance_starts_at": now + timedelta(days=8),
        "balance_ends_at": now + timedelta(days=10),
    }
    return _form_page(request, PresaleForm(initial=initial))


def _presale_or_404(presale_id: int) -> Any:
    presale = selectors.presale_get(presale_id)
    if presale is None:
        raise Http404(_("No such presale."))
    return presale


def _yuan(fen: int | None) -> Any:
    return Money(fen).yuan if fen is not None else None


@console_page(MANAGE_PROMOTIONS)
def presale_edit(request: HttpRequest, presale_id: int) -> HttpResponse:
    presale = _presale_or_404(presale_id)
    if request.method == "POST":
        form = PresaleForm(request.POST)
        return _save(request, form, presale.pk) or _form_page(request, form, presale, status=422)
    initial = {
        "name": presale.name,
        "sku_code": presale.sku.code,
        "final_price": _yuan(presale.final_price_fen),
        "deposit": _yuan(presale.deposit_fen),
        "deposit_value": _yuan(presale.deposit_value_fen),
        "presale_starts_at": timezone.localtime(presale.presale_starts_at),
        "presale_ends_at": timezone.localtime(presale.presale_ends_at),
        "balance_starts_at": timezone.localtime(presale.balance_starts_at),
        "balance_ends_at": timezone.localtime(presale.balance_ends_at),
        "limit_per_customer": presale.limit_per_customer,
        "min_margin_percent": presale.min_margin_percent,
        "min_price": _yuan(presale.min_price_fen),
    }
    return _form_page(request, PresaleForm(initial=initial), presale)


@console_page(VIEW_PROMOTIONS)
def presale_detail(request: HttpRequest, presale_id: int) -> HttpResponse:
    presale = _presale_or_404(presale_id)
    counters = selectors.presale_counters([presale.pk])[presale.pk]
    context = {
        "presale": presale,
        "phase": selectors.presale_phase(presale),
        "phase_label": PresalePhase(selectors.presale_phase(presale).value).label,
        "unit_price": selectors.presale_unit_price(presale),
        "balance": Money(presale.final_price_fen - presale.deposit_value_fen),
        "counters": _counter_rows(counters),
        "orders": selectors.presale_orders(presale.pk),
        "can_manage": request.user.has_perm(MANAGE_PROMOTIONS),
        "can_refund": request.user.has_perm(MANAGE_ORDERS),
    }
    return render(request, "console/presale/detail.html", context)


@require_POST
@console_page(MANAGE_PROMOTIONS)
def presale_status(request: HttpRequest, presale_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    try:
        services.presale_set_status(presale_id=presale_id, status=status, actor=_actor(request))
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Paused: no new deposits.") if status == "paused" else _("Taking deposits again."))
    return redirect("console:presale_detail", presale_id=presale_id)


@require_POST
@console_page(MANAGE_ORDERS)
def presale_deposit_refund(request: HttpRequest, presale_id: int, number: str) -> HttpResponse:
    """Give back a deposit the shop kept (the balance was not paid in its window)."""
    order = order_reads.order_for_staff(number=number)
    if order is None:
        raise Http404(_("No such order."))
    try:
        orders.order_presale_deposit_refund(
            order=order, reason=request.POST.get("reason", "").strip() or _("Goodwill"), actor=_actor(request)
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The deposit goes back to the customer."))
    return redirect("console:presale_detail", presale_id=presale_id)
