"""The sandbox gateway: its cashier page with Pay / Fail and the test knobs, its signed
notifications delivered with duplicates, delays, drops and retries, and its refunds."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from shopkeeper.core.domain.money import Money
from shopkeeper.core.services import ActorContext
from shopkeeper.payments import services
from shopkeeper.payments.domain.signing import signature_valid
from shopkeeper.payments.enums import NotificationResult, PaymentStatus, RefundStatus
from shopkeeper.payments.events import PaymentFailed, PaymentSucceeded, RefundSucceeded
from shopkeeper.payments.models import NotificationLog, Payment, Refund, SandboxDelivery, SandboxTrade
from shopkeeper.payments.tests.conftest import Recorder, secret, start

pytestmark = pytest.mark.django_db
Posts = list[tuple[str, dict[str, str]]]


@pytest.fixture
def trade(db: None) -> SandboxTrade:
    started = start("test:1001", "199.00", return_url="http://127.0.0.1:8000/orders/SK1/paid/?from=pay")
    return SandboxTrade.objects.get(out_trade_no=started.out_trade_no)


def cashier(trade: SandboxTrade) -> str:
    return f"/payments/sandbox/pay/{trade.token}/"


def press(client: Client, trade: SandboxTrade, action: str = "pay", **knobs: Any) -> Any:
    data = {"copies": 1, "delay_seconds": 0, "drop_first": 0, "tamper": "none", **knobs, "action": action}
    return client.post(cashier(trade), data)


class TestCashierPage:
    def test_shows_the_merchant_subject_amount_buttons_and_knobs(self, client: Client, trade: SandboxTrade) -> None:
        response = client.get(cashier(trade))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Shopkeeper" in page
        assert "拾光 法式收腰连衣裙 ×1" in page
        assert "¥199.00" in page
        assert "确认付款" in page  # Pay, in the default language
        assert 'name="copies"' in page
        assert 'name="delay_seconds"' in page
        assert 'name="drop_first"' in page
        assert "wrong_amount" in page
        assert "bad_signature" in page

    def test_pay_redirects_to_the_return_url_with_signed_fields(
        self, client: Client, trade: SandboxTrade, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = press(client, trade, copies=3, delay_seconds=5, drop_first=2)
        assert response.status_code == 302
        location = urlparse(response["Location"])
        assert (location.netloc, location.path) == ("127.0.0.1:8000", "/orders/SK1/paid/")
        fields = {key: values[0] for key, values in parse_qs(location.query).items()}
        assert fields["from"] == "pay"
        del fields["from"]
        assert fields["out_trade_no"] == trade.out_trade_no
        assert fields["total_amount"] == "199.00"
        assert signature_valid(fields, secret())
        trade.refresh_from_db()
        assert trade.status == "TRADE_SUCCESS"
        deliveries = list(SandboxDelivery.objects.order_by("copy_number"))
        assert [d.copy_number for d in deliveries] == [1, 2, 3]
        assert {(d.delay_seconds, d.drop_first, d.status) for d in deliveries} == {(5, 2, "scheduled")}
        assert len({str(d.params) for d in deliveries}) == 1  # identical copies, one notify_id
        params = deliveries[0].params
        assert params["trade_status"] == "TRADE_SUCCESS"
        assert params["total_amount"] == "199.00"
        assert params["sign_type"] == "HMAC-SHA256"
        assert signature_valid(params, secret())
        assert len(callbacks) == 3  # the deliveries are queued only once the trade is committed
        # Nothing is believed from the browser: the payment waits for the notification.
        assert Payment.objects.get().status == PaymentStatus.PENDING

    def test_the_delay_is_the_first_attempts_countdown(
        self, client: Client, trade: SandboxTrade, django_capture_on_commit_callbacks: Any, monkeypatch: Any
    ) -> None:
        from shopkeeper.payments import tasks

        queued: list[tuple[Any, Any]] = []
        monkeypatch.setattr(
            tasks.sandbox_deliver, "apply_async", lambda args, countdown: queued.append((args, countdown))
        )
        with django_capture_on_commit_callbacks(execute=True):
            press(client, trade, copies=2, delay_seconds=7)
        delivery_ids = list(SandboxDelivery.objects.order_by("pk").values_list("pk", flat=True))
        assert queued == [((delivery_ids[0], 1), 7), ((delivery_ids[1], 1), 7)]

    def test_fail_closes_the_trade(self, client: Client, trade: SandboxTrade) -> None:
        response = press(client, trade, action="fail")
        assert response.status_code == 302
        trade.refresh_from_db()
        assert trade.status == "TRADE_CLOSED"
        assert SandboxDelivery.objects.get().params["trade_status"] == "TRADE_CLOSED"

    def test_a_finished_trade_cannot_be_paid_again(self, client: Client, trade: SandboxTrade) -> None:
        press(client, trade)
        page = client.get(cashier(trade)).content.decode()
        assert 'data-testid="trade-finished"' in page
        assert 'data-testid="pay"' not in page
        response = press(client, trade)
        assert response.status_code == 200
        assert SandboxDelivery.objects.count() == 1

    @pytest.mark.parametrize(
        "knobs", [{"copies": 0}, {"copies": 11}, {"delay_seconds": -1}, {"drop_first": 11}, {"tamper": "x"}]
    )
    def test_knobs_out_of_range_are_refused(self, client: Client, trade: SandboxTrade, knobs: dict[str, Any]) -> None:
        response = press(client, trade, **knobs)
        assert response.status_code == 200
        assert response.context["form"].errors
        trade.refresh_from_db()
        assert trade.status == "WAIT_BUYER_PAY"

    def test_no_action_no_payment(self, client: Client, trade: SandboxTrade) -> None:
        response = client.post(cashier(trade), {"copies": 1, "delay_seconds": 0, "drop_first": 0})
        assert response.status_code == 200
        assert SandboxTrade.objects.get().status == "WAIT_BUYER_PAY"

    def test_unknown_token_is_404(self, client: Client, db: None) -> None:
        assert client.get("/payments/sandbox/pay/nope/").status_code == 404

    def test_switched_off_is_404(self, client: Client, trade: SandboxTrade, settings: Any) -> None:
        settings.SANDBOX_GATEWAY_ENABLED = False
        assert client.get(cashier(trade)).status_code == 404
        assert press(client, trade).status_code == 404
        assert SandboxTrade.objects.get().status == "WAIT_BUYER_PAY"


class TestDeliveries:
    """The delivery task, with the sandbox's HTTP posts routed through the test client."""

    def test_duplicates_and_dropped_first_delivery_end_in_one_payment(
        self,
        client: Client,
        trade: SandboxTrade,
        in_process_network: Posts,
        events: Recorder,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            press(client, trade, copies=3, drop_first=1)
        assert len(in_process_network) == 3  # the dropped attempts never went out
        assert {url for url, _params in in_process_network} == {"http://127.0.0.1:8000/payments/notify/sandbox/"}
        for delivery in SandboxDelivery.objects.all():
            assert delivery.status == "delivered"
            attempts = list(delivery.attempts.values_list("number", "outcome", "http_status", "answer"))
            assert attempts == [(1, "dropped", None, ""), (2, "acknowledged", 200, "success")]
        assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
        assert len(events.of(PaymentSucceeded)) == 1
        assert sorted(NotificationLog.objects.values_list("result", flat=True)) == [
            "applied",
            "duplicate",
            "duplicate",
        ]

    @pytest.mark.parametrize(
        ("tamper", "result"), [("wrong_amount", "amount_mismatch"), ("bad_signature", "bad_signature")]
    )
    def test_rejected_notifications_are_retried_then_given_up(
        self,
        client: Client,
        trade: SandboxTrade,
        in_process_network: Posts,
        events: Recorder,
        settings: Any,
        django_capture_on_commit_callbacks: Any,
        tamper: str,
        result: str,
    ) -> None:
        settings.SANDBOX_NOTIFY_RETRY_SECONDS = [0, 0, 0]
        with django_capture_on_commit_callbacks(execute=True):
            press(client, trade, tamper=tamper)
        delivery = SandboxDelivery.objects.get()
        assert delivery.status == "gave_up"
        assert list(delivery.attempts.values_list("outcome", "answer")) == [("refused", "fail")] * 4
        assert Payment.objects.get().status == PaymentStatus.PENDING
        assert events == []
        assert list(NotificationLog.objects.values_list("result", flat=True)) == [result] * 4
        if tamper == "wrong_amount":
            assert delivery.params["total_amount"] == "0.01"
            assert signature_valid(delivery.params, secret())
        # The trade was paid all the same: asking the gateway (return page, reconciliation) finds it.
        assert services.payment_sync(reference="test:1001") == "succeeded"
        assert len(events.of(PaymentSucceeded)) == 1

    def test_fail_delivers_a_closed_notification(
        self,
        client: Client,
        trade: SandboxTrade,
        in_process_network: Posts,
        events: Recorder,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            press(client, trade, action="fail")
        assert Payment.objects.get().status == PaymentStatus.CLOSED
        assert len(events.of(PaymentFailed)) == 1

    def test_an_unreachable_site_is_retried(self, trade: SandboxTrade, settings: Any) -> None:
        settings.SANDBOX_NOTIFY_RETRY_SECONDS = [0]
        services.sandbox_trade_finish(token=trade.token, pay=True, knobs=services.DeliveryKnobs())
        delivery = SandboxDelivery.objects.get()
        SandboxDelivery.objects.filter(pk=delivery.pk).update(url="http://127.0.0.1:9/payments/notify/sandbox/")
        assert services.sandbox_delivery_attempt(delivery_id=delivery.pk, attempt=1) == "unreachable"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts_made) == ("scheduled", 1)
        assert delivery.attempts.get().error
        assert services.sandbox_delivery_attempt(delivery_id=delivery.pk, attempt=1) == "skipped"  # a task run twice
        assert services.sandbox_delivery_attempt(delivery_id=delivery.pk, attempt=2) == "unreachable"
        delivery.refresh_from_db()
        assert delivery.status == "gave_up"
        assert services.sandbox_delivery_attempt(delivery_id=delivery.pk, attempt=3) == "skipped"

    def test_refunds_are_notified_and_a_full_refund_closes_the_trade(
        self,
        client: Client,
        trade: SandboxTrade,
        in_process_network: Posts,
        events: Recorder,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            press(client, trade)
        with django_capture_on_commit_callbacks(execute=True):
            services.refund_start(
                reference="test:1001",
                request_key="refund-1",
                amount=Money.from_yuan("99.00"),
                reason="少发一件",
                actor=ActorContext.system(),
            )
        assert Refund.objects.get().status == RefundStatus.SUCCEEDED
        assert len(events.of(RefundSucceeded)) == 1
        assert in_process_network[-1][0] == "http://127.0.0.1:8000/payments/notify/sandbox/refund/"
        with django_capture_on_commit_callbacks(execute=True):
            services.refund_start(
                reference="test:1001",
                request_key="refund-2",
                amount=Money.from_yuan("100.00"),
                reason="退货",
                actor=ActorContext.system(),
            )
        assert list(Refund.objects.order_by("pk").values_list("status", flat=True)) == ["succeeded", "succeeded"]
        trade.refresh_from_db()
        assert trade.status == "TRADE_CLOSED"
        # The TRADE_CLOSED that follows a full refund is acknowledged and leaves the payment paid.
        closed = NotificationLog.objects.filter(kind="payment").order_by("-pk").first()
        assert closed is not None
        assert (closed.result, closed.answer) == (NotificationResult.IGNORED, "success")
        assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
        assert len(events.of(RefundSucceeded)) == 2
