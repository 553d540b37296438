"""Catalog tools in the console: product import and export, the compliance report, the
banned-word list and the home-page arrangement. Views parse input, call catalog services and
selectors, and render; every write is audit-logged by the service it calls."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.enums import BannedWordKind, HomeModuleKind, ImportJobStatus, ProductStatus
from shopkeeper.catalog.services.imports import FORMATS, RUNNING, UPLOAD_LIMIT_BYTES
from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_catalog_tools import (
    BannedWordAddForm,
    BannedWordEditForm,
    ComplianceFilterForm,
    ExportForm,
    HomeModuleForm,
    ImportUploadForm,
)
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import ARRANGE_HOME, IMPORT_PRODUCTS, MANAGE_BANNED_WORDS, VIEW_COMPLIANCE_REPORT
from shopkeeper.core.services import ActorContext

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
SUMMARY_LABELS = (  # lazy: read in the language of each request, not of the import
    ("created", gettext_lazy("created")),
    ("updated", gettext_lazy("updated")),
    ("unchanged", gettext_lazy("unchanged")),
    ("listed", gettext_lazy("listed")),
    ("delisted", gettext_lazy("delisted")),
)


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _url_or_none(name: str) -> str | None:
    """A page another part of the console provides, if it is there yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"'
    return response


# --- import and export ----------------------------------------------------------------------


def _import_page(request: HttpRequest, upload: ImportUploadForm, export: ExportForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "console/catalog/import.html",
        {
            "upload_form": upload,
            "export_form": export,
            "jobs": services.import_jobs_recent(limit=15),
            "running": RUNNING,
            "max_mb": UPLOAD_LIMIT_BYTES // (1024 * 1024),
        },
        status=status,
    )


@console_page(IMPORT_PRODUCTS)
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a sheet (POST) → the job page; otherwise the form, export and recent jobs."""
    upload = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _import_page(request, upload, ExportForm())
    if upload.is_valid():
        file = upload.cleaned_data["file"]
        if (file.size or 0) > UPLOAD_LIMIT_BYTES:
            upload.add_error(
                "file", _("The file is larger than %(limit)s MB.") % {"limit": UPLOAD_LIMIT_BYTES // (1024 * 1024)}
            )
        else:
            try:
                job = services.import_job_create(
                    actor=_actor(request), file_name=file.name or "", content=file.read(UPLOAD_LIMIT_BYTES + 1)
                )
            except ShopkeeperError as exc:
                upload.add_error("file", exc.message)
            else:
                return redirect("console:catalog_import_job", job_id=job.pk)
    return _import_page(request, upload, ExportForm(), status=422)


def _job_context(job_id: int) -> dict[str, Any]:
    try:
        job = services.import_job_get(job_id=job_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    report: dict[str, Any] = job.report or {}
    summary = report.get("summary", {})
    running = job.status in RUNNING
    return {
        "job": job,
        "status_label": ImportJobStatus(job.status).label,
        "running": running,
        "progress": services.import_job_progress(job),  # rows checked, then products written
        "errors": services.import_job_errors(job),
        "error_count": int(report.get("error_count", 0)),
        "truncated": bool(report.get("truncated")),
        "message": report.get("message", ""),
        "summary": [(label, int(summary.get(key, 0))) for key, label in SUMMARY_LABELS] if summary else [],
        "product_count": int(summary.get("products", 0)),
        "product_list_url": _url_or_none("console:product_list"),
    }


@console_page(IMPORT_PRODUCTS)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's progress (HTMX polls the status block every second while it runs), then its report."""
    context = _job_context(job_id)
    if request.headers.get("HX-Request"):
        return render(request, "console/catalog/_import_status.html", context)
    return render(request, "console/catalog/import_job.html", context)


@require_GET
@console_page(IMPORT_PRODUCTS)
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(fmt)
    return _download(services.import_template(fmt=fmt), fmt, "import-template")


@require_GET
@console_page(IMPORT_PRODUCTS)
def export(request: HttpRequest) -> HttpResponse:
    """The products matching the filters as a sheet that imports back unchanged."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _import_page(request, ImportUploadForm(), form, status=422)
    content = services.export_products(
        queryset_or_filters=form.filters(), fmt=form.cleaned_data["format"], actor=_actor(request)
    )
    return _download(content, form.cleaned_data["format"], "products")


# --- compliance report ----------------------------------------------------------------------

_LIST_FIELD = re.compile(r"^(\w+)\[(\d+)\]$")


def _field_label(field: str) -> str:
    """title → Title; selling_points[1] → Selling point 2."""
    labels = {"title": _("Title"), "description": _("Description"), "selling_points": _("Selling point")}
    match = _LIST_FIELD.match(field)
    if match:
        return f"{labels.get(match.group(1), match.group(1))} {int(match.group(2)) + 1}"
    return str(labels.get(field, field))


def _compliance_lines(status: str | None) -> list[dict[str, Any]]:
    kinds = dict(BannedWordKind.choices)
    statuses = dict(ProductStatus.choices)
    lines = []
    for row in selectors.compliance_report():
        if status and row.status != status:
            continue
        for hit in row.hits:
            lines.append(
                {
                    "product_id": row.product_id,
                    "title": row.title,
                    "status": row.status,
                    "status_label": statuses.get(row.status, row.status),
                    "field": _field_label(hit.field),
                    "word": hit.word,
                    "kind": kinds.get(hit.kind, hit.kind),
                    "position": hit.start + 1,  # 1-based, as a person counts characters
                }
            )
    return lines


@console_page(VIEW_COMPLIANCE_REPORT)
def compliance(request: HttpRequest) -> HttpResponse:
    """Every banned-word hit in the catalog; POST queues a rescan of the hit counts on the worker."""
    if request.method == "POST":
        services.compliance_rescan_queue(actor=_actor(request))
        messages.success(request, _("Rescan started: the worker recounts every product's banned words."))
        return redirect("console:catalog_compliance")
    form = ComplianceFilterForm(request.GET or None)
    status = form.cleaned_data["status"] or None if form.is_valid() else None
    lines = _compliance_lines(status)
    if request.GET.get("download") == "csv":
        return _compliance_csv(lines)
    return render(
        request,
        "console/catalog/compliance.html",
        {
            "form": form,
            "lines": lines,
            "product_count": len({line["product_id"] for line in lines}),
            "query": request.GET.urlencode(),
        },
        status=200 if form.is_valid() or not form.is_bound else 422,
    )


def _compliance_csv(lines: list[dict[str, Any]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Product ID"), _("Title"), _("Status"), _("Field"), _("Word"), _("Kind"), _("Position")])
    for line in lines:
        title = line["title"]
        if title.startswith(("=", "+", "-", "@")):
            title = f"'{title}"  # a title must not run as a formula when the file is opened
        writer.writerow(
            [
                line["product_id"],
                title,
                line["status_label"],
                line["field"],
                line["word"],
                line["kind"],
                line["position"],
            ]
        )
    return _download(("\ufeff" + buffer.getvalue()).encode("utf-8"), "csv", "compliance")


# --- banned words ---------------------------------------------------------------------------


def _error_on_form(form: Any, exc: ShopkeeperError) -> None:
    placed = False
    for field in exc.details:
        if field in form.fields:
            form.add_error(field, exc.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


@console_page(VIEW_COMPLIANCE_REPORT)
def banned_words(request: HttpRequest) -> HttpResponse:
    """The list, which whoever reads the compliance report may read too (as over the API), and for
    the keepers of the list the add form (POST adds; the service refuses an empty or duplicate word)."""
    can_manage = request.user.has_perm(MANAGE_BANNED_WORDS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(MANAGE_BANNED_WORDS)
    form = BannedWordAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            banned = services.banned_word_add(actor=_actor(request), **form.cleaned_data)
        except ShopkeeperError as exc:
            _error_on_form(form, exc)
        else:
            messages.success(request, _("“%(word)s” added to the banned words.") % {"word": banned.word})
            return redirect("console:catalog_banned_words")
    active = request.GET.get("active")
    words = selectors.banned_word_list(active={"1": True, "0": False}.get(active or ""))
    return render(
        request,
        "console/catalog/banned_words.html",
        {"form": form, "words": words, "active": active or "", "can_manage": can_manage},
        status=422 if request.method == "POST" else 200,
    )


@console_page(MANAGE_BANNED_WORDS)
def banned_word_edit(request: HttpRequest, word_id: int) -> HttpResponse:
    """Change kind, note and active; `action=deactivate|activate|delete` from the list's buttons."""
    try:
        banned = selectors.banned_word_get(word_id=word_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    initial = {"kind": banned.kind, "note": banned.note, "is_active": banned.is_active}
    form = BannedWordEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "delete":
                services.banned_word_delete(actor=_actor(request), banned=banned)
                messages.success(request, _("“%(word)s” removed from the banned words.") % {"word": banned.word})
                return redirect("console:catalog_banned_words")
            if action in {"activate", "deactivate"}:
                services.banned_word_update(
                    actor=_actor(request),
                    banned=banned,
                    kind=banned.kind,
                    note=banned.note,
                    is_active=action == "activate",
                )
                messages.success(request, _("“%(word)s” updated.") % {"word": banned.word})
                return redirect("console:catalog_banned_words")
            if form.is_valid():
                services.banned_word_update(actor=_actor(request), banned=banned, **form.cleaned_data)
                messages.success(request, _("“%(word)s” updated.") % {"word": banned.word})
                return redirect("console:catalog_banned_words")
        except ShopkeeperError as exc:
            _error_on_form(form, exc)
    return render(
        request,
        "console/catalog/banned_word_edit.html",
        {"form": form, "banned": banned},
        status=422 if request.method == "POST" else 200,
    )


# --- home page ------------------------------------------------------------------------------


def _module_summary(module: Any, categories: dict[int, str], scenes: dict[int, str]) -> str:
    config = module.config or {}
    if module.kind == HomeModuleKind.HERO_BANNER:
        return str(config.get("subtitle") or config.get("image_url", ""))
    if module.kind in (HomeModuleKind.BEST_SELLERS, HomeModuleKind.NEW_ARRIVALS):
        return _("%(count)s products") % {"count": config.get("count", 0)}
    if module.kind == HomeModuleKind.CATEGORY_NAV:
        names = [categories.get(pk, "?") for pk in config.get("category_ids", [])]
        return "、".join(names) or _("All top-level categories")
    names = [scenes.get(pk, "?") for pk in config.get("scene_ids", [])]
    return "、".join(names) or _("All active scenes")


@console_page(ARRANGE_HOME)
def home_arrangement(request: HttpRequest) -> HttpResponse:
    """The modules in order; POST `action=up|down|show|hide|delete` with `module`."""
    if request.method == "POST":
        return _home_action(request)
    modules = selectors.home_modules(active_only=False)
    categories = {category.pk: category.name for category in selectors.category_tree()}
    scenes = {scene.pk: scene.name for scene in selectors.scene_list(active_only=False)}
    rows = [
        {
            "module": module,
            "summary": _module_summary(module, categories, scenes),
            "first": i == 0,
            "last": i == len(modules) - 1,
        }
        for i, module in enumerate(modules)
    ]
    return render(
        request,
        "console/catalog/home.html",
        {"rows": rows, "kinds": HomeModuleKind.choices, "preview_url": reverse("storefront:home")},
    )


def _home_action(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        module = selectors.home_module_get(module_id=int(request.POST.get("module", "0")))
    except (ValueError, ShopkeeperError):
        messages.error(request, _("That module no longer exists."))
        return redirect("console:catalog_home")
    actor = _actor(request)
    try:
        if action in {"up", "down"}:
            order = [m.pk for m in selectors.home_modules(active_only=False)]
            index = order.index(module.pk)
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(order):
                order[index], order[other] = order[other], order[index]
                services.home_modules_reorder(actor=actor, module_ids=order)
        elif action in {"show", "hide"}:
            services.home_module_save(
                actor=actor,
                module=module,
                kind=module.kind,
                title=module.title,
                config=module.config,
                is_active=action == "show",
            )
        elif action == "delete":
            services.home_module_delete(actor=actor, module=module)
            messages.success(request, _("Module removed from the home page."))
        else:
            messages.error(request, _("Unknown action."))
    except ShopkeeperError as exc:
        messages.error(request, exc.message)
    return redirect("console:catalog_home")


def _save_module(request: HttpRequest, form: HomeModuleForm, module: Any | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        services.home_module_save(
            actor=_actor(request),
            module=module,
            kind=form.kind.value,
            title=form.cleaned_data["title"],
            config=form.config(),
            is_active=form.cleaned_data["is_active"],
        )
    except ShopkeeperError as exc:
        placed = False
        for key in exc.details:
            name = key.removeprefix("config.")
            if name in form.fields:
                form.add_error(name, exc.message)
                placed = True
        if not placed:
            form.add_error(None, exc.message)
        return None
    messages.success(request, _("Home page saved."))
    return redirect("console:catalog_home")


@console_page(ARRANGE_HOME)
def home_module_new(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        module_kind = HomeModuleKind(kind)
    except ValueError:
        raise Http404(kind) from None
    form = HomeModuleForm(request.POST or None, kind=module_kind)
    if request.method == "POST" and (done := _save_module(request, form, None)):
        return done
    return render(
        request,
        "console/catalog/home_module.html",
        {"form": form, "kind_label": module_kind.label, "module": None},
        status=422 if request.method == "POST" else 200,
    )


@console_page(ARRANGE_HOME)
def home_module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    try:
        module = selectors.home_module_get(module_id=module_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    kind = HomeModuleKind(module.kind)
    initial = HomeModuleForm.initial_for(module.title, module.is_active, module.config or {})
    form = HomeModuleForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and (done := _save_module(request, form, module)):
        return done
    return render(
        request,
        "console/catalog/home_module.html",
        {"form": form, "kind_label": kind.label, "module": module},
        status=422 if request.method == "POST" else 200,
    )
