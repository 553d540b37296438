"""The balance notification delivered twice at the same moment, on PostgreSQL: one payment
recorded, the order paid once (two threads with their own connections, released together)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.payments.enums import PaymentStatus
from shopkeeper.payments.models import Payment
from shopkeeper.payments.services import payment_notification_handle
from shopkeeper.payments.tests.conftest import payment_params
from shopkeeper.promotions.presale.models import Presale
from shopkeeper.promotions.presale.tests.conftest import DEPOSIT, Shop, deposit, move_to_balance_window

COPIES = 4


def _notify(params: dict[str, str], barrier: threading.Barrier, results: list[object]) -> None:
    try:
        barrier.wait(timeout=30)
        results.append(payment_notification_handle(gateway="sandbox", params=params).result)
    except Exception as crashed:
        results.append(crashed)
    finally:
        connections.close_all()


def _paid(order: Order, *, notify_id: str) -> Payment:
    order.refresh_from_db()
    orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/r/")
    return Payment.objects.filter(reference=order.reference, status=PaymentStatus.PENDING).get()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_the_balance_notified_twice_at_once_pays_the_order_once(shop: Shop, presale: Presale) -> None:
    order = deposit(shop, presale)
    first = _paid(order, notify_id="d")
    payment_notification_handle(gateway="sandbox", params=payment_params(first, trade_no="T-DEPOSIT", notify_id="d"))
    order.refresh_from_db()
    assert order.paid_fen == DEPOSIT
    move_to_balance_window(presale)
    balance = _paid(order, notify_id="b")
    params = payment_params(balance, trade_no="T-BALANCE", notify_id="b")
    barrier = threading.Barrier(COPIES)
    results: list[object] = []
    threads = [threading.Thread(target=_notify, args=(params, barrier, results)) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(str(r) for r in results) == ["applied"] + ["duplicate"] * (COPIES - 1)
    order.refresh_from_db()
    assert order.status == "allocated"
    assert order.paid_fen == order.total_fen
    assert order.refunded_fen == 0
    assert [e.kind for e in order.events.all()].count("pay") == 1
    succeeded = Payment.objects.filter(reference=order.reference, status=PaymentStatus.SUCCEEDED)
    assert sorted(succeeded.values_list("amount_fen", flat=True)) == sorted([DEPOSIT, order.total_fen - DEPOSIT])
