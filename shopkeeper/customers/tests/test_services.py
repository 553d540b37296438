"""Customer services against the database: sign-up, sign-in and its limits, the address book."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shopkeeper.core.enums import Role
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.events import subscribe, unsubscribe
from shopkeeper.core.models import User
from shopkeeper.customers import selectors, services
from shopkeeper.customers.errors import (
    AddressBookFull,
    MobileTaken,
    NotACustomer,
    SignInFailed,
    TooManySignInAttempts,
)
from shopkeeper.customers.events import CustomerRegistered
from shopkeeper.customers.models import Address, Customer
from shopkeeper.customers.tests.conftest import CUSTOMER_PASSWORD, MakeCustomer, address_fields

pytestmark = pytest.mark.django_db


# --- registration ---------------------------------------------------------------------------


class TestRegister:
    @pytest.fixture
    def announced(self) -> Iterator[list[CustomerRegistered]]:
        seen: list[CustomerRegistered] = []
        subscribe(CustomerRegistered, seen.append)
        yield seen
        unsubscribe(CustomerRegistered, seen.append)

    def test_makes_a_plain_account_named_by_the_mobile_with_a_profile(
        self, announced: list[CustomerRegistered]
    ) -> None:
        user = services.customer_register(
            mobile="+86 138-0013-8000", password=CUSTOMER_PASSWORD, nickname=" 小美 ", channel="小红书"
        )
        user.refresh_from_db()
        assert user.username == "13800138000"
        assert user.check_password(CUSTOMER_PASSWORD)
        assert not user.is_staff
        assert not user.is_superuser
        assert not user.groups.exists()
        profile = Customer.objects.get(user=user)
        assert (profile.mobile, profile.nickname, profile.channel) == ("13800138000", "小美", "小红书")
        assert announced == [
            CustomerRegistered(
                user_id=user.pk, mobile="13800138000", channel="小红书", registered_at=profile.registered_at
            )
        ]

    def test_the_channel_is_direct_unless_told(self) -> None:
        user = services.customer_register(mobile="13800138000", password=CUSTOMER_PASSWORD)
        assert Customer.objects.get(user=user).channel == "direct"
        assert services.channel_clean("  ") == "direct"
        assert services.channel_clean("x" * 50) == "x" * 32

    @pytest.mark.parametrize(
        ("password", "fragment"),
        [("1234", "too short"), ("12345678901", "entirely numeric"), ("password123", "too common")],
    )
    def test_django_password_rules_apply(self, password: str, fragment: str) -> None:
        with pytest.raises(ValidationFailed) as refused:
            services.customer_register(mobile="13800138000", password=password)
        assert any(fragment in message for message in refused.value.details["password"])
        assert not User.objects.exists()

    def test_a_password_like_the_mobile_is_refused(self) -> None:
        with pytest.raises(ValidationFailed) as refused:
            services.customer_register(mobile="13800138000", password="13800138000a")
        assert "password" in refused.value.details

    def test_not_a_mobile_number(self) -> None:
        with pytest.raises(ValidationFailed) as refused:
            services.customer_register(mobile="12345", password=CUSTOMER_PASSWORD)
        assert set(refused.value.details) == {"mobile"}
        assert "11-digit" in refused.value.message

    def test_one_account_per_mobile(self, make_customer: MakeCustomer) -> None:
        make_customer("13800138000")
        with pytest.raises(MobileTaken):
            services.customer_register(mobile="138 0013 8000", password=CUSTOMER_PASSWORD)
        assert Customer.objects.count() == 1

    def test_a_staff_username_that_looks_like_a_mobile_is_taken_too(self, make_staff: Callable[..., User]) -> None:
        make_staff(Role.CS_AGENT, username="13800138000")
        with pytest.raises(MobileTaken):
            services.customer_register(mobile="13800138000", password=CUSTOMER_PASSWORD)
        assert not Customer.objects.exists()


# --- signing in -----------------------------------------------------------------------------


class TestSignIn:
    def test_right_password(self, customer: User) -> None:
        assert services.customer_sign_in(mobile="138 0013 8000", password=CUSTOMER_PASSWORD, ip_address="10.0.0.1") == (
            customer
        )

    def test_wrong_password_or_unknown_number_say_the_same(self, customer: User) -> None:
        with pytest.raises(SignInFailed) as wrong_password:
            services.customer_sign_in(mobile="13800138000", password="nope", ip_address="10.0.0.1")
        with pytest.raises(SignInFailed) as unknown:
            services.customer_sign_in(mobile="13900000000", password=CUSTOMER_PASSWORD, ip_address="10.0.0.1")
        assert wrong_password.value.message == unknown.value.message

    def test_a_staff_account_cannot_sign_in_as_a_customer(self, make_staff: Callable[..., User]) -> None:
        make_staff(Role.CS_AGENT, username="13700001111")
        with pytest.raises(NotACustomer):
            services.customer_sign_in(mobile="13700001111", password="correct-horse-battery-staple", ip_address=None)

    def test_a_customer_given_a_role_is_staff_and_cannot_shop_with_it(self, customer: User) -> None:
        from django.contrib.auth.models import Group

        from shopkeeper.core.services import role_groups_sync

        role_groups_sync()
        customer.groups.add(Group.objects.get(name=Role.CS_AGENT.value))
        with pytest.raises(NotACustomer):
            services.customer_sign_in(mobile="13800138000", password=CUSTOMER_PASSWORD, ip_address=None)

    def test_five_failures_lock_the_number_for_fifteen_minutes(self, customer: User) -> None:
        for _attempt in range(services.SIGN_IN_FAILURES_PER_MOBILE - 1):
            with pytest.raises(SignInFailed):
                services.customer_sign_in(mobile="13800138000", password="guess", ip_address="10.0.0.1")
        with pytest.raises(TooManySignInAttempts) as locked:
            services.customer_sign_in(mobile="13800138000", password="guess", ip_address="10.0.0.2")
        assert "15 minutes" in locked.value.message
        assert 0 < locked.value.retry_after_seconds <= services.SIGN_IN_WINDOW_SECONDS
        # Locked means locked: the right password from another address does not get in either.
        with pytest.raises(TooManySignInAttempts):
            services.customer_sign_in(mobile="13800138000", password=CUSTOMER_PASSWORD, ip_address="10.9.9.9")

    def test_a_success_forgets_the_earlier_failures(self, customer: User) -> None:
        for _round in range(2):
            for _attempt in range(services.SIGN_IN_FAILURES_PER_MOBILE - 1):
                with pytest.raises(SignInFailed):
                    services.customer_sign_in(mobile="13800138000", password="guess", ip_address=None)
            services.customer_sign_in(mobile="13800138000", password=CUSTOMER_PASSWORD, ip_address=None)

    def test_one_address_trying_many_numbers_is_locked(self, customer: User) -> None:
        for index in range(services.SIGN_IN_FAILURES_PER_IP - 1):
            with pytest.raises(SignInFailed):
                services.customer_sign_in(mobile=f"1390000{index:04d}", password="guess", ip_address="10.0.0.7")
        with pytest.raises(TooManySignInAttempts):
            services.customer_sign_in(mobile="13700000000", password="guess", ip_address="10.0.0.7")
        with pytest.raises(TooManySignInAttempts):
            services.customer_sign_in(mobile="13800138000", password=CUSTOMER_PASSWORD, ip_address="10.0.0.7")
        # Another address is unaffected.
        assert services.customer_sign_in(mobile="13800138000", password=CUSTOMER_PASSWORD, ip_address="10.0.0.8")


# --- address book ---------------------------------------------------------------------------


def add(user: User, **overrides: object) -> Address:
    return services.address_create(user=user, **address_fields(**overrides))


class TestAddressBook:
    def test_the_first_address_is_the_default_and_later_ones_are_not(self, customer: User) -> None:
        first = add(customer)
        second = add(customer, recipient="李爸爸", province="浙江", city="杭州市", district="西湖区")
        assert first.is_default
        assert not second.is_default
        assert second.province == "浙江省"
        assert selectors.address_default(customer) == first
        assert selectors.address_list(customer) == [first, second]

    def test_asking_for_default_moves_it(self, customer: User) -> None:
        first = add(customer)
        second = add(customer, is_default=True)
        assert selectors.address_default(customer) == second
        first.refresh_from_db()
        assert not first.is_default
        assert Address.objects.filter(customer=customer, is_default=True).count() == 1

    def test_at_most_twenty(self, customer: User) -> None:
        for index in range(services.MAX_ADDRESSES):
            add(customer, detail=f"世纪大道{index + 1}号")
        with pytest.raises(AddressBookFull):
            add(customer)
        assert Address.objects.filter(customer=customer).count() == services.MAX_ADDRESSES

    def test_a_bad_address_changes_nothing_and_names_every_field(self, customer: User) -> None:
        with pytest.raises(ValidationFailed) as refused:
            add(customer, recipient="", mobile="110", province="上海市", city="杭州市", detail="路" * 121)
        assert set(refused.value.details) == {"recipient", "mobile", "city", "detail"}
        assert refused.value.details["city"] == "Choose a city of the chosen province"
        assert not Address.objects.exists()

    def test_update_replaces_the_fields_and_keeps_one_default(self, customer: User) -> None:
        first = add(customer)
        second = add(customer)
        updated = services.address_update(
            user=customer,
            address_id=second.pk,
            **address_fields(recipient="王阿姨", province="广东省", city="深圳市", district="南山区", detail="科技园"),
        )
        assert (updated.recipient, updated.city, updated.is_default) == ("王阿姨", "深圳市", False)
        # Unticking "default" on the default address does not leave the book without one.
        kept = services.address_update(user=customer, address_id=first.pk, **address_fields(), is_default=False)
        assert kept.is_default
        services.address_update(user=customer, address_id=second.pk, **address_fields(), is_default=True)
        assert selectors.address_default(customer) == second
        assert Address.objects.filter(customer=customer, is_default=True).count() == 1

    def test_deleting_the_default_promotes_the_newest_remaining(self, customer: User) -> None:
        default = add(customer)
        older = add(customer)
        newer = add(customer)
        Address.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
        services.address_delete(user=customer, address_id=default.pk)
        assert selectors.address_default(customer) == newer
        services.address_delete(user=customer, address_id=older.pk)
        assert selectors.address_default(customer) == newer
        services.address_delete(user=customer, address_id=newer.pk)
        assert selectors.address_default(customer) is None

    def test_set_default(self, customer: User) -> None:
        add(customer)
        second = add(customer)
        assert services.address_set_default(user=customer, address_id=second.pk).is_default
        assert selectors.address_default(customer) == second

    def test_another_customers_address_does_not_exist_for_you(self, customer: User, other_customer: User) -> None:
        theirs = add(other_customer)
        with pytest.raises(NotFound):
            selectors.address_get(user=customer, address_id=theirs.pk)
        with pytest.raises(NotFound):
            services.address_update(user=customer, address_id=theirs.pk, **address_fields(recipient="偷梁换柱"))
        with pytest.raises(NotFound):
            services.address_set_default(user=customer, address_id=theirs.pk)
        with pytest.raises(NotFound):
            services.address_delete(user=customer, address_id=theirs.pk)
        theirs.refresh_from_db()
        assert theirs.recipient == "李小美"
        assert selectors.address_list(customer) == []

    def test_staff_have_no_address_book(self, make_staff: Callable[..., User]) -> None:
        staff = make_staff(Role.STORE_OPERATOR)
        with pytest.raises(NotACustomer):
            add(staff)
        assert selectors.customer_profile(staff) is None

    def test_the_database_refuses_a_second_default(self, customer: User) -> None:
        add(customer)
        with pytest.raises(IntegrityError), transaction.atomic():
            Address.objects.create(customer=customer, is_default=True, **address_fields())


class TestBulkLoad:
    def test_loads_customers_with_their_addresses_and_one_password(self) -> None:
        from django.contrib.auth.hashers import make_password

        when = timezone.now() - timedelta(days=30)
        rows = [
            services.BulkCustomer(
                mobile=f"1370000000{index}",
                name=f"张{index}",
                nickname="",
                registered_at=when,
                channel="抖音直播",
                addresses=[services.BulkAddress(**address_fields(mobile=f"1370000000{index}"))] * (index + 1),
            )
            for index in range(3)
        ]
        result = services.customers_bulk_load(customers=rows, password_hash=make_password(CUSTOMER_PASSWORD))
        assert result == services.BulkCustomersResult(customers=3, addresses=6)
        user = User.objects.get(username="13700000002")
        assert user.check_password(CUSTOMER_PASSWORD)
        assert user.date_joined == when
        assert selectors.customer_profile(user) is not None
        assert [a.is_default for a in selectors.address_list(user)].count(True) == 1

    def test_a_bad_row_loads_nothing(self) -> None:
        row = services.BulkCustomer(
            mobile="13700000000",
            name="张三",
            nickname="",
            registered_at=timezone.now(),
            channel="天猫",
            addresses=[services.BulkAddress(**address_fields(city="广州市"))],
        )
        with pytest.raises(ValidationFailed):
            services.customers_bulk_load(customers=[row], password_hash="!")
        assert not User.objects.exists()
