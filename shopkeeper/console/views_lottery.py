"""Lotteries in the console (满额抽奖, campaign operator): the list, create and edit with the
prize table checked by the service, pause and resume, and one lottery's prizes, counters and
draw log, each draw re-verified from its seed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_lottery import LotteryForm
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import MANAGE_LOTTERIES, VIEW_LOTTERIES
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.lottery import selectors, services

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _lottery_or_404(lottery_id: int) -> Any:
    lottery = selectors.lottery_get(lottery_id)
    if lottery is None:
        raise Http404(_("No such lottery."))
    return lottery


@console_page(VIEW_LOTTERIES)
def lottery_list(request: HttpRequest) -> HttpResponse:
    rows = [{"lottery": lot, "counters": selectors.lottery_counters(lot.pk)} for lot in selectors.lottery_list()[:200]]
    context = {"rows": rows, "can_manage": request.user.has_perm(MANAGE_LOTTERIES), "now": timezone.now()}
    return render(request, "console/lottery/list.html", context)


def _form_page(request: HttpRequest, form: LotteryForm, lottery: Any = None, status: int = 200) -> HttpResponse:
    return render(request, "console/lottery/form.html", {"form": form, "lottery": lottery}, status=status)


def _save(request: HttpRequest, form: LotteryForm, lottery_id: int | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        saved = services.lottery_save(actor=_actor(request), lottery_id=lottery_id, **form.terms())
    except ShopkeeperError as refused:
        fields = refused.details.get("fields", {}) if isinstance(refused.details, dict) else {}
        for name, message in fields.items():
            form.add_error(LotteryForm.field_of(name), message)
        if not fields:
            form.add_error(None, refused.message)
        return None
    messages.success(request, _("Lottery “%(title)s” saved.") % {"title": saved.title})
    return redirect("console:lottery_detail", lottery_id=saved.pk)


@console_page(MANAGE_LOTTERIES)
def lottery_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LotteryForm(request.POST)
        return _save(request, form, None) or _form_page(request, form, status=422)
    now = timezone.localtime().replace(second=0, microsecond=0)
    return _form_page(request, LotteryForm(initial={"starts_at": now, "ends_at": now + timedelta(days=7)}))


@console_page(MANAGE_LOTTERIES)
def lottery_edit(request: HttpRequest, lottery_id: int) -> HttpResponse:
    lottery = _lottery_or_404(lottery_id)
    if request.method == "POST":
        form = LotteryForm(request.POST)
        return _save(request, form, lottery.pk) or _form_page(request, form, lottery, status=422)
    return _form_page(request, LotteryForm(initial=LotteryForm.initial_for(lottery)), lottery)


@console_page(VIEW_LOTTERIES)
def lottery_detail(request: HttpRequest, lottery_id: int) -> HttpResponse:
    lottery = _lottery_or_404(lottery_id)
    page = Paginator(selectors.draws_of(lottery.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    draws = [{"draw": draw, "verified": selectors.draw_verified(draw)} for draw in page]
    context = {
        "lottery": lottery,
        "prizes": list(lottery.prizes.all()),
        "counters": selectors.lottery_counters(lottery.pk),
        "page": page,
        "draws": draws,
        "can_manage": request.user.has_perm(MANAGE_LOTTERIES),
    }
    return render(request, "console/lottery/detail.html", context)


@require_POST
@console_page(MANAGE_LOTTERIES)
def lottery_status(request: HttpRequest, lottery_id: int) -> HttpResponse:
    lottery = _lottery_or_404(lottery_id)
    wanted = "paused" if request.POST.get("status") == "paused" else "active"
    services.lottery_set_status(actor=_actor(request), lottery_id=lottery.pk, status=wanted)
    messages.success(request, _("Paused: paid orders draw nothing.") if wanted == "paused" else _("Running again."))
    return redirect("console:lottery_detail", lottery_id=lottery.pk)
