"""Core models: the user, capability permissions, the audit log and personal API tokens."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkeeper.core.enums import AuditChannel, Role


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """Staff members and (once the customers app exists) shoppers share one account table."""

    display_name = models.CharField(_("display name"), max_length=64, blank=True)

    class Meta:
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_names(self) -> list[str]:
        # Uses the prefetch cache when the selector prefetched groups.
        names = {group.name for group in self.groups.all()}
        return [role.value for role in Role if role.value in names]

    @property
    def role_labels(self) -> list[str]:
        names = {group.name for group in self.groups.all()}
        return [str(role.label) for role in Role if role.value in names]


class Capability(models.Model):
    """Holds permissions that belong to no table: desks and platform capabilities."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("use_console", "Can sign in to the staff console"),
            ("use_api_tokens", "Can create and revoke personal API tokens"),
            ("manage_staff", "Can create staff accounts and assign roles"),
            ("view_roles", "Can view roles and their permissions"),
            ("view_system_health", "Can view system health"),
            *[(f"desk_{role.value}", f"Can open the {role.value} desk") for role in Role],
        ]

    def __str__(self) -> str:
        return "capability"


class AuditEntry(models.Model):
    """Who did what to which object, when, with the object's state before and after."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=AuditChannel.choices, default=AuditChannel.SYSTEM)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        default_permissions = ("view",)
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["actor", "at"], name="core_audit_actor_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"


class ApiToken(models.Model):
    """A staff member's personal API token. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > moment
