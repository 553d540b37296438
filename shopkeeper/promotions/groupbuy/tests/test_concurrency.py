"""A group never has more members than its size: ten customers join the last two seats at the same
moment, on PostgreSQL, each a real thread with its own connection released by a barrier."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.customers import services as customers
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.orders.models import Order
from shopkeeper.promotions.groupbuy import services
from shopkeeper.promotions.groupbuy.models import Group, GroupBuy, GroupMember, MemberState

JOINERS = 10


def _join(share_code: str, user_id: int, address_id: int, barrier: threading.Barrier, results: list[object]) -> None:
    try:
        customer = User.objects.get(pk=user_id)
        barrier.wait(timeout=30)
        member = services.group_join(
            share_code=share_code, customer=customer, address_id=address_id, idempotency_key="rush", actor=SYSTEM
        )
        results.append(member.order_number)
    except ShopkeeperError as refused:
        results.append(refused)
    except Exception as crashed:
        results.append(crashed)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_ten_customers_for_the_last_two_seats_make_two_members(shop: Shop, groupbuy: GroupBuy) -> None:
    leader = services.group_open(
        groupbuy_id=groupbuy.pk, customer=shop.customer, address_id=shop.address_id, idempotency_key="o", actor=SYSTEM
    )
    joiners: list[tuple[int, int]] = []
    for index in range(JOINERS):
        user = customers.customer_register(mobile=f"136{index:08d}", password="Shop-Demo-2026")
        address = customers.address_create(
            user=user,
            recipient="团员",
            mobile=f"136{index:08d}",
            province="上海市",
            city="上海市",
            district="静安区",
            detail="南京西路 1 号",
        )
        joiners.append((user.pk, address.pk))
    barrier = threading.Barrier(JOINERS)
    results: list[object] = []
    threads = [
        threading.Thread(target=_join, args=(leader.group.share_code, user_id, address_id, barrier, results))
        for user_id, address_id in joiners
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    placed = [result for result in results if isinstance(result, str)]
    crashed = [result for result in results if not isinstance(result, str | ShopkeeperError)]
    assert crashed == []
    assert len(results) == JOINERS
    assert len(placed) == 2
    group = Group.objects.get(pk=leader.group_id)
    assert group.seats_taken == group.size == 3
    assert GroupMember.objects.filter(group=group, state=MemberState.PENDING).count() == 3
    # the refused joins rolled their orders back: only the three members' orders exist
    assert Order.objects.filter(kind="group", status=OrderStatus.PENDING_PAYMENT).count() == 3
