"""The store operator's product desk: the product list with bulk actions, the product editor
(fields, specs and SKU matrix, documents), listing and delisting, schedules and price history.

Views parse input, call catalog services and selectors, and render; the services hold the rules
and write the audit entries. Products are typed `Any` here: the console may not import the
catalog's models (app boundaries), only what its selectors return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.enums import ImageKind, ProductStatus
from shopkeeper.catalog.errors import ComplianceRefused, ListingRefused
from shopkeeper.catalog.selectors.products import main_image
from shopkeeper.catalog.services.compliance import product_copy
from shopkeeper.catalog.services.listing import listing_problem_message
from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_catalog import (
    BulkPriceForm,
    BulkStatusForm,
    CopyCheckForm,
    EditorChoices,
    ProductEditor,
    ProductFilterForm,
    ScheduleForm,
    SpecsForm,
    lines,
    sku_row,
)
from shopkeeper.core import selectors as core_selectors
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ShopkeeperError
from shopkeeper.core.roles import CHANGE_PRICES, MANAGE_PRODUCTS, VIEW_AUDIT_LOG, VIEW_CATALOG
from shopkeeper.core.services import ActorContext

PAGE_SIZE = 30
HISTORY_ROWS = 50
AUDIT_ROWS = 10


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _price_range(low_fen: int, high_fen: int) -> str:
    if low_fen == high_fen:
        return str(Money(low_fen))
    return f"{Money(low_fen)} – {Money(high_fen)}"


def _category_labels(tree: Sequence[Any]) -> dict[int, str]:
    """Each category's path of names ("服饰 / 女装 / 连衣裙"), from one read of the tree."""
    labels: dict[int, str] = {}
    for category in tree:  # parents come before their children
        parent = labels.get(category.parent_id or 0)
        labels[category.pk] = f"{parent} / {category.name}" if parent else category.name
    return labels


def _product_or_404(product_id: int) -> Any:
    try:
        return selectors.product_detail(product_id=product_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- banned words on the page -------------------------------------------------------------------


def _field_label(field: str) -> str:
    if field.startswith("selling_points[") and field.endswith("]") and field[15:-1].isdigit():
        return _("Selling point %(number)s") % {"number": int(field[15:-1]) + 1}
    return {"title": _("Title"), "description": _("Description")}.get(field, field)


def _hit_rows(hits: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "word": hit.get("word", ""),
            "field": _field_label(str(hit.get("field", ""))),
            "first": int(hit.get("start", 0)) + 1,
            "last": int(hit.get("end", 0)),
        }
        for hit in hits
    ]


def _highlights(copy: Mapping[str, str | list[str]], hits: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The copy fields that hold banned words, cut into segments with each hit marked."""
    texts: dict[str, str] = {}
    for name, value in copy.items():
        if isinstance(value, str):
            texts[name] = value
        else:
            texts.update({f"{name}[{index}]": item for index, item in enumerate(value)})
    spans: dict[str, list[tuple[int, int]]] = {}
    for hit in hits:
        spans.setdefault(str(hit.get("field", "")), []).append((int(hit.get("start", 0)), int(hit.get("end", 0))))
    result = []
    for field, text in texts.items():
        if field not in spans:
            continue
        segments: list[tuple[str, bool]] = []
        position = 0
        for start, end in sorted(spans[field]):
            if start < position or end > len(text):
                continue
            segments += [(text[position:start], False), (text[start:end], True)]
            position = end
        segments.append((text[position:], False))
        result.append({"field": _field_label(field), "segments": [s for s in segments if s[0]]})
    return result


def _refusal(exc: ShopkeeperError, copy: Mapping[str, str | list[str]] | None = None) -> dict[str, Any]:
    """What the page shows for a refused save or listing: the message, each banned word, each problem."""
    hits = exc.details.get("hits") or []
    problems = exc.details.get("problems") or []
    return {
        "message": exc.message,
        "hits": _hit_rows(hits),
        "highlights": _highlights(copy, hits) if copy is not None else [],
        "problems": [{"field": p.get("field", ""), "message": p.get("message", "")} for p in problems],
    }


# --- product list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRow:
    product: Any
    thumb: str
    price_range: str


def _filter_form(params: QueryDict) -> ProductFilterForm:
    tree = selectors.category_tree()
    labels = _category_labels(tree)
    return ProductFilterForm(
        params,
        categories=[(category.pk, labels[category.pk]) for category in tree],
        scenes=[(scene.pk, scene.name) for scene in selectors.scene_list(active_only=False)],
        brands=[(brand.pk, brand.name) for brand in selectors.brand_list()],
    )


def _render_list(
    request: HttpRequest,
    params: QueryDict,
    *,
    price_form: BulkPriceForm | None = None,
    refusal: dict[str, Any] | None = None,
    chosen: Sequence[int] = (),
    status: int = 200,
) -> HttpResponse:
    form = _filter_form(params)
    queryset = selectors.product_list_staff(**form.selector_filters()).order_by(*form.ordering())
    page = Paginator(queryset, PAGE_SIZE).get_page(params.get("page"))
    rows = [
        ProductRow(
            product=product,
            thumb=main_image(product),
            price_range=_price_range(product.min_price_fen, product.max_price_fen),
        )
        for product in page
    ]
    query = params.copy()
    query.pop("page", None)
    for name in ("csrfmiddlewaretoken", "ids", "query"):
        query.pop(name, None)
    without_sort = query.copy()
    without_sort.pop("sort", None)
    sort = (form.cleaned_data.get("sort") if form.is_valid() else "") or "-id"
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "sort": sort,
        "sorts": _sort_links(without_sort.urlencode(), sort),
        "price_form": price_form or BulkPriceForm(),
        "refusal": refusal,
        "chosen": set(chosen),
        "filtered": any(value for key, value in query.items() if key != "sort"),
    }
    return render(request, "console/products/list.html", context, status=status)


def _sort_links(base_query: str, current: str) -> dict[str, dict[str, str]]:
    """Column headers sort by their key; a second click reverses the order."""
    links = {}
    for key in ("title", "price", "sales", "hits", "id"):
        ascending = current == key
        descending = current == f"-{key}"
        target = key if descending or (not ascending and key == "title") else f"-{key}"
        if ascending:
            target = f"-{key}"
        links[key] = {
            "url": f"?{base_query + '&' if base_query else ''}sort={target}",
            "arrow": " ↑" if ascending else " ↓" if descending else "",
        }
    return links


def _list_redirect(query: str) -> HttpResponse:
    url = reverse("console:product_list")
    return redirect(f"{url}?{query}" if query else url)


def _posted_ids(request: HttpRequest) -> list[int]:
    return sorted({int(raw) for raw in request.POST.getlist("ids") if raw.isdigit()})


@console_page(VIEW_CATALOG)
def product_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, request.GET)


@require_POST
@console_page(MANAGE_PRODUCTS)
def product_bulk_status(request: HttpRequest) -> HttpResponse:
    """List or delist the chosen products; all or nothing, with every refusal shown."""
    params = QueryDict(request.POST.get("query", ""))
    form = BulkStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return _list_redirect(params.urlencode())
    ids: list[int] = form.cleaned_data["ids"]
    listing = form.cleaned_data["action"] == "list"
    try:
        if listing:
            changed = services.products_bulk_list(actor=_actor(request), product_ids=ids)
        else:
            changed = services.products_bulk_delist(actor=_actor(request), product_ids=ids)
    except ShopkeeperError as exc:
        products = exc.details.get("products")
        if isinstance(products, Mapping):
            rows = [{"id": int(pk), **_refusal_of(info)} for pk, info in products.items() if str(pk).isdigit()]
        else:  # one product: the service gave its own refusal, about that product
            try:
                title = selectors.product_get(product_id=ids[0]).title
            except NotFound:
                title = ""
            rows = [{"id": ids[0], **_refusal_of({**exc.details, "title": title, "message": ""})}]
        refusal = {"message": exc.message, "hits": [], "highlights": [], "problems": [], "products": rows}
        return _render_list(request, params, refusal=refusal, chosen=ids, status=422)
    if listing:
        messages.success(request, _("%(count)s product(s) listed.") % {"count": len(changed)})
    else:
        messages.success(request, _("%(count)s product(s) delisted.") % {"count": len(changed)})
    return _list_redirect(params.urlencode())


def _refusal_of(info: Mapping[str, Any]) -> dict[str, Any]:
    hits = info.get("hits") or []
    return {
        "title": info.get("title", ""),
        "message": info.get("message", ""),
        "hits": _hit_rows(hits),
        "problems": list(info.get("problems") or []),
    }


@require_POST
@console_page(CHANGE_PRICES)
def product_bulk_price(request: HttpRequest) -> HttpResponse:
    """Change one price of every SKU of the chosen products, with a reason for the history."""
    params = QueryDict(request.POST.get("query", ""))
    form = BulkPriceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changes = services.skus_bulk_change_price(
                actor=_actor(request),
                sku_ids=selectors.product_sku_ids(product_ids=data["ids"]),
                field=data["field"],
                mode=data["mode"],
                value=data["value"],
                reason=data["reason"],
            )
        except ShopkeeperError as exc:
            placed = False
            for name in ("field", "mode", "value", "reason"):
                if name in exc.details:
                    form.add_error(name, exc.message)
                    placed = True
            skus = exc.details.get("skus")
            if isinstance(skus, Mapping):
                for code, problem in skus.items():
                    form.add_error(None, f"{code}: {problem}")
            if not placed:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(count)s price(s) changed.") % {"count": len(changes)})
            return _list_redirect(params.urlencode())
    return _render_list(request, params, price_form=form, chosen=_posted_ids(request), status=422)


# --- product editor -------------------------------------------------------------------------------


def _editor_choices() -> EditorChoices:
    tree = selectors.category_tree()
    labels = _category_labels(tree)
    parents = {category.parent_id for category in tree if category.parent_id}
    return EditorChoices(
        brands=[(brand.pk, brand.name) for brand in selectors.brand_list()],
        categories=[(category.pk, labels[category.pk]) for category in tree if category.pk not in parents],
        scenes=[(scene.pk, scene.name) for scene in selectors.scene_list(active_only=False)],
    )


def _editor_for(product: Any, choices: EditorChoices) -> ProductEditor:
    skus = list(product.skus.all())
    images = list(product.images.all())
    initial = {
        "title": product.title,
        "tier": product.tier,
        "brand": product.brand_id,
        "category": product.category_id,
        "scenes": [scene.pk for scene in product.scenes.all()],
        "selling_points": "\n".join(product.selling_points),
        "description": product.description,
        "video_url": product.video_url,
        "main_images": "\n".join(image.url for image in images if image.kind == ImageKind.MAIN),
        "detail_images": "\n".join(image.url for image in images if image.kind == ImageKind.DETAIL),
    }
    return ProductEditor(
        choices=choices,
        initial=initial,
        specs_initial=SpecsForm.initial_for(product.spec_names, [sku.spec_values for sku in skus]),
        sku_rows=[
            sku_row(
                code=sku.code,
                spec_values=sku.spec_values,
                barcode=sku.barcode,
                sale_price_fen=sku.sale_price_fen,
                list_price_fen=sku.list_price_fen,
                cost_price_fen=sku.cost_price_fen,
                weight_g=sku.weight_g,
                stock_quantity=sku.stock_quantity,
                is_active=sku.is_active,
            )
            for sku in skus
        ],
        documents=[
            {
                "name": doc.name,
                "number": doc.number,
                "issued_by": doc.issued_by,
                "expires_on": doc.expires_on,
                "file_url": doc.file_url,
            }
            for doc in product.qualifications.all()
        ],
    )


def _history_rows(product: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": change.at,
            "who": change.actor_label,
            "sku": change.sku.code,
            "field": change.get_field_display(),
            "old": str(Money(change.old_fen)),
            "new": str(Money(change.new_fen)),
            "reason": change.reason,
        }
        for change in selectors.price_history(product=product)[:HISTORY_ROWS]
    ]


@dataclass(frozen=True)
class ChangeRow:
    """One audit entry of the product, and for a failed scheduled listing why it failed."""

    entry: Any
    failure: dict[str, Any] | None = None


def _schedule_failure(after: Mapping[str, Any]) -> dict[str, Any]:
    """The refusal a scheduled listing met (kept in the audit entry), as the editor's refusal box
    shows one: the message, each banned word with its place, each listing problem."""
    problems = []
    for problem in after.get("problems") or []:
        code = str(problem.get("code", ""))
        message = listing_problem_message(code, problem.get("params")) if code else ""
        problems.append({"field": problem.get("field", ""), "message": message or problem.get("message", "")})
    return {"message": after.get("reason", ""), "hits": _hit_rows(after.get("hits") or []), "problems": problems}


def _change_rows(entries: Iterable[Any], *, can_manage: bool) -> list[ChangeRow]:
    """The reasons are shown to those who may edit the product and so fix them; the audit log
    keeps them for everyone who may read it."""
    return [
        ChangeRow(
            entry=entry,
            failure=_schedule_failure(entry.after or {})
            if can_manage and entry.action == "product.schedule_failed"
            else None,
        )
        for entry in entries
    ]


def _editor_page(
    request: HttpRequest,
    *,
    editor: ProductEditor,
    product: Any = None,
    schedule_form: ScheduleForm | None = None,
    refusal: dict[str, Any] | None = None,
    not_saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "editor": editor,
        "product": product,
        "refusal": refusal,
        "not_saved": not_saved,
        "can_manage": user.has_perm(MANAGE_PRODUCTS),
        "can_change_prices": user.has_perm(CHANGE_PRICES),
        "editor_url": reverse("console:product_edit", args=[product.pk])
        if product is not None
        else reverse("console:product_create"),
    }
    if product is not None:
        object_type, object_id = "catalog.product", str(product.pk)
        audit_query = urlencode({"object_type": object_type, "object_id": object_id})
        audit_url = f"{reverse('console:audit_list')}?{audit_query}" if user.has_perm(VIEW_AUDIT_LOG) else ""
        context.update(
            {
                "schedule_form": schedule_form
                or ScheduleForm(
                    initial={"list_at": product.scheduled_list_at, "delist_at": product.scheduled_delist_at}
                ),
                "history": _history_rows(product),
                "changes": _change_rows(
                    core_selectors.audit_entry_list(object_type=object_type, object_id=object_id)[:AUDIT_ROWS],
                    can_manage=context["can_manage"],
                ),
                "audit_url": audit_url,
                "storefront_url": reverse("storefront:product", args=[product.pk]),
                "is_listed": product.status == ProductStatus.LISTED,
                "price_range": _price_range(product.min_price_fen, product.max_price_fen),
            }
        )
    return render(request, "console/products/edit.html", context, status=status)


def _matrix_response(request: HttpRequest, editor: ProductEditor, product: Any = None) -> HttpResponse:
    """Rebuild the SKU rows from the typed specs, keeping what was typed in rows that stay."""
    editor.with_rows(editor.regenerated_rows())
    if request.headers.get("HX-Request"):
        return render(request, "console/products/_sku_matrix.html", {"editor": editor, "can_manage": True})
    return _editor_page(request, editor=editor, product=product)


def _save_refused(editor: ProductEditor, exc: ShopkeeperError) -> dict[str, Any] | None:
    """Put a refused save back on the page; banned words and listing problems get their own box."""
    if isinstance(exc, ComplianceRefused | ListingRefused):
        data = editor.product.cleaned_data
        hits = exc.details.get("hits") or []
        editor.add_compliance_hits(hits)
        copy = product_copy(data.get("title", ""), lines(data.get("selling_points", "")), data.get("description", ""))
        return _refusal(exc, copy)
    editor.add_service_errors(exc.message, exc.details)
    return None


@console_page(MANAGE_PRODUCTS)
def product_create(request: HttpRequest) -> HttpResponse:
    choices = _editor_choices()
    if request.method != "POST":
        return _editor_page(request, editor=ProductEditor(choices=choices))
    editor = ProductEditor(choices=choices, data=request.POST)
    if request.POST.get("action") == "matrix":
        return _matrix_response(request, editor)
    refusal = None
    if editor.is_valid():
        try:
            product = services.product_create(actor=_actor(request), data=editor.product_input())
        except ShopkeeperError as exc:
            refusal = _save_refused(editor, exc)
        else:
            messages.success(request, _("Product “%(title)s” saved as a draft.") % {"title": product.title})
            return redirect("console:product_edit", product_id=product.pk)
    return _editor_page(request, editor=editor, refusal=refusal, not_saved=True, status=422)


@console_page(VIEW_CATALOG)
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    """The editor for colleagues who may manage products; a read-only view for everyone else."""
    product = _product_or_404(product_id)
    choices = _editor_choices()
    if request.method != "POST":
        return _editor_page(request, editor=_editor_for(product, choices), product=product)
    if not request.user.has_perm(MANAGE_PRODUCTS):
        raise PermissionDenied(MANAGE_PRODUCTS)
    editor = ProductEditor(choices=choices, data=request.POST)
    if request.POST.get("action") == "matrix":
        return _matrix_response(request, editor, product)
    refusal = None
    if editor.is_valid():
        existing = {
            sku.code: {
                "sale_price": sku.sale_price_fen,
                "list_price": sku.list_price_fen,
                "cost_price": sku.cost_price_fen,
            }
            for sku in product.skus.all()
        }
        if editor.has_price_changes(existing) and not request.user.has_perm(CHANGE_PRICES):
            editor.errors.append(_("You may not change prices; leave them as they were or ask a colleague who may."))
        else:
            try:
                services.product_update(
                    actor=_actor(request),
                    product=product,
                    data=editor.product_input(),
                    price_reason=editor.price_reason,
                )
            except ShopkeeperError as exc:
                refusal = _save_refused(editor, exc)
            else:
                messages.success(request, _("Product saved."))
                return redirect("console:product_edit", product_id=product.pk)
    return _editor_page(request, editor=editor, product=product, refusal=refusal, not_saved=True, status=422)


@require_POST
@console_page(MANAGE_PRODUCTS)
def product_status(request: HttpRequest, product_id: int) -> HttpResponse:
    """List or delist one product; a refusal is shown on the editor with each reason."""
    product = _product_or_404(product_id)
    action = request.POST.get("action")
    if action not in ("list", "delist"):
        raise Http404(action)
    try:
        if action == "list":
            services.product_list(actor=_actor(request), product=product)
        else:
            services.product_delist(actor=_actor(request), product=product)
    except ShopkeeperError as exc:
        refusal = _refusal(exc, product_copy(product.title, product.selling_points, product.description))
        return _editor_page(
            request, editor=_editor_for(product, _editor_choices()), product=product, refusal=refusal, status=422
        )
    if action == "list":
        messages.success(request, _("“%(title)s” is listed: shoppers can buy it now.") % {"title": product.title})
    else:
        messages.success(request, _("“%(title)s” is delisted.") % {"title": product.title})
    return redirect("console:product_edit", product_id=product.pk)


@require_POST
@console_page(MANAGE_PRODUCTS)
def product_schedule(request: HttpRequest, product_id: int) -> HttpResponse:
    """Set or clear when the worker lists and delists the product (times in Asia/Shanghai)."""
    product = _product_or_404(product_id)
    clearing = request.POST.get("action") == "clear"
    form = ScheduleForm(None if clearing else request.POST)
    if clearing or form.is_valid():
        data = {} if clearing else form.cleaned_data
        try:
            services.product_schedule(
                actor=_actor(request), product=product, list_at=data.get("list_at"), delist_at=data.get("delist_at")
            )
        except ShopkeeperError as exc:
            form = ScheduleForm(request.POST)
            form.is_valid()
            for name, problem in exc.details.items():
                form.add_error(name if name in form.fields else None, str(problem))
        else:
            messages.success(request, _("Schedule cleared.") if clearing else _("Schedule saved."))
            return redirect("console:product_edit", product_id=product.pk)
    return _editor_page(
        request, editor=_editor_for(product, _editor_choices()), product=product, schedule_form=form, status=422
    )


@require_POST
@console_page(VIEW_CATALOG)
def product_check_copy(request: HttpRequest) -> HttpResponse:
    """The editor's live check: the typed copy against the banned words, nothing saved."""
    form = CopyCheckForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    copy = product_copy(data.get("title", ""), lines(data.get("selling_points", "")), data.get("description", ""))
    hits = [
        {"field": hit.field, "word": hit.word, "start": hit.start, "end": hit.end}
        for hit in services.compliance_checker().scan(copy)
    ]
    context = {"hits": _hit_rows(hits), "highlights": _highlights(copy, hits)}
    return render(request, "console/products/_copy_check.html", context)
