"""Staff console pages: sign-in, a desk per role, staff and roles, tokens, audit log, health."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkeeper.console.decorators import console_page
from shopkeeper.console.desks import DESK_BRIEFS
from shopkeeper.console.forms import AuditFilterForm, StaffCreateForm, StaffRolesForm, TokenCreateForm
from shopkeeper.core import selectors, services
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.health import run_checks
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.roles import (
    MANAGE_STAFF,
    USE_API_TOKENS,
    VIEW_AUDIT_LOG,
    VIEW_ROLES,
    VIEW_SYSTEM_HEALTH,
    desk_permission,
)

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _actor(request: HttpRequest) -> services.ActorContext:
    return services.ActorContext.from_request(request, AuditChannel.CONSOLE)


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True


login_view = public(LoginView.as_view())
logout_view = public(auth_views.LogoutView.as_view())


@public
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each staff member to their first desk; say so plainly when they have none."""
    desks = selectors.user_desks(_user(request))
    if desks:
        return redirect("console:desk", role=desks[0].value)
    return render(request, "console/no_role.html", status=403)


@login_required
def desk(request: HttpRequest, role: str) -> HttpResponse:
    """A role's home page. Needs that role's desk permission (core.desk_<role>)."""
    try:
        desk_role = Role(role)
    except ValueError:
        raise Http404(role) from None
    user = _user(request)
    if not user.has_perm(desk_permission(desk_role)):
        raise PermissionDenied(desk_permission(desk_role))
    context: dict[str, Any] = {
        "role": desk_role,
        "brief": DESK_BRIEFS[desk_role],
        "my_roles": selectors.user_roles(user),
        "recent_actions": list(selectors.audit_entry_list(actor=user.username)[:10]),
    }
    if desk_role is Role.PLATFORM_ADMIN:
        summaries = selectors.role_summaries()
        context["role_summaries"] = summaries
        context["staff_chart"] = {
            "labels": [str(summary.role.label) for summary in summaries],
            "counts": [summary.member_count for summary in summaries],
        }
        context["checks"] = run_checks()
        context["latest_entries"] = list(selectors.audit_entry_list()[:10])
    return render(request, "console/desk.html", context)


# --- personal API tokens --------------------------------------------------------------------


desk.shopkeeper_permission = "core.desk_<role>"  # type: ignore[attr-defined]  # one per role


@console_page(USE_API_TOKENS)
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                actor=_actor(request),
                user=user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ShopkeeperError as exc:
            form.add_error(None, exc.message)
        else:
            new_secret = issued.secret
            form = TokenCreateForm()
    status = 422 if request.method == "POST" and new_secret is None else 200
    return render(
        request,
        "console/tokens.html",
        {"form": form, "tokens": selectors.api_token_list(user=user), "new_secret": new_secret},
        status=status,
    )


@require_POST
@console_page(USE_API_TOKENS)
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = selectors.api_token_get(user=_user(request), token_id=token_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    services.api_token_revoke(actor=_actor(request), token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("console:tokens")


# --- staff and roles ------------------------------------------------------------------------


@console_page(MANAGE_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role") or None
    if role is not None and role not in Role.values:
        role = None
    search = request.GET.get("q") or None
    page = Paginator(selectors.staff_list(role=role, search=search), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "console/staff_list.html", {"page": page, "roles": Role.choices, "role": role, "q": search or ""}
    )


@console_page(MANAGE_STAFF)
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(actor=_actor(request), **form.cleaned_data)
        except ShopkeeperError as exc:
            for field, problem in exc.details.items():
                if field in form.fields:
                    form.add_error(field, problem if isinstance(problem, list) else str(problem))
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Staff member %(name)s created.") % {"name": user})
            return redirect("console:staff_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "console/staff_create.html", {"form": form}, status=status)


@console_page(MANAGE_STAFF)
def staff_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        member = selectors.staff_get(user_id=user_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    form = StaffRolesForm(request.POST or None, initial={"roles": member.role_names})
    if request.method == "POST":
        action = request.POST.get("action", "roles")
        try:
            if action in {"deactivate", "activate"}:
                services.staff_set_active(actor=_actor(request), user=member, active=action == "activate")
                messages.success(request, _("Account updated."))
                return redirect("console:staff_edit", user_id=member.pk)
            if form.is_valid():
                services.staff_set_roles(actor=_actor(request), user=member, roles=form.cleaned_data["roles"])
                messages.success(request, _("Roles saved."))
                return redirect("console:staff_edit", user_id=member.pk)
        except ShopkeeperError as exc:
            form.add_error(None, exc.message)
    history = selectors.audit_entry_list(object_type="core.user", object_id=str(member.pk))[:20]
    status = 422 if request.method == "POST" else 200  # a successful POST redirected above
    return render(
        request, "console/staff_edit.html", {"member": member, "form": form, "history": history}, status=status
    )


@console_page(VIEW_ROLES)
def roles(request: HttpRequest) -> HttpResponse:
    return render(request, "console/roles.html", {"summaries": selectors.role_summaries()})


# --- audit log and health -------------------------------------------------------------------


@console_page(VIEW_AUDIT_LOG)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    entries = selectors.audit_entry_list(**filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "console/audit_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "actions": selectors.audit_actions()},
        status=status,
    )


@console_page(VIEW_AUDIT_LOG)
def audit_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    try:
        entry = selectors.audit_entry_get(entry_id=entry_id)
    except ShopkeeperError as exc:
        raise Http404(exc.message) from None
    keys = sorted(set(entry.before or {}) | set(entry.after or {}))
    rows = [
        {
            "field": key,
            "before": (entry.before or {}).get(key),
            "after": (entry.after or {}).get(key),
            "changed": (entry.before or {}).get(key) != (entry.after or {}).get(key),
        }
        for key in keys
    ]
    return render(request, "console/audit_detail.html", {"entry": entry, "rows": rows})


@console_page(VIEW_SYSTEM_HEALTH)
def health(request: HttpRequest) -> HttpResponse:
    checks = run_checks()
    status = 200 if all(check.ok for check in checks) else 503
    return render(request, "console/health.html", {"checks": checks}, status=status)
