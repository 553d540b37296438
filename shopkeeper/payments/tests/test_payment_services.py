"""Payment services: one open payment per reference and amount, notifications believed once,
forgeries and wrong amounts refused without a change, and asking the gateway when unsure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import override_settings

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.payments import selectors, services
from shopkeeper.payments.domain.gateway import GatewayError, GatewayRefusal, TradeState
from shopkeeper.payments.enums import NotificationResult, PaymentStatus
from shopkeeper.payments.errors import GatewayUnavailable, PaymentRefused
from shopkeeper.payments.events import PaymentFailed, PaymentSucceeded
from shopkeeper.payments.gateways import gateway_get
from shopkeeper.payments.models import NotificationLog, Payment, SandboxTrade
from shopkeeper.payments.tests.conftest import Recorder, payment_params, start

pytestmark = pytest.mark.django_db


def handle(params: dict[str, str]) -> services.NotificationOutcome:
    return services.payment_notification_handle(gateway="sandbox", params=params, remote_addr="127.0.0.1")


class TestPaymentStart:
    def test_opens_a_pending_payment_and_a_sandbox_trade(self) -> None:
        started = start("test:1001", "199.00", customer_id=None)
        payment = Payment.objects.get(pk=started.payment_id)
        assert payment.status == PaymentStatus.PENDING
        assert payment.amount_fen == 19900
        assert payment.reference == "test:1001"
        assert payment.out_trade_no == started.out_trade_no
        assert len(started.out_trade_no) == 25
        trade = SandboxTrade.objects.get(out_trade_no=started.out_trade_no)
        assert started.pay_url == f"http://127.0.0.1:8000/payments/sandbox/pay/{trade.token}/"
        assert trade.notify_url == "http://127.0.0.1:8000/payments/notify/sandbox/"
        assert trade.amount_fen == 19900
        assert payment.pay_url == started.pay_url

    def test_a_double_click_is_one_payment(self) -> None:
        first = start("test:1001", "199.00")
        second = start("test:1001", "199.00")
        assert second == first
        assert Payment.objects.count() == 1
        assert SandboxTrade.objects.count() == 1

    def test_another_amount_or_reference_is_another_payment(self) -> None:
        first = start("test:1001", "199.00")
        assert start("test:1001", "189.00").payment_id != first.payment_id
        assert start("test:1002", "199.00").payment_id != first.payment_id
        assert Payment.objects.count() == 3

    def test_a_closed_payment_is_not_reused(self, events: Recorder) -> None:
        first = start("test:1001")
        handle(payment_params(Payment.objects.get(pk=first.payment_id), state=TradeState.CLOSED))
        again = start("test:1001")
        assert again.payment_id != first.payment_id
        assert again.out_trade_no != first.out_trade_no

    @override_settings(SITE_URL="https://shop.example.com")
    def test_urls_follow_site_url(self) -> None:
        started = start()
        assert started.pay_url.startswith("https://shop.example.com/payments/sandbox/pay/")
        trade = SandboxTrade.objects.get(out_trade_no=started.out_trade_no)
        assert trade.notify_url == "https://shop.example.com/payments/notify/sandbox/"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"reference": " "}, "reference"),
            ({"amount": Money(0)}, "amount"),
            ({"amount": Money(-100)}, "amount"),
            ({"amount": Money(100, "USD")}, "amount"),
            ({"subject": ""}, "subject"),
            ({"return_url": ""}, "return_url"),
        ],
    )
    def test_bad_requests_are_refused(self, changes: dict[str, object], field: str) -> None:
        values: dict[str, object] = {
            "reference": "test:1",
            "amount": Money(100),
            "subject": "x",
            "customer_id": None,
            "return_url": "/x/",
        }
        with pytest.raises(ValidationFailed) as caught:
            services.payment_start(**{**values, **changes})  # type: ignore[arg-type]
        assert field in caught.value.details
        assert Payment.objects.count() == 0

    def test_an_unknown_gateway_is_refused(self) -> None:
        with pytest.raises(GatewayUnavailable) as caught:
            start(gateway="paypal")
        assert caught.value.details["gateway"] == "paypal"
        assert Payment.objects.count() == 0

    @override_settings(SANDBOX_GATEWAY_ENABLED=False)
    def test_the_sandbox_is_refused_when_switched_off(self) -> None:
        with pytest.raises(GatewayUnavailable) as caught:
            start()
        assert caught.value.details == {"gateway": "sandbox", "reason": "disabled"}
        assert Payment.objects.count() == 0

    def test_a_gateway_refusal_fails_the_payment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def refuse(order: object) -> str:
            raise GatewayRefusal("AMOUNT_LIMIT", "over the single-payment limit")

        monkeypatch.setattr(gateway_get("sandbox"), "payment_start", refuse)
        with pytest.raises(PaymentRefused):
            start()
        payment = Payment.objects.get()
        assert payment.status == PaymentStatus.FAILED
        assert AuditEntry.objects.filter(action="payment.fail", object_id=str(payment.pk)).exists()

    def test_an_unreachable_gateway_leaves_the_payment_open_for_the_retry(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        adapter = gateway_get("sandbox")
        original = adapter.payment_start

        def down(order: object) -> str:
            raise GatewayError("timed out")

        monkeypatch.setattr(adapter, "payment_start", down)
        with pytest.raises(GatewayUnavailable):
            start()
        monkeypatch.setattr(adapter, "payment_start", original)
        started = start()
        assert Payment.objects.get().pk == started.payment_id
        assert Payment.objects.get().status == PaymentStatus.PENDING


class TestNotification:
    def test_the_first_success_marks_it_paid_and_publishes_once(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        outcomes = [handle(payment_params(payment)) for _ in range(10)]
        assert [o.result for o in outcomes] == [NotificationResult.APPLIED] + [NotificationResult.DUPLICATE] * 9
        assert all(o.answer == "success" for o in outcomes)
        assert [o.changed for o in outcomes].count(True) == 1
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.SUCCEEDED
        assert payment.trade_no == "2026120122001400000000000001"
        assert payment.paid_at is not None
        succeeded = events.of(PaymentSucceeded)
        assert len(succeeded) == 1
        assert succeeded[0] == PaymentSucceeded(
            payment_id=payment.pk,
            reference="test:1001",
            amount_fen=19900,
            gateway="sandbox",
            trade_no=payment.trade_no,
            paid_at=payment.paid_at,
        )
        assert NotificationLog.objects.filter(payment=payment).count() == 10
        assert AuditEntry.objects.filter(action="payment.succeed").count() == 1
        assert selectors.payment_status("test:1001") == "succeeded"
        assert selectors.paid_total("test:1001") == Money(19900)

    def test_a_forged_signature_is_refused_and_changes_nothing(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        forged = {**payment_params(payment), "sign": "0" * 64}
        outcome = handle(forged)
        assert outcome.result == NotificationResult.BAD_SIGNATURE
        assert outcome.answer == "fail"
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.PENDING
        assert events == []
        log = NotificationLog.objects.get()
        assert (log.verified, log.result, log.out_trade_no, log.remote_addr) == (
            False,
            "bad_signature",
            payment.out_trade_no,
            "127.0.0.1",
        )
        assert log.params == forged

    def test_a_tampered_amount_breaks_the_signature(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        tampered = {**payment_params(payment), "total_amount": "0.01"}
        assert handle(tampered).result == NotificationResult.BAD_SIGNATURE
        assert Payment.objects.get().status == PaymentStatus.PENDING

    def test_a_signed_wrong_amount_is_refused_and_changes_nothing(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        outcome = handle(payment_params(payment, amount_fen=1))
        assert outcome.result == NotificationResult.AMOUNT_MISMATCH
        assert outcome.answer == "fail"
        assert outcome.payment_id == payment.pk
        assert Payment.objects.get().status == PaymentStatus.PENDING
        assert events == []
        assert NotificationLog.objects.get().message == "Notified 0.01 for a payment of 199.00"

    def test_an_unknown_trade_is_refused(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        outcome = handle(payment_params(payment, out_trade_no="P2026000000000000000000000"))
        assert outcome.result == NotificationResult.UNKNOWN_TRADE
        assert outcome.answer == "fail"
        assert Payment.objects.get().status == PaymentStatus.PENDING

    def test_a_malformed_but_signed_notification_is_refused(self) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        outcome = handle(payment_params(payment, total_amount="lots"))
        assert outcome.result == NotificationResult.MALFORMED
        log = NotificationLog.objects.get()
        assert log.verified is True

    def test_an_unknown_gateway_is_logged_and_refused(self) -> None:
        outcome = services.payment_notification_handle(gateway="nope", params={"out_trade_no": "X"})
        assert outcome.result == NotificationResult.GATEWAY_UNAVAILABLE
        assert NotificationLog.objects.get().gateway == "nope"

    def test_closed_publishes_payment_failed(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        assert handle(payment_params(payment, state=TradeState.CLOSED)).changed
        assert handle(payment_params(payment, state=TradeState.CLOSED)).result == NotificationResult.DUPLICATE
        payment.refresh_from_db()
        assert payment.status == PaymentStatus.CLOSED
        assert events == [PaymentFailed(payment_id=payment.pk, reference="test:1001")]
        assert selectors.payment_status("test:1001") == "closed"

    def test_a_close_after_success_is_acknowledged_and_changes_nothing(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        handle(payment_params(payment))
        outcome = handle(payment_params(payment, state=TradeState.CLOSED))
        assert outcome.result == NotificationResult.IGNORED
        assert outcome.answer == "success"
        assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
        assert len(events) == 1

    def test_money_after_closing_is_recorded(self, events: Recorder) -> None:
        payment = Payment.objects.get(pk=start().payment_id)
        handle(payment_params(payment, state=TradeState.CLOSED))
        outcome = handle(payment_params(payment))
        assert outcome.changed
        assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
        assert [type(e) for e in events] == [PaymentFailed, PaymentSucceeded]

    def test_a_subscriber_failure_rolls_the_change_back(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from shopkeeper.core.events import subscribe, unsubscribe

        def broken(event: PaymentSucceeded) -> None:
            raise RuntimeError("order side is down")

        payment = Payment.objects.get(pk=start().payment_id)
        subscribe(PaymentSucceeded, broken)
        try:
            with pytest.raises(RuntimeError):
                handle(payment_params(payment))
        finally:
            unsubscribe(PaymentSucceeded, broken)
        assert Payment.objects.get().status == PaymentStatus.PENDING


class TestAskingTheGateway:
    def test_sync_applies_a_paid_trade_once(self, events: Recorder) -> None:
        started = start()
        assert services.payment_sync(reference="test:1001") == "pending"  # the customer has not paid yet
        SandboxTrade.objects.filter(out_trade_no=started.out_trade_no).update(status="TRADE_SUCCESS")
        assert services.payment_sync(reference="test:1001") == "succeeded"
        assert services.payment_sync(reference="test:1001") == "succeeded"
        assert len(events.of(PaymentSucceeded)) == 1
        payment = Payment.objects.get()
        assert payment.trade_no == SandboxTrade.objects.get().trade_no
        audit = AuditEntry.objects.get(action="payment.succeed")
        assert audit.after is not None
        assert audit.after["source"] == "query"

    def test_a_query_with_another_amount_is_not_applied(self, events: Recorder) -> None:
        started = start()
        SandboxTrade.objects.filter(out_trade_no=started.out_trade_no).update(status="TRADE_SUCCESS", amount_fen=1)
        assert services.payment_sync(reference="test:1001") == "pending"
        assert events == []

    def test_reconcile_asks_about_payments_that_settled(self, events: Recorder) -> None:
        started = start()
        SandboxTrade.objects.filter(out_trade_no=started.out_trade_no).update(status="TRADE_CLOSED")
        assert services.payments_reconcile(settle_seconds=3600) == {"asked": 0, "changed": 0, "unreachable": 0}
        assert services.payments_reconcile(settle_seconds=0) == {"asked": 1, "changed": 1, "unreachable": 0}
        assert Payment.objects.get().status == PaymentStatus.CLOSED
        assert len(events.of(PaymentFailed)) == 1

    def test_reconcile_counts_an_unreachable_gateway(self, monkeypatch: pytest.MonkeyPatch) -> None:
        start()

        def down(out_trade_no: str) -> object:
            raise GatewayError("timeout")

        monkeypatch.setattr(gateway_get("sandbox"), "trade_query", down)
        assert services.payments_reconcile(settle_seconds=0) == {"asked": 1, "changed": 0, "unreachable": 1}


class TestSelectors:
    def test_status_and_totals_of_a_reference(self, make_paid: Callable[..., object]) -> None:
        assert selectors.payment_status("test:none") == "none"
        assert selectors.paid_total("test:none") == Money(0)
        start("test:2", "10.00")
        assert selectors.payment_status("test:2") == "pending"
        make_paid("test:2", "10.00")
        start("test:2", "12.00")  # a second, open payment does not hide the paid one
        assert selectors.payment_status("test:2") == "succeeded"
        assert selectors.paid_total("test:2") == Money(1000)
        assert [p.amount_fen for p in selectors.payments_for("test:2")] == [1000, 1200]
        assert selectors.refunded_total("test:2") == Money(0)
        assert selectors.refundable_total("test:2") == Money(1000)
