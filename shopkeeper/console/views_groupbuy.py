"""Group buys in the console (campaign operator): the list with live counters, create and edit
with the terms checked by the service, pause and resume, and one group buy's groups by state.

Views parse input and call the group buy's services and selectors; the services check the terms
and write the audit entries.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_groupbuy import GroupBuyForm
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import MANAGE_GROUPBUYS, VIEW_GROUPBUYS
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.groupbuy import selectors, services

PAGE_SIZE = 50
STATES = (
    ("", gettext_lazy("All")),
    ("open", pgettext_lazy("group state", "Open")),
    ("formed", pgettext_lazy("group state", "Formed")),
    ("failed", pgettext_lazy("group state", "Failed")),
)


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _counter_rows(counters: selectors.Counters) -> list[tuple[str, str, str]]:
    return [
        ("opened", _("Groups opened"), str(counters.opened)),
        ("open", _("Open now"), str(counters.open)),
        ("formed", pgettext("group state", "Formed"), str(counters.formed)),
        ("failed", pgettext("group state", "Failed"), str(counters.failed)),
        ("members", _("Members who paid"), str(counters.members)),
        ("virtual", _("Virtual members"), str(counters.virtual_members)),
        ("refunds", _("Automatic refunds"), str(counters.refunds)),
        ("refunded", _("Refunded"), str(Money(counters.refunded_fen))),
    ]


@console_page(VIEW_GROUPBUYS)
def groupbuy_list(request: HttpRequest) -> HttpResponse:
    groupbuys = list(selectors.groupbuy_list()[:200])
    rows = [{"groupbuy": gb, "counters": selectors.groupbuy_counters(gb.pk)} for gb in groupbuys]
    context = {
        "rows": rows,
        "totals": _counter_rows(selectors.groupbuy_counters()),
        "can_manage": request.user.has_perm(MANAGE_GROUPBUYS),
        "now": timezone.now(),
    }
    return render(request, "console/groupbuy/list.html", context)


def _form_page(request: HttpRequest, form: GroupBuyForm, groupbuy: Any = None, status: int = 200) -> HttpResponse:
    return render(request, "console/groupbuy/form.html", {"form": form, "groupbuy": groupbuy}, status=status)


def _save(request: HttpRequest, form: GroupBuyForm, groupbuy_id: int | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        saved = services.groupbuy_save(actor=_actor(request), groupbuy_id=groupbuy_id, **form.terms())
    except ShopkeeperError as refused:
        fields = refused.details.get("fields", {}) if isinstance(refused.details, dict) else {}
        for name, message in fields.items():
            target = GroupBuyForm.FIELD_OF.get(name, name)
            form.add_error(target if target in form.fields else None, message)
        if not fields:
            form.add_error(None, refused.message)
        return None
    messages.success(request, _("Group buy “%(title)s” saved.") % {"title": saved.title})
    return redirect("console:groupbuy_detail", groupbuy_id=saved.pk)


@console_page(MANAGE_GROUPBUYS)
def groupbuy_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GroupBuyForm(request.POST)
        return _save(request, form, None) or _form_page(request, form, status=422)
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {
        "group_size": 3,
        "time_limit_hours": 24,
        "per_customer_limit": 1,
        "starts_at": now,
        "ends_at": now + timedelta(days=7),
    }
    return _form_page(request, GroupBuyForm(initial=initial))


def _groupbuy_or_404(groupbuy_id: int) -> Any:
    groupbuy = selectors.groupbuy_get(groupbuy_id)
    if groupbuy is None:
        raise Http404(_("No such group buy."))
    return groupbuy


@console_page(MANAGE_GROUPBUYS)
def groupbuy_edit(request: HttpRequest, groupbuy_id: int) -> HttpResponse:
    groupbuy = _groupbuy_or_404(groupbuy_id)
    if request.method == "POST":
        form = GroupBuyForm(request.POST)
        return _save(request, form, groupbuy.pk) or _form_page(request, form, groupbuy, status=422)
    initial = {
        "title": groupbuy.title,
        "sku_code": groupbuy.sku.code,
        "group_price": groupbuy.group_price.yuan,
        "group_size": groupbuy.group_size,
        "time_limit_hours": groupbuy.time_limit_hours,
        "per_customer_limit": groupbuy.per_customer_limit,
        "starts_at": timezone.localtime(groupbuy.starts_at),
        "ends_at": timezone.localtime(groupbuy.ends_at),
        "min_margin_percent": groupbuy.min_margin_percent,
        "virtual_completion": groupbuy.virtual_completion,
        "virtual_max_missing": groupbuy.virtual_max_missing,
    }
    return _form_page(request, GroupBuyForm(initial=initial), groupbuy)


@console_page(VIEW_GROUPBUYS)
def groupbuy_detail(request: HttpRequest, groupbuy_id: int) -> HttpResponse:
    groupbuy = _groupbuy_or_404(groupbuy_id)
    state = request.GET.get("state", "")
    if state not in {value for value, _label in STATES}:
        state = ""
    page = Paginator(selectors.groups_of(groupbuy.pk, state=state or None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "groupbuy": groupbuy,
        "counters": _counter_rows(selectors.groupbuy_counters(groupbuy.pk)),
        "page": page,
        "states": STATES,
        "state": state,
        "query": f"state={state}" if state else "",
        "can_manage": request.user.has_perm(MANAGE_GROUPBUYS),
    }
    return render(request, "console/groupbuy/detail.html", context)


@require_POST
@console_page(MANAGE_GROUPBUYS)
def groupbuy_status(request: HttpRequest, groupbuy_id: int) -> HttpResponse:
    groupbuy = _groupbuy_or_404(groupbuy_id)
    wanted = "paused" if request.POST.get("status") == "paused" else "active"
    services.groupbuy_set_status(actor=_actor(request), groupbuy_id=groupbuy.pk, status=wanted)
    if wanted == "paused":
        messages.success(request, _("Paused: no new groups open; open groups may still fill."))
    else:
        messages.success(request, _("Running again."))
    return redirect("console:groupbuy_detail", groupbuy_id=groupbuy.pk)
