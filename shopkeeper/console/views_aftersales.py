"""The after-sales desk: the queue with review deadlines and filters, one application with its
timeline and refund records, approve/refuse (CS), receive/inspect (warehouse), retry a refused
refund, close an exchange; the automatic approval rules; refund rates with a CSV download; and
the service items opened by carrier exceptions.

Views parse input, call the after-sales services and selectors, and render.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shopkeeper.aftersales import selectors, services
from shopkeeper.aftersales.enums import (
    AfterSalesKind,
    AfterSalesReason,
    AfterSalesStatus,
    GiftReturnChoice,
    Inspection,
    RuleStageChoice,
)
from shopkeeper.console.decorators import console_page
from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import (
    DECIDE_AFTERSALES,
    HANDLE_AFTERSALES,
    INSPECT_RETURNS,
    MANAGE_AFTERSALES_RULES,
    VIEW_AFTERSALES,
    VIEW_REFUND_RATES,
)
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors as inventory

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Application or order number"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), ("open", gettext_lazy("Open")), *AfterSalesStatus.choices],
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, choices=[("", "—"), *AfterSalesKind.choices])
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), required=False, choices=[("", "—"), *AfterSalesReason.choices]
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    applied_from = forms.DateField(
        label=gettext_lazy("Applied from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    applied_to = forms.DateField(
        label=gettext_lazy("Applied to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> selectors.QueueFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.QueueFilters(status="open")
        data = self.cleaned_data
        return selectors.QueueFilters(
            status=data["status"],
            kind=data["kind"],
            reason=data["reason"],
            overdue=bool(data["overdue"]),
            applied_from=data["applied_from"],
            applied_to=data["applied_to"],
            q=data["q"],
        )


@console_page(VIEW_AFTERSALES)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    now = timezone.now()
    page = Paginator(selectors.application_queue(form.filters(), now=now), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"app": app, "seconds_left": selectors.review_seconds_left(app, now=now)} for app in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": selectors.queue_counts(now=now),
        "items": list(selectors.service_items()[:20]),
        "query": request.GET.urlencode(),
    }
    return render(request, "console/aftersales/queue.html", context, status=200 if valid else 422)


def _app_or_404(number: str) -> Any:
    app = selectors.application_get(number=number)
    if app is None:
        raise Http404(_("No such after-sales application."))
    return app


@console_page(VIEW_AFTERSALES)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    app = _app_or_404(number)
    user = request.user
    actions = selectors.next_actions(app)
    context = {
        "app": app,
        "actions": actions,
        "seconds_left": selectors.review_seconds_left(app),
        "can_approve": "approve" in actions
        and (
            user.has_perm(DECIDE_AFTERSALES)
            or (user.has_perm(HANDLE_AFTERSALES) and app.amount_fen <= settings.AFTERSALES_AGENT_LIMIT_FEN)
        ),
        "can_refuse": "refuse" in actions and user.has_perm(DECIDE_AFTERSALES),
        "can_receive": "receive" in actions and user.has_perm(INSPECT_RETURNS),
        "can_inspect": "inspect" in actions and user.has_perm(INSPECT_RETURNS),
        "can_retry": app.status == "refund_failed" and user.has_perm(HANDLE_AFTERSALES),
        "can_close": "close" in actions and user.has_perm(HANDLE_AFTERSALES),
        "agent_limit": Money(settings.AFTERSALES_AGENT_LIMIT_FEN),
        "warehouses": list(inventory.warehouse_list(active_only=True)),
        "inspections": Inspection.choices,
        "gifts": selectors.application_gifts(app),
        "gift_check": selectors.gifts_to_inspect(app) if "inspect" in actions else None,
        "gift_results": GiftReturnChoice.choices,
        "refunds": selectors.order_refund_records(order_id=app.order_id),
        "photos": [
            reverse("console:aftersales_photo", args=[url.rsplit("/", 1)[-1]])
            if url.startswith(f"{settings.MEDIA_URL}aftersales/")
            else url
            for url in app.photos
        ],
        "others": [other for other in selectors.applications_of_order(order_id=app.order_id) if other.pk != app.pk],
    }
    return render(request, "console/aftersales/detail.html", context)


def _act(request: HttpRequest, number: str, work: Any, done: str) -> HttpResponse:
    app = _app_or_404(number)
    try:
        work(app)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("console:aftersales_detail", number=number)


@require_POST
@console_page(HANDLE_AFTERSALES)
def approve(request: HttpRequest, number: str) -> HttpResponse:
    note = request.POST.get("note", "")
    return _act(
        request,
        number,
        lambda app: services.application_approve(application_id=app.pk, actor=_actor(request), note=note),
        _("Approved."),
    )


@require_POST
@console_page(DECIDE_AFTERSALES)
def refuse(request: HttpRequest, number: str) -> HttpResponse:
    note = request.POST.get("note", "")
    return _act(
        request,
        number,
        lambda app: services.application_refuse(application_id=app.pk, actor=_actor(request), note=note),
        _("Refused."),
    )


@require_POST
@console_page(INSPECT_RETURNS)
def receive(request: HttpRequest, number: str) -> HttpResponse:
    try:
        warehouse_id = int(request.POST.get("warehouse", ""))
    except ValueError:
        warehouse_id = 0
    return _act(
        request,
        number,
        lambda app: services.application_receive(
            application_id=app.pk, warehouse_id=warehouse_id, actor=_actor(request)
        ),
        _("Received."),
    )


@require_POST
@console_page(INSPECT_RETURNS)
def inspect(request: HttpRequest, number: str) -> HttpResponse:
    result, note = request.POST.get("result", ""), request.POST.get("note", "")
    gift_result = request.POST.get("gift_result", "")
    return _act(
        request,
        number,
        lambda app: services.application_inspect(
            application_id=app.pk, result=result, note=note, gift_result=gift_result, actor=_actor(request)
        ),
        _("Inspected."),
    )


@require_POST
@console_page(HANDLE_AFTERSALES)
def refund_retry(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        lambda app: services.application_refund_retry(application_id=app.pk, actor=_actor(request)),
        _("The refund is asked for again."),
    )


@require_POST
@console_page(HANDLE_AFTERSALES)
def close(request: HttpRequest, number: str) -> HttpResponse:
    return _act(
        request,
        number,
        lambda app: services.application_close(application_id=app.pk, actor=_actor(request)),
        _("Closed."),
    )


@require_POST
@console_page(HANDLE_AFTERSALES)
def service_item_resolve(request: HttpRequest, item_id: int) -> HttpResponse:
    try:
        services.service_item_resolve(
            item_id=item_id, resolution=request.POST.get("resolution", ""), actor=_actor(request)
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Resolved."))
    return redirect("console:aftersales_queue")


@console_page(VIEW_AFTERSALES)
def photo(request: HttpRequest, name: str) -> FileResponse:
    path = Path(settings.MEDIA_ROOT) / "aftersales" / Path(name).name
    if not path.is_file():
        raise Http404(_("No such photo."))
    return FileResponse(path.open("rb"))


# --- automatic approval rules -----------------------------------------------------------------


@console_page(MANAGE_AFTERSALES_RULES)
def rules(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                services.auto_rule_delete(rule_id=int(request.POST["delete"]), actor=_actor(request))
                messages.success(request, _("Rule removed."))
            else:
                try:
                    ceiling = Money.from_yuan(request.POST.get("max_amount", "").strip() or "x")
                except (MoneyError, ValueError, ArithmeticError):
                    ceiling = Money(-1)
                services.auto_rule_create(
                    kind=request.POST.get("kind", ""),
                    stage=request.POST.get("stage", ""),
                    max_amount=ceiling,
                    actor=_actor(request),
                )
                messages.success(request, _("Rule added."))
            return redirect("console:aftersales_rules")
        except ShopkeeperError as refused:
            error = refused
        except ValueError:
            error = None
    context = {
        "rules": list(selectors.auto_rules()),
        "kinds": [choice for choice in AfterSalesKind.choices if choice[0] != "exchange"],
        "stages": RuleStageChoice.choices,
        "error": error,
    }
    return render(request, "console/aftersales/rules.html", context, status=422 if error else 200)


# --- refund rates -----------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[date, date, str]:
    today = timezone.localdate()
    try:
        end = date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
        start = date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else end - timedelta(days=29)
    except ValueError:
        start, end = today - timedelta(days=29), today
    if start > end:
        start, end = end, start
    if (end - start).days > 366:
        start = end - timedelta(days=366)
    by = request.GET.get("by", "product")
    return start, end, by if by in selectors.RATE_DIMENSIONS else "product"


@console_page(VIEW_REFUND_RATES)
def rates(request: HttpRequest) -> HttpResponse:
    start, end, by = _period(request)
    rows = selectors.refund_rate(start=start, end=end, by=by)
    if request.GET.get("format") == "csv":
        response = HttpResponse(selectors.refund_rate_csv(rows, by=by), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="refund-rate-{by}-{start}-{end}.csv"'
        return response
    total = selectors.refund_rate_total(start=start, end=end)
    context = {
        "rows": rows[:200],
        "total": total,
        "start": start,
        "end": end,
        "by": by,
        "dimensions": [("product", _("By product")), ("day", _("By day")), ("reason", _("By reason"))],
    }
    return render(request, "console/aftersales/rates.html", context)
