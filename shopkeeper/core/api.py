"""Core endpoints: who am I, personal tokens, staff and roles, the audit log.

No `from __future__ import annotations` here: django-ninja reads the parameter annotations at
import time to build its request models.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shopkeeper.core import selectors, services
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.models import ApiToken, AuditEntry, User
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import (
    MANAGE_STAFF,
    USE_API_TOKENS,
    USE_CONSOLE,
    VIEW_AUDIT_LOG,
    VIEW_ROLES,
)
from shopkeeper.core.schemas import (
    AuditEntryOut,
    AuditFilter,
    MeOut,
    RoleOut,
    StaffIn,
    StaffOut,
    StaffRolesIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

router = Router(tags=["platform"])


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API's auth guarantees a signed-in user
    return user


def _actor(request: HttpRequest) -> services.ActorContext:
    return services.ActorContext.from_request(request, AuditChannel.API)


@router.get("/me", response=MeOut, summary="The signed-in staff member, roles and permissions")
@requires(USE_CONSOLE, api=True)
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        roles=[role.value for role in selectors.user_roles(user)],
        desks=[role.value for role in selectors.user_desks(user)],
        permissions=sorted(user.get_all_permissions()),
        language=get_language() or "zh-hans",
    )


# --- personal API tokens --------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut], summary="My personal API tokens")
@requires(USE_API_TOKENS, api=True)
def token_list(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.api_token_list(user=_user(request)))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create a personal API token")
@requires(USE_API_TOKENS, api=True)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[TokenCreatedOut]:
    issued = services.api_token_create(
        actor=_actor(request),
        user=_user(request),
        name=payload.name,
        expires_in_days=payload.expires_in_days,
    )
    token = issued.token
    return Status(
        201,
        TokenCreatedOut(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            secret=issued.secret,
        ),
    )


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke one of my tokens")
@requires(USE_API_TOKENS, api=True)
def token_revoke(request: HttpRequest, token_id: int) -> ApiToken:
    token = selectors.api_token_get(user=_user(request), token_id=token_id)
    return services.api_token_revoke(actor=_actor(request), token=token)


# --- staff and roles ------------------------------------------------------------------------


@router.get("/roles", response=list[RoleOut], summary="Department roles and their permissions")
@requires(VIEW_ROLES, api=True)
def role_list(request: HttpRequest) -> list[RoleOut]:
    return [
        RoleOut(
            name=summary.role.value,
            label=str(summary.role.label),
            permissions=summary.permissions,
            member_count=summary.member_count,
        )
        for summary in selectors.role_summaries()
    ]


@router.get("/staff", response=list[StaffOut], summary="Staff accounts")
@requires(MANAGE_STAFF, api=True)
@paginate(LimitOffsetPagination)
def staff_list(
    request: HttpRequest, role: Role | None = None, search: str | None = None, active: bool | None = None
) -> QuerySet[User]:
    return selectors.staff_list(role=role, search=search, active=active)


@router.post("/staff", response={201: StaffOut}, summary="Create a staff account with roles")
@requires(MANAGE_STAFF, api=True)
def staff_create(request: HttpRequest, payload: StaffIn) -> Status[User]:
    user = services.staff_create(
        actor=_actor(request),
        username=payload.username,
        password=payload.password,
        roles=payload.roles,
        display_name=payload.display_name,
        email=payload.email,
    )
    return Status(201, selectors.staff_get(user_id=user.pk))


@router.put("/staff/{user_id}/roles", response=StaffOut, summary="Replace a staff member's roles")
@requires(MANAGE_STAFF, api=True)
def staff_set_roles(request: HttpRequest, user_id: int, payload: StaffRolesIn) -> User:
    user = selectors.staff_get(user_id=user_id)
    services.staff_set_roles(actor=_actor(request), user=user, roles=payload.roles)
    return selectors.staff_get(user_id=user_id)


@router.post("/staff/{user_id}/deactivate", response=StaffOut, summary="Deactivate (revokes tokens)")
@requires(MANAGE_STAFF, api=True)
def staff_deactivate(request: HttpRequest, user_id: int) -> User:
    user = selectors.staff_get(user_id=user_id)
    services.staff_set_active(actor=_actor(request), user=user, active=False)
    return selectors.staff_get(user_id=user_id)


@router.post("/staff/{user_id}/activate", response=StaffOut, summary="Reactivate an account")
@requires(MANAGE_STAFF, api=True)
def staff_activate(request: HttpRequest, user_id: int) -> User:
    user = selectors.staff_get(user_id=user_id)
    services.staff_set_active(actor=_actor(request), user=user, active=True)
    return selectors.staff_get(user_id=user_id)


# --- audit log ------------------------------------------------------------------------------


@router.get("/audit-log", response=list[AuditEntryOut], summary="The audit log, newest first")
@requires(VIEW_AUDIT_LOG, api=True)
@paginate(LimitOffsetPagination)
def audit_list(request: HttpRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEntry]:
    return selectors.audit_entry_list(**filters.dict())


@router.get("/audit-log/{entry_id}", response=AuditEntryOut, summary="One audit entry")
@requires(VIEW_AUDIT_LOG, api=True)
def audit_get(request: HttpRequest, entry_id: int) -> AuditEntry:
    return selectors.audit_entry_get(entry_id=entry_id)
