"""A deposit presale end to end through the sandbox gateway's real notifications: the deposit
reserves the stock, the balance pays the order, the windows and the refund rules hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.core import events
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.errors import Conflict
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.errors import OrderStateError
from shopkeeper.orders.events import OrderPaid
from shopkeeper.payments import selectors as payment_reads
from shopkeeper.payments import services as payments
from shopkeeper.payments.services import sandbox
from shopkeeper.promotions.presale import selectors, services
from shopkeeper.promotions.presale.errors import PresaleClosed, PresaleLimitReached
from shopkeeper.promotions.presale.models import Presale, PresaleOrder
from shopkeeper.promotions.presale.tests.conftest import (
    DEPOSIT,
    FINAL,
    SYSTEM,
    VALUE,
    Shop,
    deposit,
    move_past_balance_window,
    move_to_balance_window,
    pay_next,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def test_the_deposit_places_the_order_at_the_presale_price_and_reserves_the_stock(shop: Shop, presale: Presale) -> None:
    before = stock_reads.sku_availability([shop.dress.pk])[shop.dress.pk]
    order = deposit(shop, presale)
    line = order.lines.get()
    assert order.kind == "presale"
    assert order.status == "pending_payment"
    assert (line.unit_price_fen, line.discount_fen) == (FINAL, VALUE - DEPOSIT)
    assert order.total_fen == FINAL + order.shipping_fen - (VALUE - DEPOSIT)
    assert (order.deposit_fen, order.deposit_value_fen, order.balance_fen) == (
        DEPOSIT,
        VALUE,
        FINAL + order.shipping_fen - VALUE,
    )
    assert order.fulfilment_hold == services.HOLD_REASON
    assert stock_reads.sku_availability([shop.dress.pk])[shop.dress.pk] == before - 1  # reserved at deposit time
    assert order.pay_deadline <= timezone.now() + orders.payment_timeout()  # the deposit is paid in 30 minutes
    said = " ".join(order.explanation)
    assert str(Money(DEPOSIT)) in said
    assert str(Money(VALUE)) in said
    assert str(Money(FINAL)) in said
    assert deposit(shop, presale) == order  # the same key: the same order
    assert PresaleOrder.objects.count() == 1


def test_deposit_then_balance_pays_the_order_once_and_releases_it_for_shipping(
    shop: Shop, presale: Presale, settle: Any
) -> None:
    paid_events: list[OrderPaid] = []
    events.subscribe(OrderPaid, paid_events.append)
    try:
        order = deposit(shop, presale)
        first = pay_next(order, settle, times=3)
        assert first.amount_fen == DEPOSIT
        assert (order.status, order.paid_fen) == ("pending_payment", DEPOSIT)
        assert order.deposit_paid_at is not None
        assert order.pay_deadline == order.balance_due_until  # not the 30-minute timeout
        assert [e.kind for e in order.events.all()] == ["placed", "deposit_paid"]
        assert orders.orders_cancel_overdue(now=timezone.now() + timedelta(hours=1)) == 0

        with pytest.raises(OrderStateError):  # the balance window is not open yet
            pay_next(order, settle)

        move_to_balance_window(presale)
        second = pay_next(order, settle, times=2)
        assert second.amount_fen == order.total_fen - DEPOSIT == FINAL + order.shipping_fen - VALUE
        assert order.status == "allocated"
        assert order.paid_fen == order.total_fen
        assert order.fulfilment_hold == ""
        assert payment_reads.paid_total(order.reference) == Money(order.total_fen)
        assert [e.held for e in paid_events] == [False]  # paid once, and shippable
        counters = selectors.presale_counters([presale.pk])[presale.pk]
        assert (counters.deposits_paid, counters.balances_paid, counters.revenue_fen) == (1, 1, order.total_fen)
    finally:
        events.unsubscribe(OrderPaid, paid_events.append)


def test_the_balance_not_paid_by_the_end_of_its_window_forfeits_the_deposit_and_frees_the_stock(
    shop: Shop, presale: Presale, settle: Any
) -> None:
    before = stock_reads.sku_availability([shop.dress.pk])[shop.dress.pk]
    order = deposit(shop, presale)
    pay_next(order, settle)
    move_past_balance_window(presale)
    assert orders.orders_cancel_overdue() == 1
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.deposit_forfeited_at is not None
    assert (order.paid_fen, order.refunded_fen, order.refunds.count()) == (DEPOSIT, 0, 0)
    assert stock_reads.sku_availability([shop.dress.pk])[shop.dress.pk] == before
    assert selectors.presale_counters([presale.pk])[presale.pk].deposits_forfeited == 1


def test_the_shop_cancelling_gives_the_whole_deposit_back(
    shop: Shop, presale: Presale, settle: Any, make_staff: Callable[..., User]
) -> None:
    staff = make_staff(Role.STORE_OPERATOR)
    order = deposit(shop, presale)
    pay_next(order, settle)
    with settle():
        orders.order_cancel(
            order=order, actor=ActorContext(user=staff, channel=AuditChannel.CONSOLE), reason="预售商品无法到货"
        )
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.refunded_fen == order.paid_fen == DEPOSIT
    assert order.lines.get().refunded_fen == DEPOSIT
    assert payment_reads.refunded_total(order.reference) == Money(DEPOSIT)


def test_the_shop_can_give_back_a_deposit_it_kept(
    shop: Shop, presale: Presale, settle: Any, make_staff: Callable[..., User]
) -> None:
    staff = make_staff(Role.STORE_OPERATOR)
    order = deposit(shop, presale)
    pay_next(order, settle)
    move_past_balance_window(presale)
    orders.orders_cancel_overdue()
    with settle():
        orders.order_presale_deposit_refund(
            order=order, reason="客服补偿", actor=ActorContext(user=staff, channel=AuditChannel.CONSOLE)
        )
    order.refresh_from_db()
    assert (order.refunded_fen, order.deposit_forfeited_at) == (DEPOSIT, None)
    with pytest.raises(OrderStateError):  # once
        orders.order_presale_deposit_refund(order=order, reason="again", actor=SYSTEM)


def test_the_customer_cancelling_before_the_balance_window_closes_gets_the_deposit_back(
    shop: Shop, presale: Presale, settle: Any
) -> None:
    order = deposit(shop, presale)
    pay_next(order, settle)
    move_to_balance_window(presale)
    with settle():
        orders.order_cancel(
            order=order, actor=ActorContext(user=shop.customer, channel=AuditChannel.STOREFRONT), reason="不想买了"
        )
    order.refresh_from_db()
    assert (order.status, order.refunded_fen, order.deposit_forfeited_at) == ("cancelled", DEPOSIT, None)


def test_the_customer_cancelling_after_the_balance_window_closed_keeps_nothing(
    shop: Shop, presale: Presale, settle: Any
) -> None:
    order = deposit(shop, presale)
    pay_next(order, settle)
    move_past_balance_window(presale)
    with settle():
        orders.order_cancel(
            order=order, actor=ActorContext(user=shop.customer, channel=AuditChannel.STOREFRONT), reason="不想买了"
        )
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("cancelled", 0)
    assert order.deposit_forfeited_at is not None


def test_an_unpaid_presale_order_cancels_like_any_other_after_30_minutes(shop: Shop, presale: Presale) -> None:
    order = deposit(shop, presale)
    assert orders.orders_cancel_overdue(now=timezone.now() + timedelta(minutes=31)) == 1
    order.refresh_from_db()
    assert (order.status, order.cancel_reason, order.refunds.count()) == ("cancelled", "Not paid in time", 0)


def test_a_second_deposit_payment_goes_back(shop: Shop, presale: Presale, settle: Any) -> None:
    order = deposit(shop, presale)
    pay_next(order, settle)
    # A second trade for the deposit (paid from another device): the order does not expect it now.
    second = payments.payment_start(
        reference=order.reference,
        amount=Money(DEPOSIT),
        subject="定金",
        customer_id=shop.customer.pk,
        return_url="http://127.0.0.1:8000/",
    )
    with settle():
        sandbox.sandbox_trade_finish(
            token=second.pay_url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs()
        )
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert order.paid_fen == 2 * DEPOSIT
    assert order.refunded_fen == DEPOSIT  # the extra deposit went back
    assert [e.kind for e in order.events.all()].count("deposit_paid") == 1
    with settle():  # cancelling then gives back the deposit itself, once
        orders.order_cancel(
            order=order, actor=ActorContext(user=shop.customer, channel=AuditChannel.STOREFRONT), reason="不想买了"
        )
    order.refresh_from_db()
    assert order.refunded_fen == order.paid_fen == 2 * DEPOSIT


def test_refunds_after_the_balance_return_exactly_what_was_paid(shop: Shop, presale: Presale, settle: Any) -> None:
    order = deposit(shop, presale)
    pay_next(order, settle)
    move_to_balance_window(presale)
    pay_next(order, settle)
    line = order.lines.get()
    # A refund goes back through one trade: the deposit's and the balance's parts separately.
    with settle():
        orders.order_refund(
            order=order, amounts={line.pk: Money(DEPOSIT)}, reason="退定金部分", request_key="a", actor=SYSTEM
        )
        orders.order_refund(order=order, amounts={line.pk: None}, reason="退余下部分", request_key="b", actor=SYSTEM)
    order.refresh_from_db()
    assert order.refunded_fen == order.paid_fen == order.total_fen
    assert order.status == "closed"
    assert payment_reads.refunded_total(order.reference) == Money(order.total_fen)


def test_the_limit_per_customer_holds_across_orders_and_cancelled_orders_do_not_count(
    shop: Shop, presale: Presale
) -> None:
    first = deposit(shop, presale, quantity=2, key="a")
    with pytest.raises(PresaleLimitReached):
        deposit(shop, presale, key="b")
    orders.order_cancel(order=first, actor=SYSTEM, reason="不想买了")
    assert deposit(shop, presale, key="c").lines.get().quantity == 1


def test_no_deposit_when_paused_or_outside_the_deposit_window(shop: Shop, presale: Presale) -> None:
    services.presale_set_status(presale_id=presale.pk, status="paused", actor=SYSTEM)
    with pytest.raises(PresaleClosed):
        deposit(shop, presale)
    services.presale_set_status(presale_id=presale.pk, status="active", actor=SYSTEM)
    move_to_balance_window(presale)
    with pytest.raises(PresaleClosed):
        deposit(shop, presale)
    assert PresaleOrder.objects.count() == 0


def test_a_request_key_of_another_order_is_refused(shop: Shop, presale: Presale) -> None:
    from shopkeeper.checkout.tests.test_order_payment_flow import placed

    placed(shop, (shop.cup, 1), key="shared")
    with pytest.raises(Conflict):
        deposit(shop, presale, key="shared")
