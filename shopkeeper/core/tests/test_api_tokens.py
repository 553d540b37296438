"""Personal API tokens: shown once, stored hashed, revocable, dead with their owner's account."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import ApiClient
from shopkeeper.core.enums import Role
from shopkeeper.core.models import ApiToken, AuditEntry, User
from shopkeeper.core.services import ActorContext, api_token_create, staff_set_active

pytestmark = pytest.mark.django_db


def test_created_token_is_shown_once_and_stored_as_a_digest(make_staff: Callable[..., User]) -> None:
    user = make_staff(Role.DATA_ANALYST)
    client = ApiClient(None)
    client.client.force_login(user)
    created = client.post("tokens", {"name": "BI export", "expires_in_days": 30})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("skt_")

    token = ApiToken.objects.get(user=user)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.digest, token.prefix, token.name}
    assert secret.startswith(token.prefix)
    assert token.expires_at is not None

    listed = client.get("tokens").json()
    assert [t["name"] for t in listed] == ["BI export"]
    assert "secret" not in listed[0]

    me = ApiClient(secret).get("me")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    token.refresh_from_db()
    assert token.last_used_at is not None

    entry = AuditEntry.objects.get(action="api_token.create")
    assert entry.actor == user
    assert entry.after is not None
    assert entry.after["name"] == "BI export"
    assert secret not in str(entry.after)


def test_revoked_token_stops_working(make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> None:
    user = make_staff(Role.MARKETING)
    api = api_as(user)
    token = ApiToken.objects.get(user=user)
    assert api.delete(f"tokens/{token.pk}").status_code == 200
    assert api.get("me").status_code == 401
    assert AuditEntry.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1


def test_cannot_revoke_someone_elses_token(
    make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]
) -> None:
    mine = api_as(make_staff(Role.BRAND))
    other = make_staff(Role.DESIGNER)
    theirs = api_token_create(actor=ActorContext.system(), user=other, name="theirs").token
    response = mine.delete(f"tokens/{theirs.pk}")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_expired_token_is_refused(make_staff: Callable[..., User]) -> None:
    user = make_staff(Role.WAREHOUSE)
    issued = api_token_create(actor=ActorContext.system(), user=user, name="old", expires_in_days=1)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(issued.secret).get("me").status_code == 401


def test_deactivating_staff_revokes_their_tokens(make_staff: Callable[..., User], admin_user: User) -> None:
    user = make_staff(Role.PROCUREMENT)
    issued = api_token_create(actor=ActorContext.system(), user=user, name="erp sync")
    staff_set_active(actor=ActorContext(user=admin_user), user=user, active=False)
    assert ApiClient(issued.secret).get("me").status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_staff_without_a_role_cannot_hold_tokens(make_staff: Callable[..., User]) -> None:
    client = ApiClient(None)
    client.client.force_login(make_staff())
    response = client.post("tokens", {"name": "sneaky"})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_command_line_create_list_revoke(make_staff: Callable[..., User], capsys: pytest.CaptureFixture[str]) -> None:
    user = make_staff(Role.DATA_ANALYST, username="analyst_li")
    call_command("token", "create", "--user", "analyst_li", "--name", "nightly report")
    secret = capsys.readouterr().out.strip()
    assert ApiClient(secret).get("me").status_code == 200

    call_command("token", "list", "--user", "analyst_li")
    listing = capsys.readouterr().out
    assert "nightly report" in listing
    assert "active" in listing

    prefix = ApiToken.objects.get(user=user).prefix
    call_command("token", "revoke", prefix)
    assert ApiClient(secret).get("me").status_code == 401
    assert AuditEntry.objects.get(action="api_token.revoke").channel == "cli"


def test_token_names_are_validated(make_staff: Callable[..., User]) -> None:
    from shopkeeper.core.errors import ValidationFailed

    user = make_staff(Role.BRAND)
    with pytest.raises(ValidationFailed, match="name"):
        api_token_create(actor=ActorContext.system(), user=user, name="   ")
    with pytest.raises(ValidationFailed, match="3650"):
        api_token_create(actor=ActorContext.system(), user=user, name="x", expires_in_days=0)
    assert not ApiToken.objects.exists()
