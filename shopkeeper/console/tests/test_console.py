"""The console: sign-in, navigation by role, tokens and staff pages, language switch."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from conftest import PASSWORD
from shopkeeper.core.enums import Role
from shopkeeper.core.models import ApiToken, AuditEntry, User

pytestmark = pytest.mark.django_db


def _nav_labels(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [link.label for section in response.context["console_nav"] for link in section.links]


def test_sign_in_lands_on_the_role_desk_and_sign_out_ends_it(make_staff: Callable[..., User], client: Client) -> None:
    user = make_staff(Role.WAREHOUSE, username="zhou_qiang")
    response = client.post("/console/login/", {"username": "zhou_qiang", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/console/desk/warehouse/"
    assert response.context["user"] == user

    client.post("/console/logout/")
    assert client.get("/console/desk/warehouse/").status_code == 302


def test_wrong_password_is_refused(make_staff: Callable[..., User], client: Client) -> None:
    make_staff(Role.WAREHOUSE, username="zhou_qiang")
    response = client.post("/console/login/", {"username": "zhou_qiang", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_deactivated_staff_cannot_sign_in(make_staff: Callable[..., User], client: Client) -> None:
    make_staff(Role.WAREHOUSE, username="gone_user", active=False)
    client.post("/console/login/", {"username": "gone_user", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_navigation_shows_only_what_the_role_may_use(
    admin_user: User, make_staff: Callable[..., User], client: Client
) -> None:
    client.force_login(make_staff(Role.STORE_OPERATOR))
    client.cookies["django_language"] = "en"
    labels = _nav_labels(client.get("/console/desk/store_operator/"))
    assert labels == [
        "Store operator",
        "Products",
        "Import & export",
        "Compliance",
        "Banned words",
        "Home page",
        "Reviews",
        "Orders",
        "Payments",
        "Shipping fees",
        "Warehouse queue",
        "Shipments",
        "Overdue shipments",
        "Surge drill",
        "After-sales queue",
        "Refund rates",
        "Promotions",
        "Promotion calendar",
        "Presales",
        "Stock",
        "Low-stock alerts",
        "Warehouses",
        "API tokens",
    ]

    client.force_login(admin_user)
    labels = _nav_labels(client.get("/console/desk/platform_admin/"))
    assert labels == [
        "Platform admin",
        "Compliance",
        "Banned words",
        "Staff",
        "Roles",
        "Audit log",
        "System health",
        "Sandbox gateway",
        "API tokens",
    ]

    client.force_login(make_staff(Role.CS_SUPERVISOR))
    labels = _nav_labels(client.get("/console/desk/cs_supervisor/"))
    assert labels[:2] == ["Customer-service supervisor", "Customer-service agent"]


def test_business_desk_shows_no_made_up_figures(make_staff: Callable[..., User], client: Client) -> None:
    client.force_login(make_staff(Role.DATA_ANALYST))
    client.cookies["django_language"] = "en"
    page = client.get("/console/desk/data_analyst/").content.decode()
    assert 'data-testid="no-data"' in page
    assert "No data yet" in page
    assert not re.search(r"¥\s?\d", page)


def test_admin_desk_charts_real_staff_counts(admin_user: User, make_staff: Callable[..., User], client: Client) -> None:
    make_staff(Role.WAREHOUSE, username="w1")
    make_staff(Role.WAREHOUSE, username="w2")
    client.force_login(admin_user)
    response = client.get("/console/desk/platform_admin/")
    chart = response.context["staff_chart"]
    counts = dict(zip(chart["labels"], chart["counts"], strict=True))
    assert counts[str(Role.WAREHOUSE.label)] == 2
    assert counts[str(Role.PLATFORM_ADMIN.label)] == 1
    assert "vendor/echarts.min.js" in response.content.decode()


def test_token_page_shows_the_secret_once(make_staff: Callable[..., User], client: Client) -> None:
    user = make_staff(Role.NEW_MEDIA)
    client.force_login(user)
    created = client.post("/console/tokens/", {"name": "content calendar sync"})
    assert created.status_code == 200
    secret = created.context["new_secret"]
    assert secret.startswith("skt_")
    assert secret in created.content.decode()
    again = client.get("/console/tokens/")
    assert secret not in again.content.decode()

    token = ApiToken.objects.get(user=user)
    client.post(f"/console/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="api_token.revoke").channel == "console"


def test_token_page_rejects_bad_input(make_staff: Callable[..., User], client: Client) -> None:
    client.force_login(make_staff(Role.NEW_MEDIA))
    response = client.post("/console/tokens/", {"name": "", "expires_in_days": "-3"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "expires_in_days"}
    assert not ApiToken.objects.exists()


def test_admin_creates_staff_in_the_console(admin_user: User, client: Client) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/console/staff/new/",
        {"username": "sun_li", "display_name": "孙丽", "password": "Shop-Ops-2026!", "roles": ["cs_agent"]},
    )
    assert response.status_code == 302
    user = User.objects.get(username="sun_li")
    assert user.role_names == ["cs_agent"]
    assert AuditEntry.objects.get(action="staff.create").channel == "console"

    weak = client.post("/console/staff/new/", {"username": "weak_pw", "password": "123", "roles": ["cs_agent"]})
    assert weak.status_code == 422
    assert "password" in weak.context["form"].errors
    assert not User.objects.filter(username="weak_pw").exists()

    edit = client.post(f"/console/staff/{user.pk}/", {"action": "roles", "roles": ["cs_supervisor"]})
    assert edit.status_code == 302
    assert User.objects.get(pk=user.pk).role_names == ["cs_supervisor"]
    client.post(f"/console/staff/{user.pk}/", {"action": "deactivate"})
    assert not User.objects.get(pk=user.pk).is_active


def test_chinese_by_default_english_on_request(make_staff: Callable[..., User], client: Client) -> None:
    page = client.get("/console/login/")
    assert page.status_code == 200
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/console/login/"}, follow=True)
    assert '<html lang="en">' in switched.content.decode()
    assert "Sign in" in switched.content.decode()


def test_vendor_libraries_are_served_locally(client: Client) -> None:
    for path in ("/static/vendor/htmx.min.js", "/static/vendor/echarts.min.js", "/static/shopkeeper/shopkeeper.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]  # a FileResponse here
        assert len(body) > 1000, path
