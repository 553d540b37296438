"""The campaign desk's promotions: the list with live counters, creating and editing a promotion
(a form per kind), pausing, resuming and ending it, the margin guard's verdict, a sample-cart
preview, the month calendar of what runs when, and the campaign simulator.

Views parse input, call the promotions services and selectors, and render; the services hold the
rules, refuse bad input field by field and write the audit entries. Promotions are typed `Any`:
the console may not import the promotions app's models (app boundaries).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_promotions import PromotionForm, SampleCartForm, SimulatorForm, sku_ids_for
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.roles import MANAGE_PROMOTIONS, RUN_SIMULATOR, VIEW_PROMOTIONS
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions import selectors, services
from shopkeeper.promotions.enums import PromotionKind, PromotionStatus

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _promotion_or_404(promotion_id: int) -> Any:
    try:
        return selectors.promotion_get(promotion_id)
    except NotFound:
        raise Http404(_("No such promotion.")) from None


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in PromotionStatus.choices}


@console_page(VIEW_PROMOTIONS)
def promotion_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in PromotionStatus.values:
        status = ""
    filters = selectors.PromotionFilters(status=status, kind=request.GET.get("kind", ""), q=request.GET.get("q", ""))
    page = Paginator(selectors.promotion_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    counters = selectors.promotion_counters(p.pk for p in page)
    labels = _status_labels()
    now = timezone.now()
    rows = [
        {
            "promotion": p,
            "label": selectors.promotion_label(p),
            "status": selectors.shown_status(p, now),
            "status_label": labels[selectors.shown_status(p, now)],
            "kind_label": PromotionKind(p.kind).label if p.kind in PromotionKind.values else p.kind,
            "counters": counters[p.pk],
        }
        for p in page
    ]
    tabs = [{"value": "", "label": _("All"), "active": not status}] + [
        {"value": value, "label": label, "active": status == value} for value, label in labels.items()
    ]
    return render(
        request,
        "console/promotions/list.html",
        {
            "rows": rows,
            "page": page,
            "tabs": tabs,
            "q": filters.q,
            "can_manage": request.user.has_perm(MANAGE_PROMOTIONS),
        },
    )


def _save(request: HttpRequest, form: PromotionForm, promotion_id: int | None) -> Any:
    """Save through the service; a refusal goes back onto the form (field problems, margin breaches)."""
    data = form.to_input()
    if data is None:
        return None
    try:
        return services.promotion_save(data=data, actor=_actor(request), promotion_id=promotion_id)
    except ValidationFailed as refused:
        breaches = refused.details.get("margin")
        if breaches:
            form.add_error(None, refused.message)
            form.margin_breaches = breaches  # type: ignore[attr-defined]
        else:
            form.show_refusal(refused.details)
            if not form.errors:
                form.add_error(None, refused.message)
    except ShopkeeperError as refused:
        form.add_error(None, refused.message)
    return None


def _edit_context(request: HttpRequest, form: PromotionForm, promotion: Any | None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "form": form,
        "promotion": promotion,
        "can_manage": request.user.has_perm(MANAGE_PROMOTIONS),
        "breaches": [
            {
                **row,
                "price": Money(row["price_fen"]),
                "cost": Money(row["cost_fen"]) if row.get("cost_fen") is not None else None,
                "worst": Money(row["worst_price_fen"]),
                "floor": Money(row["floor_price_fen"]),
            }
            for row in getattr(form, "margin_breaches", [])
        ],
    }
    if promotion is not None:
        status = selectors.shown_status(promotion)
        context.update(
            status=status,
            status_label=_status_labels()[status],
            label=selectors.promotion_label(promotion),
            counters=selectors.promotion_counters([promotion.pk])[promotion.pk],
            verdict=_verdict(promotion),
            can_pause=status in (PromotionStatus.ACTIVE, PromotionStatus.SCHEDULED),
            can_resume=status in (PromotionStatus.PAUSED, PromotionStatus.DRAFT),
            can_end=status != PromotionStatus.ENDED,
        )
    return context


def _verdict(promotion: Any) -> Any:
    try:
        return selectors.promotion_verdict_report(promotion)
    except (ValueError, KeyError, TypeError):  # a rule saved before a change of shape: no verdict, not a 500
        return None


@console_page(MANAGE_PROMOTIONS)
def promotion_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PromotionForm(request.POST)
        if form.is_valid():
            saved = _save(request, form, None)
            if saved is not None:
                messages.success(request, _("Promotion “%(name)s” saved.") % {"name": saved.name})
                return redirect("console:promotion_edit", promotion_id=saved.pk)
        return render(request, "console/promotions/edit.html", _edit_context(request, form, None), status=422)
    kind = request.GET.get("kind", PromotionKind.SPEND_TIER)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = PromotionForm(
        initial={
            "kind": kind if kind in PromotionKind.values else PromotionKind.SPEND_TIER,
            "starts_at": now,
            "ends_at": now + timedelta(days=7),
            "gift_quantity": 1,
        }
    )
    return render(request, "console/promotions/edit.html", _edit_context(request, form, None))


@console_page(VIEW_PROMOTIONS)
def promotion_edit(request: HttpRequest, promotion_id: int) -> HttpResponse:
    promotion = _promotion_or_404(promotion_id)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_PROMOTIONS):
            raise Http404(_("No such promotion."))
        form = PromotionForm(request.POST)
        if form.is_valid():
            saved = _save(request, form, promotion.pk)
            if saved is not None:
                messages.success(request, _("Promotion “%(name)s” saved.") % {"name": saved.name})
                return redirect("console:promotion_edit", promotion_id=saved.pk)
        return render(request, "console/promotions/edit.html", _edit_context(request, form, promotion), status=422)
    form = PromotionForm(initial=PromotionForm.initial_for(promotion))
    return render(request, "console/promotions/edit.html", _edit_context(request, form, promotion))


def _status_change(request: HttpRequest, promotion_id: int, change: Any, done: str) -> HttpResponse:
    _promotion_or_404(promotion_id)
    try:
        promotion = change(promotion_id=promotion_id, actor=_actor(request))
    except ValidationFailed as refused:
        messages.error(request, refused.message)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done % {"name": promotion.name})
    return redirect("console:promotion_edit", promotion_id=promotion_id)


@require_POST
@console_page(MANAGE_PROMOTIONS)
def promotion_pause(request: HttpRequest, promotion_id: int) -> HttpResponse:
    return _status_change(request, promotion_id, services.promotion_pause, _("“%(name)s” is paused."))


@require_POST
@console_page(MANAGE_PROMOTIONS)
def promotion_resume(request: HttpRequest, promotion_id: int) -> HttpResponse:
    return _status_change(request, promotion_id, services.promotion_resume, _("“%(name)s” runs again."))


@require_POST
@console_page(MANAGE_PROMOTIONS)
def promotion_end(request: HttpRequest, promotion_id: int) -> HttpResponse:
    return _status_change(request, promotion_id, services.promotion_end, _("“%(name)s” has ended."))


# --- preview ------------------------------------------------------------------------------------


@console_page(VIEW_PROMOTIONS)
def promotion_preview(request: HttpRequest) -> HttpResponse:
    """Price a sample cart with the running promotions, or with the ones ticked (drafts too)."""
    candidates = list(selectors.promotion_list().exclude(status=PromotionStatus.ENDED)[:100])
    chosen = [int(v) for v in request.GET.getlist("promotion") if v.isdigit()]
    form = SampleCartForm(request.GET if "lines" in request.GET else None)
    price = None
    missing: list[str] = []
    if form.is_bound and form.is_valid():
        typed = form.quantities()
        ids, missing = sku_ids_for(list(typed))
        codes = dict(zip([c for c in typed if c not in missing], ids, strict=True))
        if missing:
            form.add_error("lines", _("No SKU with the code %(codes)s.") % {"codes": ", ".join(missing)})
        if codes:
            price = selectors.preview(
                quantities={sku_id: typed[code] for code, sku_id in codes.items()},
                promotion_ids=chosen or None,
                tier=form.cleaned_data.get("tier") or None,
            )
    return render(
        request,
        "console/promotions/preview.html",
        {
            "form": form,
            "price": price,
            "candidates": [
                {"promotion": p, "label": selectors.promotion_label(p), "checked": p.pk in chosen} for p in candidates
            ],
            "using_running": not chosen,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


# --- calendar -----------------------------------------------------------------------------------


@console_page(VIEW_PROMOTIONS)
def promotion_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    month_view = selectors.promotion_calendar(year, month)
    weeks = [
        [
            {
                "day": day,
                "bars": month_view.by_day.get(day, []) if day else [],
                "today": day and date(year, month, day) == today,
            }
            for day in week
        ]
        for week in month_view.weeks
    ]
    return render(
        request,
        "console/promotions/calendar.html",
        {
            "month": month_view,
            "first": date(year, month, 1),
            "weeks": weeks,
            "previous": "{:04d}-{:02d}".format(*month_view.previous),
            "next": "{:04d}-{:02d}".format(*month_view.next),
            "status_labels": _status_labels(),
        },
    )


# --- simulator ----------------------------------------------------------------------------------


@console_page(RUN_SIMULATOR)
def promotion_simulator(request: HttpRequest) -> HttpResponse:
    choices = [
        (str(p.pk), f"{p.name} · {selectors.promotion_label(p)} ({_status_labels()[selectors.shown_status(p)]})")
        for p in selectors.promotion_list()[:200]
    ]
    form = SimulatorForm(request.GET if "days" in request.GET else None, choices=choices)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = selectors.campaign_simulate(
                days=form.cleaned_data["days"], promotion_ids=[int(v) for v in form.cleaned_data["promotions"]]
            )
        except ShopkeeperError as refused:
            form.add_error(None, refused.message)
    return render(
        request,
        "console/promotions/simulator.html",
        {"form": form, "result": result},
        status=422 if form.is_bound and form.errors else 200,
    )
