"""Staff accounts and roles, written by services that leave an audit trail with before/after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from conftest import ApiClient
from shopkeeper.core.enums import Role
from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext, staff_create, staff_set_active, staff_set_roles

pytestmark = pytest.mark.django_db


class TestStaffServices:
    def test_create_records_who_and_what(self, admin_user: User) -> None:
        user = staff_create(
            actor=ActorContext(user=admin_user),
            username="li_na",
            password="Shop-Ops-2026!",
            roles=["store_operator", "campaign_operator"],
            display_name="李娜",
        )
        assert user.check_password("Shop-Ops-2026!")
        assert user.has_perm("core.desk_store_operator")
        assert user.has_perm("core.desk_campaign_operator")
        assert not user.is_staff  # the Django admin stays superuser-only
        entry = AuditEntry.objects.get(action="staff.create")
        assert entry.actor == admin_user
        assert entry.object_type == "core.user"
        assert entry.object_id == str(user.pk)
        assert entry.before is None
        assert entry.after is not None
        assert entry.after["roles"] == ["campaign_operator", "store_operator"]
        assert "password" not in str(entry.after)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"roles": ["astronaut"]}, ValidationFailed, "Unknown role"),
            ({"roles": []}, ValidationFailed, "at least one role"),
            ({"password": "123"}, ValidationFailed, "not strong enough"),
            ({"username": "  "}, ValidationFailed, "username"),
            ({"username": "ADMIN_WANG"}, Conflict, "taken"),
        ],
    )
    def test_bad_input_changes_nothing(
        self, admin_user: User, kwargs: dict[str, object], error: type[Exception], match: str
    ) -> None:
        users, entries = User.objects.count(), AuditEntry.objects.count()
        arguments: dict[str, object] = {"username": "zhao_lei", "password": "Shop-Ops-2026!", "roles": ["warehouse"]}
        arguments.update(kwargs)
        with pytest.raises(error, match=match):
            staff_create(actor=ActorContext(user=admin_user), **arguments)  # type: ignore[arg-type]
        assert (User.objects.count(), AuditEntry.objects.count()) == (users, entries)

    def test_set_roles_records_before_and_after(self, admin_user: User, make_staff: Callable[..., User]) -> None:
        user = make_staff(Role.CS_AGENT)
        staff_set_roles(actor=ActorContext(user=admin_user), user=user, roles=["cs_supervisor"])
        entry = AuditEntry.objects.get(action="staff.set_roles")
        assert entry.before is not None
        assert entry.after is not None
        assert entry.before["roles"] == ["cs_agent"]
        assert entry.after["roles"] == ["cs_supervisor"]
        staff_set_roles(actor=ActorContext(user=admin_user), user=user, roles=["cs_supervisor"])
        assert AuditEntry.objects.filter(action="staff.set_roles").count() == 1  # no-op writes nothing

    def test_admin_cannot_lock_themselves_out(self, admin_user: User) -> None:
        with pytest.raises(ValidationFailed, match="your own account"):
            staff_set_active(actor=ActorContext(user=admin_user), user=admin_user, active=False)
        with pytest.raises(ValidationFailed, match="your own platform admin role"):
            staff_set_roles(actor=ActorContext(user=admin_user), user=admin_user, roles=["brand"])
        assert User.objects.get(pk=admin_user.pk).role_names == ["platform_admin"]

    def test_roles_never_become_empty(self, admin_user: User, make_staff: Callable[..., User]) -> None:
        user = make_staff(Role.BRAND)
        with pytest.raises(ValidationFailed, match="deactivate the account"):
            staff_set_roles(actor=ActorContext(user=admin_user), user=user, roles=[])
        assert User.objects.get(pk=user.pk).role_names == ["brand"]

    def test_audit_ip_ignores_forwarded_header_unless_trusted(self, settings: Any) -> None:
        from django.test import RequestFactory

        from shopkeeper.core.enums import AuditChannel

        request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.5")
        request.user = AnonymousUser()
        assert ActorContext.from_request(request, AuditChannel.API).ip_address == "10.0.0.5"
        settings.SHOPKEEPER_TRUST_X_FORWARDED_FOR = True
        assert ActorContext.from_request(request, AuditChannel.API).ip_address == "6.6.6.6"


class TestStaffApi:
    def test_create_list_and_change_roles(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        api = api_as(admin_user)
        created = api.post(
            "staff",
            {"username": "chen_jie", "password": "Shop-Ops-2026!", "roles": ["designer"], "display_name": "陈杰"},
        )
        assert created.status_code == 201, created.json()
        user_id = created.json()["id"]
        assert created.json()["roles"] == ["designer"]

        listed = api.get("staff", role="designer")
        assert listed.json()["count"] == 1
        assert listed.json()["items"][0]["display_name"] == "陈杰"

        changed = api.put(f"staff/{user_id}/roles", {"roles": ["designer", "brand"]})
        assert changed.status_code == 200
        assert changed.json()["roles"] == ["brand", "designer"]

        deactivated = api.post(f"staff/{user_id}/deactivate")
        assert deactivated.json()["is_active"] is False
        assert api.post(f"staff/{user_id}/activate").json()["is_active"] is True

        actions = list(AuditEntry.objects.filter(object_id=str(user_id)).values_list("action", flat=True))
        assert sorted(actions) == ["staff.activate", "staff.create", "staff.deactivate", "staff.set_roles"]
        assert set(AuditEntry.objects.filter(object_id=str(user_id)).values_list("channel", flat=True)) == {"api"}

    def test_duplicate_username_is_409(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        response = api_as(admin_user).post(
            "staff", {"username": "admin_wang", "password": "Shop-Ops-2026!", "roles": ["brand"]}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "conflict"

    def test_unknown_role_is_422(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        response = api_as(admin_user).post(
            "staff", {"username": "x_y", "password": "Shop-Ops-2026!", "roles": ["astronaut"]}
        )
        assert response.status_code == 422
        assert response.json()["details"]["roles"] == ["astronaut"]
        assert not User.objects.filter(username="x_y").exists()

    def test_roles_endpoint_matches_the_map(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        roles = {role["name"]: role for role in api_as(admin_user).get("roles").json()}
        assert set(roles) == set(Role.values)
        assert roles["platform_admin"]["member_count"] == 1
        assert "core.view_auditentry" in roles["platform_admin"]["permissions"]


class TestAuditLog:
    def test_api_filters_and_paginates(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        actor = ActorContext(user=admin_user)
        for index in range(5):
            staff_create(actor=actor, username=f"temp_{index}", password="Shop-Ops-2026!", roles=["brand"])
        api = api_as(admin_user)
        page = api.get("audit-log", action="staff.", limit=2, offset=0).json()
        assert page["count"] == 5
        assert len(page["items"]) == 2
        assert page["items"][0]["object_label"].startswith("temp_4")  # newest first
        assert page["items"][0]["actor"] == "admin_wang"

        today = timezone.localdate()
        assert api.get("audit-log", since=str(today), action="staff.").json()["count"] == 5
        tomorrow = today + timedelta(days=1)
        assert api.get("audit-log", since=str(tomorrow)).json()["count"] == 0

        one = page["items"][0]["id"]
        detail = api.get(f"audit-log/{one}").json()
        assert detail["after"]["username"] == "temp_4"

    def test_console_pages_for_the_admin_only(
        self, admin_user: User, make_staff: Callable[..., User], client: Client
    ) -> None:
        user = staff_create(
            actor=ActorContext(user=admin_user), username="wu_di", password="Shop-Ops-2026!", roles=["brand"]
        )
        staff_set_roles(actor=ActorContext(user=admin_user), user=user, roles=["brand", "marketing"])
        entry = AuditEntry.objects.get(action="staff.set_roles")

        client.force_login(admin_user)
        listing = client.get("/console/audit/", {"action": "staff."})
        assert listing.status_code == 200
        assert listing.context["page"].paginator.count == 2
        detail = client.get(f"/console/audit/{entry.pk}/")
        assert detail.status_code == 200
        changed = {row["field"]: row for row in detail.context["rows"] if row["changed"]}
        assert set(changed) == {"roles"}
        assert changed["roles"]["after"] == ["brand", "marketing"]

        bad = client.get("/console/audit/", {"since": "2026-11-10", "until": "2026-11-01"})
        assert bad.status_code == 422

        client.force_login(make_staff(Role.OPERATIONS_DIRECTOR))
        assert client.get("/console/audit/").status_code == 403
        assert client.get(f"/console/audit/{entry.pk}/").status_code == 403


class TestQueryCounts:
    """Hot reads stay at a constant number of queries however many rows they show."""

    def _count(self, call: Callable[[], object]) -> int:
        from django.db import connection

        call()  # warm up: the first call with a token also stamps its last use
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured.captured_queries)

    def test_staff_list_api(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        api = api_as(admin_user)
        actor = ActorContext(user=admin_user)
        staff_create(actor=actor, username="one_1", password="Shop-Ops-2026!", roles=["brand"])
        few = self._count(lambda: api.get("staff"))
        for index in range(20):
            staff_create(actor=actor, username=f"many_{index}", password="Shop-Ops-2026!", roles=["brand", "designer"])
        many = self._count(lambda: api.get("staff"))
        assert few == many
        assert many <= 8

    def test_audit_log_api(self, admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
        api = api_as(admin_user)
        actor = ActorContext(user=admin_user)
        staff_create(actor=actor, username="one_1", password="Shop-Ops-2026!", roles=["brand"])
        few = self._count(lambda: api.get("audit-log"))
        for index in range(20):
            staff_create(actor=actor, username=f"many_{index}", password="Shop-Ops-2026!", roles=["brand"])
        assert self._count(lambda: api.get("audit-log")) == few <= 6

    def test_console_staff_page(self, admin_user: User, client: Client) -> None:
        client.force_login(admin_user)
        actor = ActorContext(user=admin_user)
        few = self._count(lambda: client.get("/console/staff/"))
        for index in range(20):
            staff_create(actor=actor, username=f"many_{index}", password="Shop-Ops-2026!", roles=["brand", "designer"])
        assert self._count(lambda: client.get("/console/staff/")) == few <= 10
