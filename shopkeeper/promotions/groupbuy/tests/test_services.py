"""Group buys through the sandbox gateway's real notifications: opening, joining, the N-th payment
forming the group and releasing its orders, refusals, seats freed by cancelled orders, and a
group that runs out of time refunding every paid member exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.checkout.tests.test_order_payment_flow import pay
from shopkeeper.core import events
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, NotFound, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.orders.events import OrderReleased
from shopkeeper.orders.models import Order, OrderRefund
from shopkeeper.payments.services import sandbox
from shopkeeper.promotions.groupbuy import selectors, services
from shopkeeper.promotions.groupbuy.models import Group, GroupBuy, GroupMember, GroupState, MemberState
from shopkeeper.promotions.groupbuy.tests.conftest import terms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]

Buyer = Callable[[int], tuple[User, int]]


def open_group(shop: Shop, groupbuy: GroupBuy, key: str = "open-1") -> GroupMember:
    return services.group_open(
        groupbuy_id=groupbuy.pk, customer=shop.customer, address_id=shop.address_id, idempotency_key=key, actor=SYSTEM
    )


def join(group: Group, who: tuple[User, int], key: str = "join-1") -> GroupMember:
    user, address_id = who
    return services.group_join(
        share_code=group.share_code, customer=user, address_id=address_id, idempotency_key=key, actor=SYSTEM
    )


def order_id(member: GroupMember) -> int:
    assert member.order_id is not None
    return member.order_id


def order_of(member: GroupMember) -> Order:
    return Order.objects.get(pk=order_id(member))


def run_out_of_time(group: Group) -> None:
    Group.objects.filter(pk=group.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def released() -> Any:
    seen: list[OrderReleased] = []
    events.subscribe(OrderReleased, seen.append)
    yield seen
    events.unsubscribe(OrderReleased, seen.append)


class TestSettingUp:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"group_size": 1}, "group_size"),
            ({"time_limit_hours": 0}, "time_limit_hours"),
            ({"group_price": Money(5900)}, "group_price"),  # the normal price
            ({"group_price": Money(2000)}, "group_price"),  # under the 50% margin floor (cost ¥19.66)
            ({"per_customer_limit": 0}, "per_customer_limit"),
            ({"title": "  "}, "title"),
        ],
    )
    def test_bad_terms_are_refused_with_the_field_and_nothing_is_saved(
        self, shop: Shop, change: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            services.groupbuy_save(**terms(shop, **change))
        assert field in refused.value.details["fields"]
        assert not GroupBuy.objects.exists()

    def test_a_window_ending_before_it_starts_is_refused(self, shop: Shop) -> None:
        now = timezone.now()
        with pytest.raises(ValidationFailed) as refused:
            services.groupbuy_save(**terms(shop, starts_at=now, ends_at=now - timedelta(hours=1)))
        assert "ends_at" in refused.value.details["fields"]

    def test_saving_records_the_normal_price_and_an_audit_entry(self, shop: Shop, groupbuy: GroupBuy) -> None:
        assert (groupbuy.normal_price_fen, groupbuy.group_price_fen, groupbuy.product_id) == (
            5900,
            3900,
            shop.cup.product_id,
        )
        changed = services.groupbuy_save(**terms(shop, groupbuy_id=groupbuy.pk, group_size=5))
        assert changed.pk == groupbuy.pk
        assert changed.group_size == 5


class TestOpeningAndJoining:
    def test_the_leader_buys_one_unit_at_the_group_price_held_until_the_group_forms(
        self, shop: Shop, groupbuy: GroupBuy
    ) -> None:
        leader = open_group(shop, groupbuy)
        order = order_of(leader)
        line = order.lines.get()
        assert (order.kind, order.fulfilment_hold) == (OrderKind.GROUP, services.HOLD_REASON)
        assert (line.unit_price_fen, line.quantity) == (3900, 1)
        assert line.explanation[0].startswith("拼团价 ¥39.00")
        assert leader.is_leader
        group = leader.group
        assert (group.state, group.seats_taken, group.size) == (GroupState.OPEN, 1, 3)
        assert group.expires_at - group.opened_at == timedelta(hours=24)
        assert open_group(shop, groupbuy).pk == leader.pk  # the same key: the same group

    def test_a_paused_or_finished_group_buy_opens_no_group(self, shop: Shop, groupbuy: GroupBuy) -> None:
        services.groupbuy_set_status(actor=SYSTEM, groupbuy_id=groupbuy.pk, status="paused")
        with pytest.raises(Conflict):
            open_group(shop, groupbuy)
        assert not Order.objects.exists()
        with pytest.raises(NotFound):
            services.group_open(
                groupbuy_id=0, customer=shop.customer, address_id=shop.address_id, idempotency_key="x", actor=SYSTEM
            )

    def test_the_limit_per_customer_counts_alive_group_orders(self, shop: Shop, groupbuy: GroupBuy) -> None:
        open_group(shop, groupbuy)
        with pytest.raises(Conflict):
            open_group(shop, groupbuy, key="open-2")
        assert Order.objects.count() == 1

    def test_joining_a_full_failed_or_expired_group_or_twice_is_refused(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer
    ) -> None:
        group = open_group(shop, groupbuy).group
        first = buyer(1)
        join(group, first)
        with pytest.raises(Conflict, match="already"):
            join(group, first, key="again")
        join(group, buyer(2))
        with pytest.raises(Conflict) as full:
            join(group, buyer(3))
        assert full.value.details == {"group": "full"}
        assert Order.objects.count() == 3  # the refused joins placed nothing
        group.refresh_from_db()
        assert group.seats_taken == 3
        run_out_of_time(group)
        with pytest.raises(Conflict) as expired:
            join(group, buyer(4))
        assert expired.value.details == {"group": "failed"}  # checked lazily: the group failed on read

    def test_a_cancelled_unpaid_order_frees_its_seat(self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer) -> None:
        group = open_group(shop, groupbuy).group
        member = join(group, buyer(1))
        orders.order_cancel(order=order_of(member), actor=SYSTEM, reason="不想要了")
        member.refresh_from_db()
        group.refresh_from_db()
        assert (member.state, group.seats_taken) == (MemberState.CANCELLED, 1)

    def test_an_order_not_paid_in_time_frees_its_seat_through_the_orders_worker(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer
    ) -> None:
        group = open_group(shop, groupbuy).group
        member = join(group, buyer(1))
        later = order_of(member).pay_deadline + timedelta(seconds=1)
        assert orders.orders_cancel_overdue(now=later) == 2  # both the leader's and the member's
        group.refresh_from_db()
        assert (group.seats_taken, group.state) == (0, GroupState.FAILED)  # nobody left


class TestFormingAndFailing:
    def test_the_third_payment_forms_the_group_and_releases_every_order(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer, settle: Any, released: list[OrderReleased]
    ) -> None:
        leader = open_group(shop, groupbuy)
        members = [leader, join(leader.group, buyer(1)), join(leader.group, buyer(2), key="j2")]
        for member in members[:2]:
            pay(order_of(member), settle)
        group = Group.objects.get(pk=leader.group_id)
        assert (group.state, group.paid_count) == (GroupState.OPEN, 2)
        assert all(order_of(m).fulfilment_hold for m in members[:2])  # nothing ships before the group forms
        pay(order_of(members[2]), settle, times=3)  # duplicate notifications count once
        group.refresh_from_db()
        assert (group.state, group.paid_count) == (GroupState.FORMED, 3)
        assert sorted(e.order_id for e in released) == sorted(order_id(m) for m in members)
        for member in members:
            order = order_of(member)
            assert (order.status, order.fulfilment_hold) == (OrderStatus.ALLOCATED, "")
        assert GroupMember.objects.filter(group=group, released=True).count() == 3
        assert services.groups_expire_due() == 0  # nothing left to do

    def test_a_group_out_of_time_refunds_every_paid_member_exactly_once(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer, settle: Any
    ) -> None:
        leader = open_group(shop, groupbuy)
        paid_member = join(leader.group, buyer(1))
        unpaid_member = join(leader.group, buyer(2), key="j2")
        pay(order_of(leader), settle)
        pay(order_of(paid_member), settle)
        run_out_of_time(leader.group)
        with settle():
            assert services.groups_expire_due() == 1
        with settle():
            assert services.groups_expire_due() == 0  # the second run changes nothing
            services.group_expire(group_id=leader.group_id)
        group = Group.objects.get(pk=leader.group_id)
        assert group.state == GroupState.FAILED
        for member in (leader, paid_member):
            order = order_of(member)
            refunds = list(OrderRefund.objects.filter(order=order))
            assert [r.amount_fen for r in refunds] == [order.paid_fen]  # the full amount, once
            assert (order.status, order.refunded_fen) == (OrderStatus.CLOSED, order.paid_fen)
            member.refresh_from_db()
            assert (member.state, member.refund_fen) == (MemberState.REFUNDED, order.paid_fen)
        assert order_of(unpaid_member).status == OrderStatus.CANCELLED
        assert not OrderRefund.objects.filter(order=order_of(unpaid_member)).exists()
        counters = selectors.groupbuy_counters(groupbuy.pk)
        assert (counters.failed, counters.refunds) == (1, 2)
        assert counters.refunded_fen == order_of(leader).paid_fen + order_of(paid_member).paid_fen

    def test_a_payment_arriving_after_the_group_failed_goes_back_once(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer, settle: Any
    ) -> None:
        leader = open_group(shop, groupbuy)
        late = join(leader.group, buyer(1))
        pay(order_of(leader), settle)
        pay_url = orders.order_pay_start(order=order_of(late), return_url="http://127.0.0.1:8000/r/")
        run_out_of_time(leader.group)
        with settle():
            services.groups_expire_due()
        assert order_of(late).status == OrderStatus.CANCELLED  # the group closed: its unpaid order went
        with settle():  # the customer finishes paying in the cashier after the group failed
            sandbox.sandbox_trade_finish(
                token=pay_url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs()
            )
        order = order_of(late)
        assert [r.amount_fen for r in OrderRefund.objects.filter(order=order)] == [order.total_fen]
        assert order.refunded_fen == order.paid_fen == order.total_fen

    def test_virtual_members_complete_a_group_short_of_at_most_k(
        self, shop: Shop, buyer: Buyer, settle: Any, released: list[OrderReleased]
    ) -> None:
        groupbuy = services.groupbuy_save(**terms(shop, virtual_completion=True, virtual_max_missing=1))
        leader = open_group(shop, groupbuy)
        member = join(leader.group, buyer(1))
        pay(order_of(leader), settle)
        pay(order_of(member), settle)
        run_out_of_time(leader.group)
        with settle():
            services.groups_expire_due()
        group = Group.objects.get(pk=leader.group_id)
        assert (group.state, group.seats_taken) == (GroupState.FORMED, 3)
        virtual = list(group.members.filter(is_virtual=True))
        assert len(virtual) == 1
        assert virtual[0].customer_id is None
        assert virtual[0].order_id is None
        assert sorted(e.order_id for e in released) == sorted([order_id(leader), order_id(member)])
        assert not OrderRefund.objects.exists()
        assert selectors.groupbuy_counters(groupbuy.pk).virtual_members == 1

    def test_virtual_completion_is_not_used_when_more_seats_are_missing(
        self, shop: Shop, buyer: Buyer, settle: Any
    ) -> None:
        groupbuy = services.groupbuy_save(**terms(shop, virtual_completion=True, virtual_max_missing=1))
        leader = open_group(shop, groupbuy)
        pay(order_of(leader), settle)
        run_out_of_time(leader.group)
        with settle():
            services.groups_expire_due()
        group = Group.objects.get(pk=leader.group_id)
        assert group.state == GroupState.FAILED
        assert not group.members.filter(is_virtual=True).exists()
        assert OrderRefund.objects.get(order_id=order_id(leader)).amount_fen == order_of(leader).paid_fen


def test_a_payment_landing_between_closing_and_settling_is_refunded_and_the_beat_finishes_the_job(
    shop: Shop, groupbuy: GroupBuy, buyer: Buyer, settle: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = open_group(shop, groupbuy)
    member = join(leader.group, buyer(1))
    pay(order_of(leader), settle)
    run_out_of_time(leader.group)
    real_settle = services.group_settle
    monkeypatch.setattr(services, "group_settle", lambda *, group_id: None)  # the worker dies after closing
    services.group_expire(group_id=leader.group_id)
    member.refresh_from_db()
    assert member.state == MemberState.CANCELLED  # its seat is given up, but the order is still open
    monkeypatch.setattr(services, "group_settle", real_settle)
    pay(order_of(member), settle)  # the member pays just then
    with settle():
        services.groups_expire_due()  # the next beat settles what was left
    for who in (leader, member):
        order = order_of(who)
        assert [r.amount_fen for r in OrderRefund.objects.filter(order=order)] == [order.paid_fen]
        who.refresh_from_db()
        assert who.state == MemberState.REFUNDED
