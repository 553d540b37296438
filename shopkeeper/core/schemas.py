"""API schemas for core: money as every app shows it, the current user, tokens, staff, roles and
the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class MoneyOut(Schema):
    """An amount as the API answers it: exact fen, and yuan as a string ("199.00"), never a float."""

    fen: int
    yuan: str


def money_out(fen: int) -> MoneyOut:
    return MoneyOut(fen=fen, yuan=f"{Decimal(fen) / 100:.2f}")


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    desks: list[str]
    permissions: list[str]
    language: str


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=64, description="What the token is for")
    expires_in_days: int | None = Field(None, ge=1, le=3650, description="Leave empty for no expiry")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="Shown once: store it now, it cannot be read again")


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    is_active: bool
    roles: list[str]
    last_login: datetime | None

    @staticmethod
    def resolve_roles(obj: Any) -> list[str]:
        return list(obj.role_names) if hasattr(obj, "role_names") else list(obj["roles"])


class StaffIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=128)
    roles: list[str] = Field(..., min_length=1)
    display_name: str = Field("", max_length=64)
    email: str = Field("", max_length=254)


class StaffRolesIn(Schema):
    roles: list[str]


class RoleOut(Schema):
    name: str
    label: str
    permissions: list[str]
    member_count: int


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    channel: str
    ip_address: str | None

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class AuditFilter(Schema):
    actor: str | None = None
    action: str | None = Field(None, description="Matches actions starting with this, e.g. `staff.`")
    object_type: str | None = Field(None, description="e.g. `core.user`")
    object_id: str | None = None
    since: date | None = None
    until: date | None = None
