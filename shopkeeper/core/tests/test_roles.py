"""Every department role: a group with exactly the map's permissions, one desk it reaches,
one it is refused, and the API answering the same way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from conftest import ApiClient
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.roles import ROLE_PERMISSIONS, permissions_for

# For each role: a desk it must NOT open. Everyone but the admin is refused the admin's desk;
# the admin runs the platform, not the shop, and is refused the store operator's desk.
REFUSED_DESK = dict.fromkeys(Role, Role.PLATFORM_ADMIN) | {Role.PLATFORM_ADMIN: Role.STORE_OPERATOR}

pytestmark = pytest.mark.django_db


def test_the_data_migration_made_one_group_per_role() -> None:
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions__content_type")}
    assert set(Role.values) <= set(groups)
    for role in Role:
        held = {f"{p.content_type.app_label}.{p.codename}" for p in groups[role.value].permissions.all()}
        assert held == permissions_for(role), role


def test_every_role_is_in_the_map() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_role_reaches_its_desk_and_is_refused_another(
    role: Role, make_staff: Callable[..., User], client: Client
) -> None:
    user = make_staff(role)
    client.force_login(user)

    home = client.get("/console/")
    assert home.status_code == 302
    assert home["Location"] == f"/console/desk/{role.value}/"
    own = client.get(f"/console/desk/{role.value}/")
    assert own.status_code == 200
    assert own.context["role"] == role

    refused = client.get(f"/console/desk/{REFUSED_DESK[role].value}/")
    assert refused.status_code == 403


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_role_reaches_the_api_and_is_refused_what_it_lacks(
    role: Role, make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]
) -> None:
    api = api_as(make_staff(role))
    me = api.get("me")
    assert me.status_code == 200
    assert me.json()["roles"] == [role.value]

    audit = api.get("audit-log")
    staff = api.get("staff")
    if role is Role.PLATFORM_ADMIN:
        assert audit.status_code == 200
        assert staff.status_code == 200
    else:
        assert audit.status_code == 403
        assert audit.json()["code"] == "permission_denied"
        assert audit.json()["details"] == {"permission": "core.view_auditentry"}
        assert staff.status_code == 403


def test_director_oversees_every_business_desk(make_staff: Callable[..., User], client: Client) -> None:
    client.force_login(make_staff(Role.OPERATIONS_DIRECTOR))
    for role in Role:
        expected = 403 if role is Role.PLATFORM_ADMIN else 200
        assert client.get(f"/console/desk/{role.value}/").status_code == expected, role


def test_supervisor_sees_agents_desk_but_agent_not_supervisors(make_staff: Callable[..., User], client: Client) -> None:
    client.force_login(make_staff(Role.CS_SUPERVISOR))
    assert client.get("/console/desk/cs_agent/").status_code == 200
    client.force_login(make_staff(Role.CS_AGENT))
    assert client.get("/console/desk/cs_supervisor/").status_code == 403


def test_staff_without_a_role_has_no_desk(make_staff: Callable[..., User], client: Client) -> None:
    client.force_login(make_staff())
    response = client.get("/console/")
    assert response.status_code == 403
    assert "console/no_role.html" in [t.name for t in response.templates]
    assert client.get("/console/desk/store_operator/").status_code == 403


def test_unknown_desk_is_404(admin_user: User, client: Client) -> None:
    client.force_login(admin_user)
    assert client.get("/console/desk/astronaut/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/console/desk/store_operator/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=")
