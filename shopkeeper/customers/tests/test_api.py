"""The customer account API over HTTP: the storefront session, CSRF on writes, the house error
shape, sign-in limits (429), and a customer reaching only their own addresses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.customers import services
from shopkeeper.customers.models import Address, Customer
from shopkeeper.customers.tests.conftest import CUSTOMER_PASSWORD, address_fields

pytestmark = pytest.mark.django_db

BASE = "/api/v1/shop/account"
ENGLISH = {"accept-language": "en"}


def call(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    caller = getattr(client, method)
    data = json.dumps(body) if body is not None else None
    return caller(f"{BASE}{path}", data=data, content_type="application/json", headers={**ENGLISH, **headers})


def shape(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    return dict(body)


@pytest.fixture
def signed_in(client: Client, customer: User) -> Client:
    client.force_login(customer)
    return client


class TestSession:
    def test_register_signs_in_and_me_answers(self, client: Client) -> None:
        response = call(
            client,
            "post",
            "/register",
            {"mobile": "139 1234 5678", "password": CUSTOMER_PASSWORD, "nickname": "阿杰", "channel": "抖音直播"},
        )
        assert response.status_code == 201
        assert response.json()["mobile"] == "13912345678"
        me = call(client, "get", "/me").json()
        assert me["nickname"] == "阿杰"
        assert me["channel"] == "抖音直播"
        assert me["address_count"] == 0
        assert me["default_address_id"] is None

    def test_register_refusals_name_the_fields(self, client: Client) -> None:
        response = call(client, "post", "/register", {"mobile": "110", "password": "123"})
        assert response.status_code == 422
        body = shape(response)
        assert body["code"] == "validation_error"
        assert set(body["details"]) == {"mobile", "password"}
        assert not User.objects.exists()

    def test_register_a_taken_number_is_409(self, client: Client, customer: User) -> None:
        response = call(client, "post", "/register", {"mobile": "13800138000", "password": CUSTOMER_PASSWORD})
        assert response.status_code == 409
        assert shape(response)["code"] == "conflict"

    def test_login_and_logout(self, client: Client, customer: User) -> None:
        response = call(client, "post", "/login", {"mobile": "13800138000", "password": CUSTOMER_PASSWORD})
        assert response.status_code == 200
        assert response.json()["display_name"] == "小美"
        assert call(client, "get", "/me").status_code == 200
        assert call(client, "post", "/logout").status_code == 204
        assert call(client, "get", "/me").status_code == 401

    def test_wrong_password_is_401(self, client: Client, customer: User) -> None:
        response = call(client, "post", "/login", {"mobile": "13800138000", "password": "nope"})
        assert response.status_code == 401
        assert shape(response)["code"] == "unauthenticated"

    def test_five_failures_answer_429_with_retry_after(self, client: Client, customer: User) -> None:
        statuses = [
            call(client, "post", "/login", {"mobile": "13800138000", "password": "guess"}).status_code
            for _ in range(services.SIGN_IN_FAILURES_PER_MOBILE)
        ]
        assert statuses == [401] * (services.SIGN_IN_FAILURES_PER_MOBILE - 1) + [429]
        locked = call(client, "post", "/login", {"mobile": "13800138000", "password": CUSTOMER_PASSWORD})
        assert locked.status_code == 429
        body = shape(locked)
        assert body["code"] == "rate_limited"
        assert 0 < body["details"]["retry_after_seconds"] <= services.SIGN_IN_WINDOW_SECONDS
        assert int(locked["Retry-After"]) == body["details"]["retry_after_seconds"]

    def test_staff_cannot_sign_in_as_customers(self, client: Client, make_staff: Callable[..., User]) -> None:
        make_staff(Role.STORE_OPERATOR, username="13700001111")
        response = call(client, "post", "/login", {"mobile": "13700001111", "password": "correct-horse-battery-staple"})
        assert response.status_code == 403
        assert shape(response)["details"] == {"account": "staff"}
        assert "_auth_user_id" not in client.session

    def test_sign_in_needs_the_csrf_token(self, customer: User) -> None:
        browser = Client(enforce_csrf_checks=True)
        refused = call(browser, "post", "/login", {"mobile": "13800138000", "password": CUSTOMER_PASSWORD})
        assert refused.status_code == 403
        assert shape(refused)["details"] == {"header": "X-CSRFToken"}
        token = call(browser, "get", "/csrf").json()["csrf_token"]
        accepted = call(
            browser,
            "post",
            "/login",
            {"mobile": "13800138000", "password": CUSTOMER_PASSWORD},
            **{"X-CSRFToken": token},
        )
        assert accepted.status_code == 200

    def test_regions_list_every_province_with_its_cities(self, client: Client) -> None:
        regions = call(client, "get", "/regions").json()
        assert {"name": "上海市", "cities": ["上海市"]} in regions
        assert len(regions) == 34


class TestWhoMayCall:
    def test_visitors_get_401_even_on_writes_without_csrf(self) -> None:
        browser = Client(enforce_csrf_checks=True)
        for method, path in [("get", "/me"), ("get", "/addresses"), ("post", "/addresses"), ("delete", "/addresses/1")]:
            response = call(browser, method, path, address_fields() if method == "post" else None)
            assert response.status_code == 401, (method, path)
            assert shape(response)["code"] == "unauthenticated"

    def test_a_staff_session_is_not_a_customer(self, client: Client, make_staff: Callable[..., User]) -> None:
        client.force_login(make_staff(Role.CS_AGENT))
        response = call(client, "get", "/me")
        assert response.status_code == 403
        assert shape(response)["code"] == "permission_denied"

    def test_a_staff_token_opens_no_customer_endpoint(
        self, make_staff: Callable[..., User], api_as: Callable[[User], Any]
    ) -> None:
        staff_api = api_as(make_staff(Role.PLATFORM_ADMIN))
        assert staff_api.get(f"{BASE}/me").status_code == 401
        assert staff_api.get("me").status_code == 200  # the token still works where it belongs

    def test_a_customer_session_gets_403_from_staff_endpoints(self, signed_in: Client) -> None:
        for path in ["/api/v1/me", "/api/v1/staff", "/api/v1/tokens", "/api/v1/audit-log", "/api/v1/catalog/products"]:
            response = signed_in.get(path, headers=ENGLISH)
            assert response.status_code == 403, path
            assert shape(response)["code"] == "permission_denied"

    def test_session_writes_need_the_csrf_header(self, customer: User) -> None:
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(customer)
        refused = call(browser, "post", "/addresses", address_fields())
        assert refused.status_code == 403
        assert shape(refused)["details"] == {"header": "X-CSRFToken"}
        token = call(browser, "get", "/csrf").json()["csrf_token"]
        assert call(browser, "post", "/addresses", address_fields(), **{"X-CSRFToken": token}).status_code == 201


class TestAddresses:
    def test_create_list_update_default_delete(self, signed_in: Client, customer: User) -> None:
        first = call(signed_in, "post", "/addresses", address_fields())
        assert first.status_code == 201
        first_id = first.json()["id"]
        assert first.json()["is_default"] is True
        second = call(
            signed_in, "post", "/addresses", address_fields(province="浙江", city="杭州市", district="西湖区")
        ).json()
        assert second["province"] == "浙江省"
        assert second["full_line"].startswith("浙江省 杭州市 西湖区")

        listing = call(signed_in, "get", "/addresses").json()
        assert listing["count"] == 2
        assert [item["id"] for item in listing["items"]] == [first_id, second["id"]]

        updated = call(signed_in, "put", f"/addresses/{second['id']}", address_fields(recipient="王阿姨"))
        assert updated.status_code == 200
        assert updated.json()["recipient"] == "王阿姨"

        made = call(signed_in, "post", f"/addresses/{second['id']}/default")
        assert made.json()["is_default"] is True
        assert call(signed_in, "get", "/me").json()["default_address_id"] == second["id"]

        assert call(signed_in, "delete", f"/addresses/{second['id']}").status_code == 204
        assert call(signed_in, "get", f"/addresses/{first_id}").json()["is_default"] is True

    def test_a_bad_address_is_422_with_each_field_and_saves_nothing(self, signed_in: Client) -> None:
        response = call(signed_in, "post", "/addresses", address_fields(mobile="12345", city="广州市", district=" "))
        assert response.status_code == 422
        body = shape(response)
        assert body["code"] == "validation_error"
        assert set(body["details"]) == {"mobile", "city", "district"}
        assert not Address.objects.exists()

    def test_the_twenty_first_address_is_409(self, signed_in: Client, customer: User) -> None:
        for index in range(services.MAX_ADDRESSES):
            services.address_create(user=customer, **address_fields(detail=f"世纪大道{index}号"))
        response = call(signed_in, "post", "/addresses", address_fields())
        assert response.status_code == 409
        assert shape(response)["details"] == {"limit": services.MAX_ADDRESSES}

    def test_another_customers_address_is_404_everywhere(self, signed_in: Client, other_customer: User) -> None:
        theirs = services.address_create(user=other_customer, **address_fields(recipient="阿杰"))
        path = f"/addresses/{theirs.pk}"
        answers = [
            call(signed_in, "get", path),
            call(signed_in, "put", path, address_fields(recipient="偷梁换柱")),
            call(signed_in, "post", f"{path}/default"),
            call(signed_in, "delete", path),
        ]
        assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
        assert all(shape(answer)["code"] == "not_found" for answer in answers)
        theirs.refresh_from_db()
        assert theirs.recipient == "阿杰"
        assert call(signed_in, "get", "/addresses").json() == {"items": [], "count": 0}

    def test_me_of_each_customer_is_their_own(self, client: Client, customer: User, other_customer: User) -> None:
        client.force_login(other_customer)
        me = call(client, "get", "/me").json()
        assert me["id"] == other_customer.pk
        assert me["mobile"] == Customer.objects.get(user=other_customer).mobile
