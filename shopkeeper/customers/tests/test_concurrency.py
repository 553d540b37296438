"""Address books under concurrent writes (PostgreSQL): one default, never more than 20 addresses,
one account per mobile number when two sign-ups race, and tier changes that queue on the row."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.customers import services
from shopkeeper.customers.errors import AddressBookFull, MobileTaken
from shopkeeper.customers.models import Address, Customer
from shopkeeper.customers.tests.conftest import CUSTOMER_PASSWORD, address_fields

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]


def _race(count: int, work: Callable[[int], object]) -> list[object]:
    results: list[object] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(index))
        except ShopkeeperError as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_first_addresses_added_at_once_make_exactly_one_default(customer: User) -> None:
    results = _race(6, lambda index: services.address_create(user=customer, **address_fields(detail=f"{index}号")))
    assert all(isinstance(result, Address) for result in results), results
    assert Address.objects.filter(customer=customer).count() == 6
    assert Address.objects.filter(customer=customer, is_default=True).count() == 1


def test_the_book_never_grows_past_twenty(customer: User) -> None:
    for index in range(services.MAX_ADDRESSES - 3):
        services.address_create(user=customer, **address_fields(detail=f"{index}号"))
    results = _race(8, lambda index: services.address_create(user=customer, **address_fields(detail=f"新{index}号")))
    assert sum(isinstance(result, Address) for result in results) == 3
    assert sum(isinstance(result, AddressBookFull) for result in results) == 5
    assert Address.objects.filter(customer=customer).count() == services.MAX_ADDRESSES


def test_two_sign_ups_with_one_number_make_one_account() -> None:
    results = _race(4, lambda index: services.customer_register(mobile="13800138000", password=CUSTOMER_PASSWORD))
    assert sum(isinstance(result, User) for result in results) == 1
    assert sum(isinstance(result, MobileTaken) for result in results) == 3
    assert Customer.objects.count() == 1


def test_tier_changes_at_once_queue_on_the_row_and_the_audit_log_chains_them(customer: User) -> None:
    """Four user-ops members set four tiers at the same moment: the customer ends in one of them
    and every entry's "before" is the tier the previous change left (none is lost)."""
    from shopkeeper.core.models import AuditEntry
    from shopkeeper.core.services import ActorContext

    tiers = ["silver", "gold", "platinum", "silver"]
    results = _race(
        4,
        lambda index: services.customer_set_tier(
            customer_id=customer.pk, tier=tiers[index], reason=f"#{index}", actor=ActorContext.system()
        ),
    )
    assert all(isinstance(result, Customer) for result in results), results
    entries = list(AuditEntry.objects.filter(action="customer.set_tier").order_by("pk"))
    held = "regular"
    for entry in entries:  # a change to the tier already held writes nothing, so the chain has no gap
        assert entry.before == {"tier": held}
        held = (entry.after or {})["tier"]
    assert Customer.objects.get(user=customer).tier == held
    assert 2 <= len(entries) <= 4
