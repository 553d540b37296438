"""Core reads: staff, roles, the audit log and API tokens, shared by the API and the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.enums import Role
from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import ApiToken, AuditEntry, User
from shopkeeper.core.roles import USE_CONSOLE, desk_permission, permissions_for


def staff_list(*, role: str | None = None, search: str | None = None, active: bool | None = None) -> QuerySet[User]:
    """Accounts that hold at least one role, with their groups prefetched."""
    queryset = User.objects.filter(groups__name__in=[r.value for r in Role]).distinct()
    if role:
        queryset = queryset.filter(groups__name=role)
    if search:
        queryset = queryset.filter(
            Q(username__icontains=search) | Q(display_name__icontains=search) | Q(email__icontains=search)
        )
    if active is not None:
        queryset = queryset.filter(is_active=active)
    return queryset.prefetch_related("groups").order_by("username")


def staff_get(*, user_id: int) -> User:
    user = User.objects.filter(pk=user_id).prefetch_related("groups").first()
    if user is None:
        raise NotFound(_("No staff member with id %(id)s") % {"id": user_id}, details={"id": user_id})
    return user


def user_roles(user: User) -> list[Role]:
    """The user's roles in the order of the Role enum (the first one picks their home desk)."""
    if not user.is_authenticated:
        return []
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in names]


def user_desks(user: User) -> list[Role]:
    """Desks the user may open: their own roles first, then the ones they oversee."""
    if not user.is_authenticated or not user.has_perm(USE_CONSOLE):
        return []
    own = user_roles(user)
    overseen = [role for role in Role if role not in own and user.has_perm(desk_permission(role))]
    return [role for role in own if user.has_perm(desk_permission(role))] + overseen


@dataclass(frozen=True)
class RoleSummary:
    role: Role
    permissions: list[str]
    member_count: int


def role_summaries() -> list[RoleSummary]:
    counts = dict(
        Group.objects.filter(name__in=[r.value for r in Role])
        .annotate(active=Count("user", filter=Q(user__is_active=True)))
        .values_list("name", "active")
    )
    return [
        RoleSummary(role=role, permissions=sorted(permissions_for(role)), member_count=counts.get(role.value, 0))
        for role in Role
    ]


def audit_entry_list(
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    queryset = AuditEntry.objects.select_related("actor")
    if actor:
        queryset = queryset.filter(actor_label=actor)
    if action:
        queryset = queryset.filter(action__startswith=action)
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if since:
        queryset = queryset.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        queryset = queryset.filter(at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    return queryset.order_by("-at", "-id")


def audit_entry_get(*, entry_id: int) -> AuditEntry:
    entry = AuditEntry.objects.select_related("actor").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No audit entry with id %(id)s") % {"id": entry_id}, details={"id": entry_id})
    return entry


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound(_("You have no API token with id %(id)s") % {"id": token_id}, details={"id": token_id})
    return token
