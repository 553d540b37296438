"""Never pay a refund twice, on PostgreSQL (SQLite serialises writers, so there is no race there):
approval clicked by several staff at the same moment makes one refund of the exact amount, and
the gateway's refund notification delivered by many threads at once books it once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from shopkeeper.aftersales import services
from shopkeeper.aftersales.models import Application
from shopkeeper.aftersales.tests.conftest import Shop, bought
from shopkeeper.core.services import ActorContext
from shopkeeper.orders.models import OrderLine, OrderRefund
from shopkeeper.payments.models import Refund
from shopkeeper.payments.services import refunds as refund_services
from shopkeeper.payments.tests.conftest import REFUND_NOTIFY_PATH, refund_params

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_process_network"),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]
THREADS = 8


def run_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
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
def held_refunds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Refunds are recorded but not sent to the gateway: the test delivers its notifications."""
    queued: list[int] = []
    monkeypatch.setattr(refund_services, "_queue_submit", queued.append)
    return queued


def _application(shop: Shop, settle: Any, *, kind: str = "refund_only") -> tuple[Any, Application]:
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 2), stage="paid")
    line = order.lines.get(sku_code="CUP-500")
    app = services.application_apply(
        customer=shop.customer,
        order_number=order.number,
        line_id=line.pk,
        kind=kind,
        reason="not_wanted",
        quantity=1,
        actor=ActorContext(user=shop.customer),
    )
    return order, app


def test_approval_clicked_at_once_by_many_makes_one_refund_of_the_exact_amount(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], held_refunds: list[int]
) -> None:
    order, app = _application(shop, settle)

    def click(index: int) -> str:
        return services.application_approve(application_id=app.pk, actor=staff["supervisor"]).status

    results = run_at_once(THREADS, click)
    assert all(isinstance(result, str) for result in results), results
    app.refresh_from_db()
    assert app.status == "refunding"
    assert OrderRefund.objects.filter(order=order).count() == 1
    assert Refund.objects.filter(payment__reference=order.reference).count() == 1
    assert len(held_refunds) == 1
    refund = OrderRefund.objects.get(order=order)
    assert refund.amount_fen == app.amount_fen == 5900  # one cup of two: exactly half the line
    assert [e.kind for e in app.events.all()].count("approve") == 1


def test_the_refund_notification_delivered_many_times_at_once_books_it_once(
    shop: Shop, settle: Any, staff: dict[str, ActorContext], held_refunds: list[int]
) -> None:
    order, app = _application(shop, settle)
    services.application_approve(application_id=app.pk, actor=staff["supervisor"])
    refund = Refund.objects.select_related("payment").get(payment__reference=order.reference)
    params = refund_params(refund)

    def deliver(index: int) -> str:
        return Client().post(REFUND_NOTIFY_PATH, params).content.decode()

    answers = run_at_once(THREADS, deliver)
    assert answers == ["success"] * THREADS
    app.refresh_from_db()
    assert (app.status, app.refunded_fen) == ("refunded", 5900)
    line = OrderLine.objects.get(pk=app.line_id)
    assert line.refunded_fen == 5900  # booked once, not eight times
    order.refresh_from_db()
    assert order.refunded_fen == 5900
    assert [e.kind for e in app.events.all()].count("refund_succeed") == 1


def test_two_applications_for_the_same_line_at_once_make_one(shop: Shop, settle: Any, held_refunds: list[int]) -> None:
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 2))
    line = order.lines.get(sku_code="CUP-500")

    def apply(index: int) -> str:
        return services.application_apply(
            customer=shop.customer,
            order_number=order.number,
            line_id=line.pk,
            kind="return_refund",
            reason="quality",
            quantity=2,
            actor=ActorContext(user=shop.customer),
        ).number

    results = run_at_once(THREADS, apply)
    made = [result for result in results if isinstance(result, str)]
    refused = [result for result in results if isinstance(result, services.AfterSalesRefused)]
    assert len(made) == 1, results
    assert len(refused) == THREADS - 1
    assert Application.objects.filter(line_id=line.pk).count() == 1
