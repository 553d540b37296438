"""Stock in the console: warehouses, the stock list, a stock line with its ledger and its
adjustment, stocktake and safety-stock forms, receiving goods, low-stock alerts and the stock
sheet import. Views parse the form, call inventory's services and selectors, and render; every
change is written to the ledger (and the audit log) by the service it calls.

Each change form carries a one-off token that becomes the movement's reference, so a double
click or a resent form changes stock once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.core.domain.regions import REGION_NAMES, Region
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import MANAGE_STOCK, SET_SAFETY_STOCK, VIEW_INVENTORY
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors, services
from shopkeeper.inventory.errors import StockImportRejected
from shopkeeper.inventory.services.imports import MAX_FILE_BYTES, MAX_ROWS
from shopkeeper.inventory.services.stock import MAX_QUANTITY, REASON_MAX

PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _reference(token: str) -> str:
    return f"console:{token}" if token else ""


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # declared as one on the form
    return field


class _ChangeForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reason = forms.CharField(
        label=_lazy("Reason"),
        max_length=REASON_MAX,
        help_text=_lazy("Goes into the stock ledger, e.g. “mis-picked”, “damaged in transit”, “monthly count”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4().hex


class AdjustForm(_ChangeForm):
    delta = forms.IntegerField(
        label=_lazy("Change"),
        min_value=-MAX_QUANTITY,
        max_value=MAX_QUANTITY,
        help_text=_lazy("Units to add (5) or take away (-3)."),
        widget=forms.NumberInput(attrs={"data-testid": "adjust-delta"}),
    )
    write_off = forms.BooleanField(label=_lazy("Write-off (damaged, expired or lost)"), required=False)
    field_order = ["delta", "write_off", "reason", "token"]


class StocktakeForm(_ChangeForm):
    counted = forms.IntegerField(
        label=_lazy("Counted on the shelf"),
        min_value=0,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"data-testid": "stocktake-counted"}),
    )
    field_order = ["counted", "reason", "token"]


class SafetyStockForm(forms.Form):
    safety_stock = forms.IntegerField(
        label=_lazy("Safety stock"),
        min_value=0,
        max_value=MAX_QUANTITY,
        help_text=_lazy("A low-stock alert opens when available units fall under this number; 0 turns alerts off."),
    )


class ReceiveForm(_ChangeForm):
    warehouse = forms.TypedChoiceField(label=_lazy("Warehouse"), coerce=int)
    sku = forms.CharField(label=_lazy("SKU code"), max_length=64)
    quantity = forms.IntegerField(label=_lazy("Units received"), min_value=1, max_value=MAX_QUANTITY)
    field_order = ["warehouse", "sku", "quantity", "reason", "token"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "warehouse").choices = [(w.pk, f"{w.name} ({w.code})") for w in selectors.warehouse_list()]
        self.fields["reason"].required = False
        self.fields["reason"].help_text = _lazy("Optional, e.g. the purchase order or the inspection report.")


class StockFilterForm(forms.Form):
    warehouse = forms.TypedChoiceField(label=_lazy("Warehouse"), coerce=int, empty_value=None, required=False)
    q = forms.CharField(label=_lazy("SKU code, barcode or product"), max_length=100, required=False)
    low = forms.BooleanField(label=_lazy("Low stock only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "warehouse").choices = [("", _lazy("All warehouses"))] + [
            (w.pk, w.name) for w in selectors.warehouse_list()
        ]

    def filters(self) -> selectors.StockFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.StockFilters(
            warehouse_id=data.get("warehouse"), query=data.get("q") or "", low_only=bool(data.get("low"))
        )


class AlertFilterForm(forms.Form):
    warehouse = forms.TypedChoiceField(label=_lazy("Warehouse"), coerce=int, empty_value=None, required=False)
    resolved = forms.BooleanField(label=_lazy("Include resolved alerts"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "warehouse").choices = [("", _lazy("All warehouses"))] + [
            (w.pk, w.name) for w in selectors.warehouse_list()
        ]


class StockImportForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Stock sheet"),
        help_text=_lazy("An .xlsx file, one row per warehouse and SKU."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "data-testid": "stock-import-file"}),
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _region_name(value: str) -> str:
    try:
        return REGION_NAMES[Region(value)]
    except ValueError:
        return value


# --- warehouses and the stock list ----------------------------------------------------------


@console_page(VIEW_INVENTORY)
def warehouse_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"warehouse": warehouse, "region": _region_name(warehouse.region), "provinces": "、".join(warehouse.provinces)}
        for warehouse in selectors.warehouse_list()
    ]
    return render(request, "console/inventory/warehouses.html", {"rows": rows})


@console_page(VIEW_INVENTORY)
def stock_list(request: HttpRequest) -> HttpResponse:
    form = StockFilterForm(request.GET or None)
    lines = selectors.stock_list(form.filters() if form.is_bound else selectors.StockFilters())
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/inventory/stock_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "open_alerts": selectors.open_alert_count(),
        },
    )


# --- one stock line: ledger and forms --------------------------------------------------------


def _line(stock_id: int) -> selectors.StockLine:
    try:
        return selectors.stock_get(stock_id=stock_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None


def _detail(
    request: HttpRequest, stock: selectors.StockLine, status: int = 200, **forms_given: forms.Form
) -> HttpResponse:
    ledger = Paginator(selectors.stock_ledger(stock_id=stock.pk), LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "stock": stock,
        "ledger": ledger,
        "query": _query_without_page(request),
        "adjust_form": forms_given.get("adjust_form") or AdjustForm(),
        "stocktake_form": forms_given.get("stocktake_form") or StocktakeForm(initial={"counted": stock.on_hand}),
        "safety_form": forms_given.get("safety_form") or SafetyStockForm(initial={"safety_stock": stock.safety_stock}),
        "can_manage": request.user.has_perm(MANAGE_STOCK),
        "can_set_safety": request.user.has_perm(SET_SAFETY_STOCK),
    }
    return render(request, "console/inventory/stock_detail.html", context, status=status)


@console_page(VIEW_INVENTORY)
@require_GET
def stock_detail(request: HttpRequest, stock_id: int) -> HttpResponse:
    return _detail(request, _line(stock_id))


def _refused(form: forms.Form, exc: ShopkeeperError) -> None:
    field = next((name for name in exc.details if name in form.fields), None)
    form.add_error(field, exc.message)


@console_page(MANAGE_STOCK)
@require_POST
def stock_adjust(request: HttpRequest, stock_id: int) -> HttpResponse:
    stock = _line(stock_id)
    form = AdjustForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.stock_adjust(
                sku_id=stock.sku_id,
                warehouse_id=stock.warehouse_id,
                delta=data["delta"],
                reason=data["reason"],
                write_off=data["write_off"],
                reference=_reference(data["token"]),
                actor=_actor(request),
            )
        except ShopkeeperError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Stock adjusted. The change is in the ledger below."))
            return redirect("console:inventory_stock_detail", stock_id=stock.pk)
    return _detail(request, stock, status=422, adjust_form=form)


@console_page(MANAGE_STOCK)
@require_POST
def stock_stocktake(request: HttpRequest, stock_id: int) -> HttpResponse:
    stock = _line(stock_id)
    form = StocktakeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            movement = services.stocktake(
                sku_id=stock.sku_id,
                warehouse_id=stock.warehouse_id,
                counted=data["counted"],
                reason=data["reason"],
                reference=_reference(data["token"]),
                actor=_actor(request),
            )
        except ShopkeeperError as exc:
            _refused(form, exc)
        else:
            if movement.on_hand_delta:
                messages.success(
                    request,
                    _("Count recorded: on hand changed by %(delta)+d to %(after)s.")
                    % {"delta": movement.on_hand_delta, "after": movement.on_hand_after},
                )
            else:
                messages.success(request, _("Count recorded: it matched the books."))
            return redirect("console:inventory_stock_detail", stock_id=stock.pk)
    return _detail(request, stock, status=422, stocktake_form=form)


@console_page(SET_SAFETY_STOCK)
@require_POST
def stock_safety(request: HttpRequest, stock_id: int) -> HttpResponse:
    stock = _line(stock_id)
    form = SafetyStockForm(request.POST)
    if form.is_valid():
        try:
            services.safety_stock_set(
                stock_id=stock.pk, quantity=form.cleaned_data["safety_stock"], actor=_actor(request)
            )
        except ShopkeeperError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Safety stock saved."))
            return redirect("console:inventory_stock_detail", stock_id=stock.pk)
    return _detail(request, stock, status=422, safety_form=form)


# --- receiving goods ------------------------------------------------------------------------


@console_page(MANAGE_STOCK)
def stock_receive(request: HttpRequest) -> HttpResponse:
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sku = services.sku_ref(code=data["sku"])
            movement = services.stock_receive(
                sku_id=sku.id,
                warehouse_id=data["warehouse"],
                quantity=data["quantity"],
                reason=data["reason"],
                reference=_reference(data["token"]),
                actor=_actor(request),
            )
        except ShopkeeperError as exc:
            form.add_error("sku" if "sku" in exc.details else None, exc.message)
        else:
            messages.success(
                request,
                _("%(quantity)s units of %(sku)s received.") % {"quantity": data["quantity"], "sku": sku.code},
            )
            return redirect("console:inventory_stock_detail", stock_id=movement.stock_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "console/inventory/receive.html", {"form": form}, status=status)


# --- low-stock alerts -----------------------------------------------------------------------


@console_page(VIEW_INVENTORY)
def alert_list(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    alerts = selectors.alert_list(open_only=not data.get("resolved"), warehouse_id=data.get("warehouse"))
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "console/inventory/alerts.html", {"form": form, "page": page, "query": _query_without_page(request)}
    )


# --- stock sheet import ---------------------------------------------------------------------


@console_page(MANAGE_STOCK)
def stock_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet: every row is checked first; any bad row rejects it all, listing each row and column."""
    form = StockImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "max_mb": MAX_FILE_BYTES // (1024 * 1024), "max_rows": MAX_ROWS}
    if request.method != "POST":
        return render(request, "console/inventory/import.html", context)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if (upload.size or 0) > MAX_FILE_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB.") % {"mb": context["max_mb"]})
        else:
            try:
                result = services.stock_import(
                    actor=_actor(request), file_name=upload.name or "", content=upload.read(MAX_FILE_BYTES + 1)
                )
            except StockImportRejected as rejected:
                context["errors"] = rejected.details.get("errors", [])
                context["error_count"] = rejected.details.get("error_count", 0)
                context["truncated"] = rejected.details.get("truncated", False)
            except ShopkeeperError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _("Sheet imported: %(rows)s rows, %(counted)s counts, on hand changed on %(changed)s lines.")
                    % {"rows": result.rows, "counted": result.counted, "changed": result.changed},
                )
                return redirect("console:inventory_import")
    return render(request, "console/inventory/import.html", context, status=422)


@console_page(MANAGE_STOCK)
@require_GET
def stock_import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(services.stock_import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="stock-template.xlsx"'
    return response
