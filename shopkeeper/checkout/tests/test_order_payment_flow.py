"""From checkout to paid, allocated, cancelled or refunded, through the sandbox gateway's real
notification handlers: duplicates change nothing, a late payment goes back, a line refund
returns exactly that line's paid share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import translation

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError, ValidationFailed
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.payments import selectors as payment_reads
from shopkeeper.payments import services as payments
from shopkeeper.payments.models import Payment
from shopkeeper.payments.services import sandbox
from shopkeeper.payments.tests.conftest import in_process_network, payment_params  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


@pytest.fixture
def settle(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what a service queues for after commit (the refund's submission to the gateway) at once.

    The sandbox's posts reach our notify view through the test client, whose request switches the
    active language; the override puts the test's language back afterwards.
    """

    @contextmanager
    def run() -> Iterator[None]:
        with translation.override(translation.get_language()), django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def placed(shop: Shop, *lines: tuple[Any, int], key: str = "k") -> Order:
    cart = checkout.cart_for_customer(shop.customer)
    for sku, quantity in lines:
        checkout.cart_add(cart=cart, sku_id=sku.pk, quantity=quantity)
    return checkout.checkout_submit(
        cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key=key, actor=SYSTEM
    )


def pay(order: Order, settle: Any, *, times: int = 1) -> Payment:
    """Pay in the sandbox cashier; its signed notifications reach our handler `times` times."""
    pay_url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/orders/x/paid/")
    token = pay_url.rstrip("/").rsplit("/", 1)[-1]
    with settle():
        sandbox.sandbox_trade_finish(token=token, pay=True, knobs=sandbox.DeliveryKnobs(copies=times))
    return Payment.objects.get(reference=order.reference)


def test_paying_moves_the_order_to_paid_then_allocated_once_however_often_notified(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.dress, 1), (shop.cup, 1))
    pay(order, settle, times=10)
    order.refresh_from_db()
    assert order.status == "allocated"
    assert order.paid_fen == order.total_fen == 25800
    kinds = [event.kind for event in order.events.all()]
    assert kinds == ["placed", "pay", "allocate"]
    assert order.events.get(kind="allocate").note == "华东仓"
    assert payment_reads.paid_total(order.reference) == Money(25800)
    shop.dress.product.refresh_from_db()
    assert shop.dress.product.sales_count == 1  # paid units count as sold, once


def test_pay_now_twice_gives_one_payment_and_a_paid_order_cannot_be_paid_again(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.cup, 2))
    first = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/r/")
    second = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/r/")
    assert first == second
    pay(order, settle)
    order.refresh_from_db()
    with pytest.raises(ShopkeeperError, match="not waiting for payment"):
        orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/r/")


def test_a_payment_that_arrives_after_the_order_was_cancelled_goes_back(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.cup, 1))
    orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/r/")
    orders.order_cancel(order=order, actor=SYSTEM, reason="超时未付款")
    payment = Payment.objects.get(reference=order.reference)
    with settle():
        payments.payment_notification_handle(gateway="sandbox", params=payment_params(payment))
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert [r.amount_fen for r in order.refunds.all()] == [order.total_fen]
    assert "late_payment" in [event.kind for event in order.events.all()]


def test_refunding_one_line_returns_exactly_its_paid_share(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.dress, 1), (shop.cup, 2))
    pay(order, settle)
    dress_line = order.lines.get(sku_code="DRESS-M")
    with settle():
        refund = orders.order_refund(
            order=order, amounts={dress_line.pk: None}, reason="尺码不合适", request_key="r1", actor=SYSTEM
        )
    assert refund.amount_fen == dress_line.total_fen == 19900
    again = orders.order_refund(
        order=order, amounts={dress_line.pk: None}, reason="尺码不合适", request_key="r1", actor=SYSTEM
    )
    assert again.pk == refund.pk  # a double click is one refund
    order.refresh_from_db()
    dress_line.refresh_from_db()
    assert (dress_line.refunded_fen, order.refunded_fen) == (19900, 19900)
    assert order.status == "allocated"  # the cup is still on its way
    assert payment_reads.refunded_total(order.reference) == Money(19900)
    with pytest.raises(ValidationFailed):
        orders.order_refund(
            order=order, amounts={dress_line.pk: None}, reason="再退一次", request_key="r2", actor=SYSTEM
        )


def test_a_refund_above_what_is_left_on_a_line_is_refused_and_changes_nothing(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.cup, 2))
    pay(order, settle)
    line = order.lines.get()
    with pytest.raises(ValidationFailed) as refused:
        orders.order_refund(
            order=order, amounts={line.pk: Money(line.total_fen + 1)}, reason="多退", request_key="x", actor=SYSTEM
        )
    assert str(line.pk) in refused.value.details["lines"]
    assert order.refunds.count() == 0


def test_refunding_everything_before_shipping_closes_the_order_and_frees_the_stock(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.cup, 1))  # ¥59 + ¥8 shipping
    pay(order, settle)
    line = order.lines.get()
    with settle():
        refund = orders.order_refund(
            order=order, amounts={line.pk: None}, reason="不想要了", request_key="all", actor=SYSTEM
        )
    assert refund.amount_fen == 5900 + 800  # the shipping goes back with the last goods
    order.refresh_from_db()
    assert order.status == "closed"
    assert order.refunded_fen == order.paid_fen
    assert stock_reads.sku_availability([shop.cup.pk]) == {shop.cup.pk: 100}


def test_an_unpaid_order_cannot_be_refunded(shop: Shop, settle: Any) -> None:
    order = placed(shop, (shop.cup, 1))
    with pytest.raises(ShopkeeperError, match="Only a paid order"):
        orders.order_refund(
            order=order, amounts={order.lines.get().pk: None}, reason="x", request_key="x", actor=SYSTEM
        )
