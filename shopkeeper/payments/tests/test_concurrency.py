"""Races on PostgreSQL (SQLite serialises writers, so there is no race to lose there): the same
notification delivered by many threads at once changes the payment once and publishes once;
concurrent refunds never exceed what was paid; a double click opens one payment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.events import subscribe, unsubscribe
from shopkeeper.core.services import ActorContext
from shopkeeper.payments import services
from shopkeeper.payments.enums import NotificationResult, PaymentStatus
from shopkeeper.payments.errors import RefundRefused
from shopkeeper.payments.events import PaymentSucceeded
from shopkeeper.payments.models import NotificationLog, Payment, Refund
from shopkeeper.payments.services import refunds as refund_services
from shopkeeper.payments.tests.conftest import NOTIFY_PATH, Recorder, payment_params, start

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]
THREADS = 12


def run_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start `count` threads that wait at a barrier, then all call `work(i)`; their results or errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def no_gateway_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refunds stay pending: these tests are about our books, not the sandbox's deliveries."""
    monkeypatch.setattr(refund_services, "_queue_submit", lambda refund_id: None)


@pytest.fixture
def slow_subscriber() -> Iterator[None]:
    """Like the orders app's handler, work inside the payment's transaction, widening the race."""

    def work(event: PaymentSucceeded) -> None:
        time.sleep(0.3)

    subscribe(PaymentSucceeded, work)
    yield
    unsubscribe(PaymentSucceeded, work)


def test_the_same_notification_from_many_threads_changes_the_payment_once(
    events: Recorder, slow_subscriber: None
) -> None:
    payment = Payment.objects.get(pk=start("test:race", "199.00").payment_id)
    params = payment_params(payment)

    def deliver(index: int) -> str:
        return Client().post(NOTIFY_PATH, params).content.decode()

    answers = run_at_once(THREADS, deliver)
    assert answers == ["success"] * THREADS
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(events.of(PaymentSucceeded)) == 1
    results = list(NotificationLog.objects.values_list("result", flat=True))
    assert results.count(NotificationResult.APPLIED) == 1
    assert results.count(NotificationResult.DUPLICATE) == THREADS - 1


def test_two_refunds_that_together_exceed_the_payment_one_wins(
    make_paid: Callable[..., Payment], no_gateway_calls: None
) -> None:
    make_paid("test:race", "100.00")

    def ask(index: int) -> Refund:
        return services.refund_start(
            reference="test:race",
            request_key=f"race-{index}",
            amount=Money.from_yuan("60.00"),
            reason="退货",
            actor=ActorContext.system(),
        )

    results = run_at_once(2, ask)
    assert sum(isinstance(result, Refund) for result in results) == 1, results
    refusals = [result for result in results if isinstance(result, RefundRefused)]
    assert len(refusals) == 1
    assert refusals[0].details["reason"] == "exceeds_paid"
    assert refusals[0].details["refundable"] == "40.00"
    assert Refund.objects.count() == 1


def test_many_refunds_at_once_never_exceed_what_was_paid(
    make_paid: Callable[..., Payment], no_gateway_calls: None
) -> None:
    make_paid("test:race", "100.00")

    def ask(index: int) -> Any:
        return services.refund_start(
            reference="test:race",
            request_key=f"race-{index}",
            amount=Money.from_yuan("15.00"),
            reason="",
            actor=ActorContext.system(),
        )

    results = run_at_once(10, ask)
    assert sum(isinstance(result, Refund) for result in results) == 6  # 6 × 15.00 ≤ 100.00 < 7 × 15.00
    assert all(isinstance(result, Refund | RefundRefused) for result in results), results
    assert sum(Refund.objects.values_list("amount_fen", flat=True)) == 9000


def test_the_same_request_key_at_once_is_one_refund(make_paid: Callable[..., Payment], no_gateway_calls: None) -> None:
    make_paid("test:race", "100.00")

    def ask(index: int) -> Any:
        return services.refund_start(
            reference="test:race",
            request_key="one-key",
            amount=Money.from_yuan("30.00"),
            reason="",
            actor=ActorContext.system(),
        )

    results = run_at_once(6, ask)
    assert all(isinstance(result, Refund) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert Refund.objects.count() == 1


def test_a_double_click_at_once_opens_one_payment(db: None) -> None:
    def click(index: int) -> Any:
        return start("test:click", "66.00").payment_id

    results = run_at_once(8, click)
    assert not [result for result in results if isinstance(result, ShopkeeperError | Exception)], results
    assert len(set(results)) == 1
    assert Payment.objects.filter(reference="test:click").count() == 1
