"""The account pages as a shopper uses them, through the test client: register, sign in and out,
the address book (add, edit, delete, default), refusals shown on the form with nothing saved,
another customer's address a 404, `?next=` kept on this site, and staff kept out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.customers import services
from shopkeeper.customers.models import Address, Customer
from shopkeeper.customers.tests import conftest as customer_fixtures
from shopkeeper.customers.tests.conftest import CUSTOMER_PASSWORD, address_fields

pytestmark = pytest.mark.django_db
make_customer = customer_fixtures.make_customer  # the customers app's fixtures, shared with these pages
customer = customer_fixtures.customer
other_customer = customer_fixtures.other_customer
ENGLISH = {"accept-language": "en"}
ADDRESS_ID = re.compile(r'data-testid="address" data-address-id="(\d+)"')


@pytest.fixture(autouse=True)
def _fresh_sign_in_counters(settings: Any) -> None:
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"{caches['default'].get('KEY_PREFIX', '')}-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches


def page(client: Client, path: str) -> Any:
    return client.get(path, headers=ENGLISH)


def submit(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data, headers=ENGLISH)


def html(response: Any) -> str:
    return str(response.content.decode())


def form_data(**overrides: Any) -> dict[str, Any]:
    data = address_fields(**overrides)
    if data.pop("is_default", False):
        data["is_default"] = "on"
    return data


@pytest.fixture
def signed_in(client: Client, customer: User) -> Client:
    client.force_login(customer)
    return client


# --- registering ----------------------------------------------------------------------------


class TestRegister:
    def test_register_signs_in_and_greets(self, client: Client) -> None:
        form = page(client, "/account/register/?channel=小红书")
        assert form.status_code == 200
        assert 'value="小红书"' in html(form)
        response = submit(
            client,
            "/account/register/",
            {
                "mobile": "138 0013 8000",
                "nickname": "小美",
                "password": CUSTOMER_PASSWORD,
                "password_again": CUSTOMER_PASSWORD,
                "channel": "小红书",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/account/"
        centre = html(page(client, "/account/"))
        assert "Hello, 小美" in centre
        assert "Welcome! Your account is ready." in centre
        assert 'href="/orders/"' in centre
        assert Customer.objects.get(mobile="13800138000").channel == "小红书"

    def test_utm_source_is_the_channel_and_direct_is_the_default(self, client: Client) -> None:
        assert 'value="douyin"' in html(page(client, "/account/register/?utm_source=douyin"))
        assert 'value="direct"' in html(page(client, "/account/register/"))

    def test_refusals_are_shown_and_nothing_is_saved(self, client: Client) -> None:
        response = submit(
            client,
            "/account/register/",
            {"mobile": "12345", "password": "12345678", "password_again": "12345678"},
        )
        assert response.status_code == 422
        body = html(response)
        assert 'data-testid="error-mobile"' in body
        assert "11-digit mainland China mobile number" in body
        assert 'data-testid="error-password"' in body
        assert not User.objects.exists()

    def test_the_two_passwords_must_match(self, client: Client) -> None:
        response = submit(
            client,
            "/account/register/",
            {"mobile": "13800138000", "password": CUSTOMER_PASSWORD, "password_again": CUSTOMER_PASSWORD + "x"},
        )
        assert response.status_code == 422
        assert "The two passwords are not the same" in html(response)
        assert not User.objects.exists()

    def test_a_registered_number_is_told_to_sign_in(self, client: Client, customer: User) -> None:
        response = submit(
            client,
            "/account/register/",
            {"mobile": "13800138000", "password": CUSTOMER_PASSWORD, "password_again": CUSTOMER_PASSWORD},
        )
        assert response.status_code == 409
        assert "This mobile number already has an account" in html(response)


# --- signing in and out ---------------------------------------------------------------------


class TestSignIn:
    def test_sign_in_goes_to_next_and_fires_user_logged_in(self, client: Client, customer: User) -> None:
        seen: list[Any] = []

        def note(sender: Any, user: User, **kwargs: Any) -> None:
            seen.append(user)

        user_logged_in.connect(note)
        try:
            response = submit(
                client,
                "/account/login/",
                {"mobile": "13800138000", "password": CUSTOMER_PASSWORD, "next": "/account/addresses/?from=cart"},
            )
        finally:
            user_logged_in.disconnect(note)
        assert response.status_code == 302
        assert response["Location"] == "/account/addresses/?from=cart"
        assert seen == [customer]

    @pytest.mark.parametrize(
        "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "account/"]
    )
    def test_next_is_followed_only_to_paths_on_this_site(self, client: Client, customer: User, next_url: str) -> None:
        response = submit(
            client, "/account/login/", {"mobile": "13800138000", "password": CUSTOMER_PASSWORD, "next": next_url}
        )
        assert response["Location"] == "/account/"

    def test_a_customer_page_sends_visitors_to_sign_in_and_back(self, client: Client, customer: User) -> None:
        response = page(client, "/account/addresses/")
        assert response.status_code == 302
        assert response["Location"] == "/account/login/?next=/account/addresses/"
        form = html(page(client, response["Location"]))
        assert 'name="next" value="/account/addresses/"' in form
        assert "/account/register/?next=%2Faccount%2Faddresses%2F" in form

    def test_a_wrong_password_is_shown_and_no_session_starts(self, client: Client, customer: User) -> None:
        response = submit(client, "/account/login/", {"mobile": "13800138000", "password": "nope"})
        assert response.status_code == 422
        assert "The mobile number or the password is not right" in html(response)
        assert "_auth_user_id" not in client.session

    def test_five_failures_lock_with_a_clear_message(self, client: Client, customer: User) -> None:
        statuses = [
            submit(client, "/account/login/", {"mobile": "13800138000", "password": "guess"}).status_code
            for _attempt in range(services.SIGN_IN_FAILURES_PER_MOBILE)
        ]
        assert statuses == [422] * (services.SIGN_IN_FAILURES_PER_MOBILE - 1) + [429]
        locked = submit(client, "/account/login/", {"mobile": "13800138000", "password": CUSTOMER_PASSWORD})
        assert locked.status_code == 429
        assert "Too many failed sign-ins" in html(locked)
        assert "try again in 15 minutes" in html(locked)
        assert "_auth_user_id" not in client.session

    def test_staff_cannot_sign_in_on_the_storefront(self, client: Client, make_staff: Callable[..., User]) -> None:
        make_staff(Role.STORE_OPERATOR, username="13700001111")
        response = submit(
            client, "/account/login/", {"mobile": "13700001111", "password": "correct-horse-battery-staple"}
        )
        assert response.status_code == 403
        assert "This is a staff account" in html(response)
        assert "_auth_user_id" not in client.session

    def test_a_staff_session_is_no_customer_on_customer_pages(
        self, client: Client, make_staff: Callable[..., User]
    ) -> None:
        client.force_login(make_staff(Role.CS_AGENT))
        response = page(client, "/account/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")
        assert 'data-testid="staff-session"' in html(page(client, response["Location"]))
        assert page(client, "/account/addresses/new/").status_code == 302

    def test_customers_get_403_from_the_console(self, signed_in: Client) -> None:
        for path in ["/console/", "/console/tokens/", "/console/staff/", "/console/audit/", "/console/desk/cs_agent/"]:
            assert page(signed_in, path).status_code == 403, path

    def test_customers_signing_in_at_the_console_get_403_there(self, client: Client, customer: User) -> None:
        response = client.post(
            "/console/login/", {"username": "13800138000", "password": CUSTOMER_PASSWORD}, follow=True
        )
        assert response.status_code == 403

    def test_sign_out_is_a_post(self, signed_in: Client) -> None:
        assert page(signed_in, "/account/logout/").status_code == 405
        response = submit(signed_in, "/account/logout/", {})
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert page(signed_in, "/account/").status_code == 302

    def test_signed_in_customers_skip_the_sign_in_page(self, signed_in: Client) -> None:
        assert page(signed_in, "/account/login/?next=/account/addresses/")["Location"] == "/account/addresses/"
        assert page(signed_in, "/account/register/")["Location"] == "/account/"


class TestHeader:
    def test_visitors_see_sign_in_and_the_cart(self, client: Client) -> None:
        home = html(page(client, "/"))
        assert 'data-testid="header-sign-in"' in home
        assert 'href="/cart/"' in home
        assert 'data-testid="header-account"' not in home

    def test_customers_see_my_account(self, signed_in: Client) -> None:
        home = html(page(signed_in, "/"))
        assert 'data-testid="header-account"' in home
        assert 'data-testid="header-sign-in"' not in home


# --- address book ---------------------------------------------------------------------------


class TestAddressBook:
    def test_add_edit_make_default_and_delete(self, signed_in: Client, customer: User) -> None:
        empty = html(page(signed_in, "/account/addresses/"))
        assert 'data-testid="address-empty"' in empty
        new_form = html(page(signed_in, "/account/addresses/new/"))
        assert 'value="13800138000"' in new_form  # the customer's own number, filled in
        assert '<option value="浙江省">浙江省</option>' in new_form

        added = submit(signed_in, "/account/addresses/new/", form_data())
        assert added.status_code == 302
        assert added["Location"] == "/account/addresses/"
        book = html(page(signed_in, "/account/addresses/"))
        assert "Address added." in book
        assert "上海市 浦东新区 世纪大道100号" in book
        assert 'data-testid="address-default"' in book
        first = Address.objects.get()

        edit_form = html(page(signed_in, f"/account/addresses/{first.pk}/edit/"))
        assert 'value="李小美"' in edit_form
        assert 'data-testid="address-is-default"' in edit_form
        edited = submit(
            signed_in,
            f"/account/addresses/{first.pk}/edit/",
            form_data(recipient="李大美", province="浙江省", city="杭州市", district="西湖区", detail="文三路90号"),
        )
        assert edited.status_code == 302
        first.refresh_from_db()
        assert (first.recipient, first.province, first.city, first.is_default) == ("李大美", "浙江省", "杭州市", True)

        submit(signed_in, "/account/addresses/new/", form_data(recipient="李爸爸"))
        second = Address.objects.get(recipient="李爸爸")
        assert not second.is_default
        book = html(page(signed_in, "/account/addresses/"))
        assert [int(pk) for pk in ADDRESS_ID.findall(book)] == [first.pk, second.pk]

        assert submit(signed_in, f"/account/addresses/{second.pk}/default/", {}).status_code == 302
        second.refresh_from_db()
        assert second.is_default

        assert submit(signed_in, f"/account/addresses/{second.pk}/delete/", {}).status_code == 302
        assert list(Address.objects.values_list("pk", "is_default")) == [(first.pk, True)]
        assert "Address deleted." in html(page(signed_in, "/account/addresses/"))

    @pytest.mark.parametrize(
        ("overrides", "errors"),
        [
            ({"recipient": ""}, {"recipient": "Enter the recipient"}),
            ({"mobile": "0571-8888"}, {"mobile": "11-digit"}),
            ({"province": "上海市", "city": "杭州市"}, {"city": "Choose a city of the chosen province"}),
            ({"detail": "路" * 121}, {"detail": "At most 120 characters"}),
            ({"district": "", "detail": ""}, {"district": "Enter the district", "detail": "Enter the street"}),
        ],
    )
    def test_refusals_are_shown_on_their_fields_and_nothing_is_saved(
        self, signed_in: Client, overrides: dict[str, str], errors: dict[str, str]
    ) -> None:
        response = submit(signed_in, "/account/addresses/new/", form_data(**overrides))
        assert response.status_code == 422
        body = html(response)
        for field, message in errors.items():
            assert f'data-testid="error-{field}"' in body
            assert message in body
        assert not Address.objects.exists()

    def test_a_failed_edit_changes_nothing(self, signed_in: Client, customer: User) -> None:
        address = services.address_create(user=customer, **address_fields())
        response = submit(signed_in, f"/account/addresses/{address.pk}/edit/", form_data(recipient="", city="杭州市"))
        assert response.status_code == 422
        address.refresh_from_db()
        assert address.recipient == "李小美"

    def test_another_customers_address_is_404(self, signed_in: Client, other_customer: User) -> None:
        theirs = services.address_create(user=other_customer, **address_fields(recipient="阿杰"))
        assert page(signed_in, f"/account/addresses/{theirs.pk}/edit/").status_code == 404
        assert submit(signed_in, f"/account/addresses/{theirs.pk}/edit/", form_data()).status_code == 404
        assert submit(signed_in, f"/account/addresses/{theirs.pk}/default/", {}).status_code == 404
        assert submit(signed_in, f"/account/addresses/{theirs.pk}/delete/", {}).status_code == 404
        theirs.refresh_from_db()
        assert theirs.recipient == "阿杰"
        assert "阿杰" not in html(page(signed_in, "/account/addresses/"))

    def test_a_full_book_offers_no_add_button_and_refuses_one_more(self, signed_in: Client, customer: User) -> None:
        for index in range(services.MAX_ADDRESSES):
            services.address_create(user=customer, **address_fields(detail=f"世纪大道{index}号"))
        book = html(page(signed_in, "/account/addresses/"))
        assert 'data-testid="address-book-full"' in book
        assert 'data-testid="address-add"' not in book
        response = submit(signed_in, "/account/addresses/new/", form_data())
        assert response.status_code == 409
        assert "at most 20 addresses" in html(response)

    def test_adding_from_checkout_goes_back_there(self, signed_in: Client) -> None:
        response = submit(signed_in, "/account/addresses/new/", {**form_data(), "next": "/checkout/"})
        assert response["Location"] == "/checkout/"

    def test_the_city_list_follows_the_province(self, client: Client) -> None:
        options = html(client.get("/account/addresses/cities/", {"province": "浙江省"}, headers={"HX-Request": "true"}))
        assert '<option value="杭州市">' in options
        assert "南京市" not in options
        single = html(client.get("/account/addresses/cities/", {"province": "上海市"}))
        assert '<option value="上海市" selected>' in single

    def test_the_book_reads_the_same_number_of_queries_for_1_or_15_addresses(
        self, signed_in: Client, customer: User
    ) -> None:
        services.address_create(user=customer, **address_fields())
        with CaptureQueriesContext(connection) as one:
            page(signed_in, "/account/addresses/")
        for index in range(14):
            services.address_create(user=customer, **address_fields(detail=f"世纪大道{index}号"))
        with CaptureQueriesContext(connection) as fifteen:
            page(signed_in, "/account/addresses/")
        assert len(fifteen) == len(one)


def test_account_centre_shows_the_default_address_and_the_count(signed_in: Client, customer: User) -> None:
    services.address_create(user=customer, **address_fields())
    services.address_create(user=customer, **address_fields(recipient="李爸爸"))
    centre = html(page(signed_in, "/account/"))
    assert "2 addresses" in centre
    assert 'data-testid="account-default-address"' in centre
    assert "138****8000" in centre


def test_an_empty_sign_in_says_what_is_missing(client: Client) -> None:
    response = submit(client, "/account/login/", {})
    assert response.status_code == 422
    assert "Enter your mobile number and your password" in html(response)
