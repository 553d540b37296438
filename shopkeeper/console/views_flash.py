"""Flash sales in the console (campaign operator; the director reads): the list, one sale with
its sessions and items, adding and changing them before they start, putting the sale live or
pausing it, and live counters (attempts, admitted, sold, remaining) refreshed every few seconds.

Views parse input and call the flash sale's services and selectors; the services check the rules
(limits, windows, overlaps, prices against the normal price and the margin floor, pools against
stock) and write the audit entries.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.catalog import selectors as catalog
from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_flash import ItemForm, SaleForm, SessionForm
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError
from shopkeeper.core.roles import MANAGE_FLASH_SALES, VIEW_FLASH_SALES
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.flash import selectors, services
from shopkeeper.promotions.flash.enums import SaleStatus


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _sale(sale_id: int) -> Any:
    try:
        return selectors.sale_get(sale_id=sale_id)
    except NotFound:
        raise Http404(_("No such flash sale")) from None


def _refused(form: Any, refused: ShopkeeperError) -> None:
    fields = refused.details.get("fields", {}) if isinstance(refused.details.get("fields"), dict) else {}
    placed = False
    for name, message in fields.items():
        target = "sku_code" if name == "sku_id" else name
        if target in form.fields:
            code_only = re.fullmatch(r"[a-z_]+", str(message)) is not None  # a token, not words
            form.add_error(target, refused.message if code_only else str(message))
            placed = True
    if not placed:
        form.add_error(None, refused.message)


@console_page(VIEW_FLASH_SALES)
def flash_list(request: HttpRequest) -> HttpResponse:
    form = SaleForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_FLASH_SALES):
            raise PermissionDenied
        if form.is_valid():
            try:
                sale = services.flash_sale_save(actor=_actor(request), name=form.cleaned_data["name"])
            except ShopkeeperError as refused:
                form.add_error("name", refused.message)
            else:
                messages.success(request, _("Flash sale created: add a session and its items."))
                return redirect("console:flash_detail", sale_id=sale.pk)
    sales = list(selectors.sale_list()[:200])
    return render(
        request,
        "console/flash/list.html",
        {"sales": sales, "form": form, "can_manage": request.user.has_perm(MANAGE_FLASH_SALES)},
        status=422 if form.errors else 200,
    )


def _detail_context(request: HttpRequest, sale: Any) -> dict[str, Any]:
    sessions = list(sale.sessions.all())
    items = [(session, item) for session in sessions for item in session.items.all()]
    counters = selectors.item_counters(item for _session, item in items)
    return {
        "sale": sale,
        "sessions": sessions,
        "counter_rows": [{"session": s, "item": i, "c": counters[i.pk]} for s, i in items],
        "can_manage": request.user.has_perm(MANAGE_FLASH_SALES),
        "statuses": SaleStatus,
    }


@console_page(VIEW_FLASH_SALES)
def flash_detail(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = _sale(sale_id)
    context = _detail_context(request, sale)
    context.update(
        {"sale_form": SaleForm(initial={"name": sale.name}), "session_form": SessionForm(), "item_form": ItemForm()}
    )
    return render(request, "console/flash/detail.html", context)


@console_page(VIEW_FLASH_SALES)
def flash_counters(request: HttpRequest, sale_id: int) -> HttpResponse:
    """The live counters table alone (HTMX polls it every 5 seconds)."""
    return render(request, "console/flash/_counters.html", _detail_context(request, _sale(sale_id)))


def _detail_with_errors(request: HttpRequest, sale_id: int, **forms: Any) -> HttpResponse:
    sale = _sale(sale_id)
    context = _detail_context(request, sale)
    context.update(
        {"sale_form": SaleForm(initial={"name": sale.name}), "session_form": SessionForm(), "item_form": ItemForm()}
    )
    context.update(forms)
    return render(request, "console/flash/detail.html", context, status=422)


@console_page(MANAGE_FLASH_SALES)
@require_POST
def flash_rename(request: HttpRequest, sale_id: int) -> HttpResponse:
    form = SaleForm(request.POST)
    if form.is_valid():
        try:
            services.flash_sale_save(actor=_actor(request), sale_id=sale_id, name=form.cleaned_data["name"])
        except ShopkeeperError as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:flash_detail", sale_id=sale_id)
    return _detail_with_errors(request, sale_id, sale_form=form)


@console_page(MANAGE_FLASH_SALES)
@require_POST
def flash_status(request: HttpRequest, sale_id: int) -> HttpResponse:
    try:
        sale = services.flash_sale_set_status(
            actor=_actor(request), sale_id=sale_id, status=request.POST.get("status", "")
        )
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The flash sale is now: %(status)s.") % {"status": sale.get_status_display()})
    return redirect("console:flash_detail", sale_id=sale_id)


@console_page(MANAGE_FLASH_SALES)
@require_POST
def flash_session_save(request: HttpRequest, sale_id: int) -> HttpResponse:
    form = SessionForm(request.POST)
    session_id = request.POST.get("session_id") or None
    if form.is_valid():
        try:
            services.flash_session_save(
                actor=_actor(request),
                sale_id=sale_id,
                session_id=int(session_id) if session_id and session_id.isdigit() else None,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except ShopkeeperError as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("Session saved."))
            return redirect("console:flash_detail", sale_id=sale_id)
    return _detail_with_errors(request, sale_id, session_form=form)


@console_page(MANAGE_FLASH_SALES)
@require_POST
def flash_item_save(request: HttpRequest, sale_id: int, session_id: int) -> HttpResponse:
    form = ItemForm(request.POST)
    item_id = request.POST.get("item_id") or None
    if form.is_valid():
        refs = catalog.sku_refs(codes=[form.cleaned_data["sku_code"].strip()])
        if not refs:
            form.add_error("sku_code", _("No SKU with this code."))
        else:
            try:
                services.flash_item_save(
                    actor=_actor(request),
                    session_id=session_id,
                    item_id=int(item_id) if item_id and item_id.isdigit() else None,
                    sku_id=refs[0].id,
                    sale_price=form.price(),
                    pool=form.cleaned_data["pool"],
                    per_customer_limit=form.cleaned_data["per_customer_limit"],
                    pay_window_minutes=form.cleaned_data["pay_window_minutes"],
                )
            except ShopkeeperError as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("Item saved."))
                return redirect("console:flash_detail", sale_id=sale_id)
    return _detail_with_errors(request, sale_id, item_form=form, failed_session=session_id)


@console_page(MANAGE_FLASH_SALES)
@require_POST
def flash_item_delete(request: HttpRequest, sale_id: int, item_id: int) -> HttpResponse:
    try:
        services.flash_item_delete(actor=_actor(request), item_id=item_id)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Item removed."))
    return redirect("console:flash_detail", sale_id=sale_id)
