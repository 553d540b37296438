"""End to end over real HTTP: the shop runs on pytest-django's live server, the sandbox's task
posts its signed notifications to it (SITE_URL = the live server), with a dropped first
delivery retried, duplicates, a refund notified the same way, and a forgery given up on."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from shopkeeper.core.domain.money import Money
from shopkeeper.core.services import ActorContext
from shopkeeper.payments import selectors, services
from shopkeeper.payments.enums import PaymentStatus, RefundStatus
from shopkeeper.payments.events import PaymentSucceeded, RefundSucceeded
from shopkeeper.payments.models import NotificationLog, Payment, Refund, SandboxDelivery
from shopkeeper.payments.tests.conftest import Recorder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    settings.SITE_URL = live_server.url
    settings.SANDBOX_NOTIFY_RETRY_SECONDS = [0, 0, 0]  # the task runs eagerly: no waiting between attempts
    return str(live_server.url)


def pay_at_the_cashier(pay_url: str, **knobs: Any) -> Any:
    browser = Client()
    path = urlparse(pay_url).path
    page = browser.get(path)
    assert page.status_code == 200
    data = {"copies": 1, "delay_seconds": 0, "drop_first": 0, "tamper": "none", "action": "pay", **knobs}
    return browser.post(path, data)  # after commit, the delivery task runs here, posting to the live server


def test_paid_at_the_sandbox_notified_over_http_with_a_dropped_first_delivery(site: str, events: Recorder) -> None:
    started = services.payment_start(
        reference="test:e2e",
        amount=Money.from_yuan("199.00"),
        subject="拾光 法式收腰连衣裙 ×1",
        customer_id=None,
        return_url=f"{site}/orders/e2e/paid/",
    )
    assert started.pay_url.startswith(f"{site}/payments/sandbox/pay/")

    response = pay_at_the_cashier(started.pay_url, copies=2, drop_first=1)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{site}/orders/e2e/paid/?out_trade_no={started.out_trade_no}")

    payment = Payment.objects.get(pk=started.payment_id)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(events.of(PaymentSucceeded)) == 1  # published in the live server's thread, once
    deliveries = list(SandboxDelivery.objects.order_by("copy_number"))
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    for delivery in deliveries:
        assert delivery.url == f"{site}/payments/notify/sandbox/"
        assert list(delivery.attempts.order_by("number").values_list("outcome", "http_status", "answer")) == [
            ("dropped", None, ""),
            ("acknowledged", 200, "success"),
        ]
    logs = list(NotificationLog.objects.order_by("pk").values_list("result", "verified", "remote_addr"))
    assert logs == [("applied", True, "127.0.0.1"), ("duplicate", True, "127.0.0.1")]

    services.refund_start(
        reference="test:e2e",
        request_key="e2e-refund-1",
        amount=Money.from_yuan("50.00"),
        reason="尺码不合适",
        actor=ActorContext.system(),
    )  # after commit: submitted to the sandbox, whose refund notification comes back over HTTP
    refund = Refund.objects.get(request_key="e2e-refund-1")
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.gateway_refund_no
    assert events.of(RefundSucceeded) == [
        RefundSucceeded(refund_id=refund.pk, reference="test:e2e", request_key="e2e-refund-1", amount_fen=5000)
    ]
    assert selectors.refunded_total("test:e2e") == Money(5000)
    refund_delivery = SandboxDelivery.objects.get(kind="refund")
    assert refund_delivery.url == f"{site}/payments/notify/sandbox/refund/"
    assert refund_delivery.status == "delivered"


def test_a_forged_notification_is_refused_over_http_and_given_up(site: str, events: Recorder) -> None:
    started = services.payment_start(
        reference="test:e2e-forged",
        amount=Money.from_yuan("88.00"),
        subject="栖木 露营椅",
        customer_id=None,
        return_url=f"{site}/orders/forged/paid/",
    )
    pay_at_the_cashier(started.pay_url, tamper="bad_signature")
    delivery = SandboxDelivery.objects.get()
    assert delivery.status == "gave_up"
    assert list(delivery.attempts.values_list("outcome", "http_status", "answer")) == [("refused", 200, "fail")] * 4
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert events == []
    assert set(NotificationLog.objects.values_list("result", flat=True)) == {"bad_signature"}
