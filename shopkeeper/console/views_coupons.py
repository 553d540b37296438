"""The coupon desk: templates with their live counters (claimed, used, discount cost), creating,
changing, pausing and resuming them, and customer-service issuance.

Views parse the forms and call the coupons services and selectors; the services hold the rules
and write the audit entries.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.catalog import selectors as catalog
from shopkeeper.console.decorators import console_page
from shopkeeper.console.forms_coupons import IssueForm, TemplateFilterForm, TemplateForm, template_initial
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.roles import ISSUE_COUPONS, MANAGE_COUPONS, VIEW_AUDIT_LOG, VIEW_COUPONS
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, ValidityKind

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.CONSOLE)


def _fen_text(fen: int) -> str:
    return str(Money(fen))


def offer_text(template: Any) -> str:
    """ "¥20.00 off over ¥199.00", "10% off, at most ¥50.00", "Free shipping"."""
    if template.kind == CouponKind.FREE_SHIPPING:
        text = _("Free shipping")
    elif template.kind == CouponKind.PERCENT:
        text = _("%(percent)s%% off") % {"percent": template.percent_off}
        if template.cap_fen:
            text += _(", at most %(cap)s") % {"cap": _fen_text(template.cap_fen)}
    else:
        text = _("%(amount)s off") % {"amount": _fen_text(template.amount_fen or 0)}
    if template.threshold_fen:
        text += _(" over %(threshold)s") % {"threshold": _fen_text(template.threshold_fen)}
    return text


def _validity_text(template: Any) -> str:
    if template.validity_kind == ValidityKind.AFTER_CLAIM:
        return _("%(days)s days after claiming") % {"days": template.valid_days}
    if template.valid_from and template.valid_until:
        valid_from, valid_until = timezone.localtime(template.valid_from), timezone.localtime(template.valid_until)
        return f"{valid_from:%Y-%m-%d %H:%M} – {valid_until:%Y-%m-%d %H:%M}"
    return ""


def _rows(templates: Any) -> list[dict[str, Any]]:
    channel_labels = dict(ClaimChannel.choices)
    return [
        {
            "template": template,
            "offer": offer_text(template),
            "validity": _validity_text(template),
            "channels": [str(channel_labels.get(channel, channel)) for channel in template.channels],
            "claimed": template.claimed_count,
            "remaining": template.remaining,
            "used": template.used,
            "locked": template.locked,
            "cost": selectors.coupon_cost(template),
            "use_rate": f"{template.used * 100 / template.claimed_count:.1f}%" if template.claimed_count else "—",
        }
        for template in templates
    ]


@console_page(VIEW_COUPONS)
def coupon_list(request: HttpRequest) -> HttpResponse:
    """Every template with its counters; HTMX refreshes the counters every 30 seconds."""
    form = TemplateFilterForm(request.GET or None)
    status = q = ""
    if form.is_bound and form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    page = Paginator(selectors.coupon_templates_staff(status=status, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list),
        "can_manage": request.user.has_perm(MANAGE_COUPONS),
        "can_issue": request.user.has_perm(ISSUE_COUPONS),
        "query": request.GET.urlencode(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "console/coupons/_rows.html", context)
    return render(request, "console/coupons/list.html", context)


def _scope_choices() -> dict[str, list[tuple[int, str]]]:
    tree = catalog.category_tree()
    return {
        "categories": [(category.pk, f"{'— ' * category.depth}{category.name}") for category in tree],
        "brands": [(brand.pk, brand.name) for brand in catalog.brand_list()],
        "scenes": [(scene.pk, scene.name) for scene in catalog.scene_list(active_only=False)],
    }


def _editor(request: HttpRequest, *, form: TemplateForm, template: Any = None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "template": template,
        "row": _rows([template])[0] if template is not None else None,
        "recent": selectors.coupons_of_template(template_id=template.pk, limit=20) if template is not None else [],
        "audit_url": f"/console/audit/?object_type=coupons.coupontemplate&object_id={template.pk}"
        if template is not None and request.user.has_perm(VIEW_AUDIT_LOG)
        else "",
        "not_saved": form.is_bound and status != 200,
    }
    return render(request, "console/coupons/edit.html", context, status=status)


def _save(request: HttpRequest, form: TemplateForm, template_id: int | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        template = services.coupon_template_save(actor=_actor(request), draft=form.draft(), template_id=template_id)
    except ShopkeeperError as exc:
        form.show_refusal(exc.details, exc.message)
        return None
    messages.success(request, _("Coupon “%(name)s” saved.") % {"name": template.name})
    return redirect("console:coupon_edit", template_id=template.pk)


@console_page(MANAGE_COUPONS)
def coupon_new(request: HttpRequest) -> HttpResponse:
    choices = _scope_choices()
    if request.method == "POST":
        form = TemplateForm(request.POST, **choices)
        if (done := _save(request, form, None)) is not None:
            return done
        return _editor(request, form=form, status=422)
    return _editor(request, form=TemplateForm(initial={"validity_kind": ValidityKind.FIXED}, **choices))


def _template_or_404(template_id: int) -> Any:
    template = selectors.coupon_template_staff(template_id=template_id)
    if template is None:
        raise Http404(_("No such coupon template."))
    return template


@console_page(MANAGE_COUPONS)
def coupon_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template_or_404(template_id)
    choices = _scope_choices()
    if request.method == "POST":
        form = TemplateForm(request.POST, **choices)
        if (done := _save(request, form, template.pk)) is not None:
            return done
        return _editor(request, form=form, template=template, status=422)
    return _editor(request, form=TemplateForm(initial=template_initial(template), **choices), template=template)


@require_POST
@console_page(MANAGE_COUPONS)
def coupon_status(request: HttpRequest, template_id: int) -> HttpResponse:
    """Pause (no new claims) or resume a template."""
    action = request.POST.get("action")
    try:
        if action == "pause":
            template = services.coupon_template_pause(actor=_actor(request), template_id=template_id)
            messages.success(request, _("“%(name)s” is paused: no new claims.") % {"name": template.name})
        elif action == "resume":
            template = services.coupon_template_resume(actor=_actor(request), template_id=template_id)
            messages.success(request, _("“%(name)s” can be claimed again.") % {"name": template.name})
        else:
            messages.error(request, _("Choose pause or resume."))
    except ShopkeeperError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/console/coupons/") else "console:coupon_list")


@console_page(ISSUE_COUPONS)
def coupon_issue(request: HttpRequest) -> HttpResponse:
    """Customer service gives coupons to customers by mobile number, with a reason for the record."""
    templates = [
        (template.pk, f"{template.name} · {offer_text(template)}") for template in selectors.coupon_templates_issuable()
    ]
    form = IssueForm(request.POST or None, templates=templates)
    status = 200
    result: dict[str, Any] | None = None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            mobiles = form.cleaned_data["mobiles"]
            found = selectors.customers_by_mobile(mobiles)
            unknown = [mobile for mobile in mobiles if mobile not in found]
            try:
                issued = (
                    services.coupon_issue(
                        actor=_actor(request),
                        customer_ids=[found[mobile] for mobile in mobiles if mobile in found],
                        template_id=form.cleaned_data["template"],
                        note=form.cleaned_data["note"],
                    )
                    if found
                    else None
                )
            except ShopkeeperError as exc:
                form.add_error(None, exc.message)
            else:
                by_id = {pk: mobile for mobile, pk in found.items()}
                result = {
                    "issued": [by_id[coupon.customer_id] for coupon in issued.issued] if issued else [],
                    "refused": [(by_id[pk], why) for pk, why in issued.refused.items()] if issued else [],
                    "unknown": unknown,
                }
                status = 200
                if result["issued"]:
                    messages.success(request, _("%(count)d coupon(s) issued.") % {"count": len(result["issued"])})
    context = {
        "form": form,
        "result": result,
        "has_templates": bool(templates),
        "recent": selectors.coupons_issued_recently(limit=20),
    }
    return render(request, "console/coupons/issue.html", context, status=status)
