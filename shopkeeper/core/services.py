"""Core writes: the audit log, role groups, staff accounts and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.domain.jsonable import to_jsonable
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.models import ApiToken, AuditEntry, User
from shopkeeper.core.roles import ROLE_PERMISSIONS, permissions_for

TOKEN_PREFIX = "skt_"  # noqa: S105  (a marker, not a secret)


@dataclass(frozen=True)
class ActorContext:
    """Who is acting and through which door; every service that changes state takes one."""

    user: User | None
    channel: AuditChannel = AuditChannel.SYSTEM
    ip_address: str | None = None

    @classmethod
    def system(cls) -> ActorContext:
        return cls(user=None, channel=AuditChannel.SYSTEM)

    @classmethod
    def from_request(cls, request: HttpRequest, channel: AuditChannel) -> ActorContext:
        user = request.user if request.user.is_authenticated else None
        ip = request.META.get("REMOTE_ADDR") or None
        if settings.SHOPKEEPER_TRUST_X_FORWARDED_FOR:
            ip = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip() or ip
        return cls(user=user if isinstance(user, User) else None, channel=channel, ip_address=ip)


# --- audit log ------------------------------------------------------------------------------


def audit_record(
    *,
    actor: ActorContext,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. Called inside the service's transaction so both commit together."""
    if target is not None:
        meta = target._meta
        object_type = object_type or f"{meta.app_label}.{meta.model_name}"
        object_id = object_id or str(target.pk)
        object_label = object_label or str(target)[:200]
    user = actor.user
    return AuditEntry.objects.create(
        actor=user,
        actor_label=(user.get_username() if user else "system")[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:200],
        before=to_jsonable(dict(before)) if before is not None else None,
        after=to_jsonable(dict(after)) if after is not None else None,
        channel=actor.channel,
        ip_address=actor.ip_address,
    )


# --- roles ----------------------------------------------------------------------------------


def role_groups_sync(apps: Apps | None = None) -> None:
    """Make each role's group hold exactly the permissions of the map in `core.roles`.

    Runs from data migrations (with the historical `apps`) and from `shopkeeper sync_roles`.
    Creates permission rows that do not exist yet, because post_migrate has not run then.
    Permissions of apps whose models are not migrated yet are left for that app's own
    migration, which calls this again.
    """
    registry = apps or global_apps
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    content_type_model = registry.get_model("contenttypes", "ContentType")
    for role in Role:
        group, _created = group_model.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in sorted(permissions_for(role)):
            app_label, codename = dotted.split(".", 1)
            model_name = _permission_model_name(registry, app_label, codename)
            if model_name is None:
                continue
            content_type, _ct = content_type_model.objects.get_or_create(app_label=app_label, model=model_name)
            permission, _p = permission_model.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": codename.replace("_", " ").capitalize()[:255]},
            )
            wanted.append(permission)
        group.permissions.set(wanted)


def _permission_model_name(registry: Apps, app_label: str, codename: str) -> str | None:
    """Find the model whose Meta declares `codename`; None while the app has no migrated models."""
    try:
        models_of_app = list(registry.get_app_config(app_label).get_models())
    except LookupError:
        return None
    if not models_of_app:
        return None
    for model in models_of_app:
        meta = model._meta
        declared = {code for code, _name in meta.permissions}
        declared |= {f"{action}_{meta.model_name}" for action in meta.default_permissions}
        if codename in declared:
            return str(meta.model_name)
    if registry is not global_apps:
        # A historical state from before the migration that declares it: that migration syncs again.
        return None
    raise LookupError(f"No model in {app_label!r} declares the permission {codename!r}")


# --- staff ----------------------------------------------------------------------------------


def _staff_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "is_active": user.is_active,
        "roles": sorted(user.role_names),
    }


def _clean_roles(roles: Iterable[str]) -> list[Role]:
    cleaned: list[Role] = []
    unknown: list[str] = []
    for value in roles:
        try:
            cleaned.append(Role(value))
        except ValueError:
            unknown.append(value)
    if unknown:
        raise ValidationFailed(
            _("Unknown role(s): %(roles)s") % {"roles": ", ".join(unknown)},
            details={"roles": unknown, "allowed": [role.value for role in Role]},
        )
    return sorted(set(cleaned), key=list(Role).index)


def staff_create(
    *,
    actor: ActorContext,
    username: str,
    password: str,
    roles: Iterable[str],
    display_name: str = "",
    email: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required"), details={"username": "required"})
    role_list = _clean_roles(roles)
    if not role_list:
        raise ValidationFailed(_("Give the staff member at least one role"), details={"roles": "required"})
    candidate = User(username=username, display_name=display_name.strip(), email=email.strip())
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("The password is not strong enough"), details={"password": list(exc.messages)}
        ) from None
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Conflict(
                _("The username “%(username)s” is taken") % {"username": username}, details={"username": username}
            )
        candidate.set_password(password)
        candidate.is_staff = False  # the Django admin is for superusers; staff use the console
        candidate.save()
        candidate.groups.set(Group.objects.filter(name__in=[role.value for role in role_list]))
        audit_record(actor=actor, action="staff.create", target=candidate, after=_staff_snapshot(candidate))
    return candidate


def staff_set_roles(*, actor: ActorContext, user: User, roles: Iterable[str]) -> User:
    role_list = _clean_roles(roles)
    if not role_list:
        raise ValidationFailed(
            _("Give the staff member at least one role; to stop someone signing in, deactivate the account"),
            details={"roles": "required"},
        )
    acting_on_self = actor.user is not None and actor.user.pk == user.pk
    if acting_on_self and Role.PLATFORM_ADMIN not in role_list and Role.PLATFORM_ADMIN.value in user.role_names:
        raise ValidationFailed(_("You cannot remove your own platform admin role"), details={"roles": "self"})
    with transaction.atomic():
        before = _staff_snapshot(user)
        user.groups.set(Group.objects.filter(name__in=[role.value for role in role_list]))
        after = _staff_snapshot(user)
        if before != after:
            audit_record(actor=actor, action="staff.set_roles", target=user, before=before, after=after)
    return user


def staff_set_active(*, actor: ActorContext, user: User, active: bool) -> User:
    if actor.user is not None and actor.user.pk == user.pk and not active:
        raise ValidationFailed(_("You cannot deactivate your own account"))
    with transaction.atomic():
        before = _staff_snapshot(user)
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(
            actor=actor,
            action="staff.activate" if active else "staff.deactivate",
            target=user,
            before=before,
            after=_staff_snapshot(user),
        )
    return user


# --- personal API tokens --------------------------------------------------------------------


def _token_digest(raw: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 (no salt, no stretching) is enough and
    # lets a request find its token by an indexed lookup.
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def api_token_create(*, actor: ActorContext, user: User, name: str, expires_in_days: int | None = None) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Give the token a name"), details={"name": "required"})
    if len(name) > 64:
        raise ValidationFailed(_("The name is longer than 64 characters"), details={"name": "too long"})
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationFailed(
            _("Expiry must be between 1 and 3650 days"), details={"expires_in_days": expires_in_days}
        )
    if not user.is_active or not user.has_perm("core.use_api_tokens"):
        raise ValidationFailed(
            _("%(user)s may not hold API tokens") % {"user": user.get_username()}, details={"user": user.get_username()}
        )
    body = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}{body}"
    expires_at: datetime | None = None
    if expires_in_days is not None:
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: len(TOKEN_PREFIX) + 8],
            digest=_token_digest(secret),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            target=token,
            after={"name": name, "prefix": token.prefix, "user": user.get_username(), "expires_at": expires_at},
        )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: ActorContext, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            target=locked,
            before={"revoked_at": None},
            after={"revoked_at": locked.revoked_at},
        )
    return locked


def api_token_authenticate(raw: str) -> User | None:
    """The active user a presented token belongs to, or None. Touches last_used_at sparingly."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_token_digest(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if not token.is_active(now) or not token.user.is_active:
        return None
    touch_after = timedelta(seconds=settings.SHOPKEEPER_API_TOKEN_TOUCH_SECONDS)
    if token.last_used_at is None or now - token.last_used_at > touch_after:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


__all__ = [
    "ROLE_PERMISSIONS",
    "ActorContext",
    "IssuedToken",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "audit_record",
    "role_groups_sync",
    "staff_create",
    "staff_set_active",
    "staff_set_roles",
]
