"""Django admin (superusers only): read-only audit log, accounts and tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from shopkeeper.core.models import ApiToken, AuditEntry, User


@admin.register(User)
class ShopkeeperUserAdmin(UserAdmin[User]):
    list_display = ("username", "display_name", "email", "is_active", "is_superuser", "last_login")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Shopkeeper", {"fields": ("display_name",)}))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("at", "actor_label", "action", "object_type", "object_label", "channel")
    list_filter = ("channel", "action")
    search_fields = ("actor_label", "object_label", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
