"""The notify endpoints over HTTP: POST only, no CSRF token needed, plain `success`/`fail`,
every callback logged; ten identical notifications are one change and one event."""

from __future__ import annotations

import pytest
from django.test import Client

from shopkeeper.payments.domain.gateway import TradeState
from shopkeeper.payments.enums import NotificationResult, PaymentStatus
from shopkeeper.payments.events import PaymentSucceeded
from shopkeeper.payments.models import NotificationLog, Payment
from shopkeeper.payments.tests.conftest import NOTIFY_PATH, REFUND_NOTIFY_PATH, Recorder, payment_params, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway_client() -> Client:
    # A gateway carries no CSRF token: the endpoints must not ask for one.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def payment(db: None) -> Payment:
    return Payment.objects.get(pk=start("test:1001", "199.00").payment_id)


def post(client: Client, params: dict[str, str], path: str = NOTIFY_PATH) -> tuple[int, str, str]:
    response = client.post(path, params, REMOTE_ADDR="110.75.143.1")
    return response.status_code, response["Content-Type"], response.content.decode()


def test_ten_identical_notifications_make_one_change_and_one_event(
    gateway_client: Client, payment: Payment, events: Recorder
) -> None:
    params = payment_params(payment)
    answers = [post(gateway_client, params) for _ in range(10)]
    assert answers == [(200, "text/plain; charset=utf-8", "success")] * 10
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(events.of(PaymentSucceeded)) == 1
    results = list(NotificationLog.objects.order_by("pk").values_list("result", flat=True))
    assert results == [NotificationResult.APPLIED] + [NotificationResult.DUPLICATE] * 9
    log = NotificationLog.objects.order_by("pk").first()
    assert log is not None
    assert (log.verified, log.remote_addr, log.payment_id, log.notify_id) == (
        True,
        "110.75.143.1",
        payment.pk,
        "notify-1",
    )


def test_a_forged_notification_gets_fail_and_changes_nothing(
    gateway_client: Client, payment: Payment, events: Recorder
) -> None:
    forged = {**payment_params(payment), "sign": "f" * 64}
    assert post(gateway_client, forged)[1:] == ("text/plain; charset=utf-8", "fail")
    unsigned = {key: value for key, value in payment_params(payment).items() if key not in {"sign", "sign_type"}}
    assert post(gateway_client, unsigned)[2] == "fail"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.trade_no == ""
    assert events == []
    assert list(NotificationLog.objects.values_list("result", flat=True)) == ["bad_signature", "bad_signature"]


def test_an_amount_mismatch_gets_fail_and_changes_nothing(
    gateway_client: Client, payment: Payment, events: Recorder
) -> None:
    assert post(gateway_client, payment_params(payment, amount_fen=19800))[2] == "fail"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert events == []
    assert NotificationLog.objects.get().result == NotificationResult.AMOUNT_MISMATCH


def test_an_unknown_trade_gets_fail(gateway_client: Client, payment: Payment) -> None:
    assert post(gateway_client, payment_params(payment, out_trade_no="P0"))[2] == "fail"
    assert NotificationLog.objects.get().result == NotificationResult.UNKNOWN_TRADE


def test_a_closed_trade_gets_success(gateway_client: Client, payment: Payment) -> None:
    assert post(gateway_client, payment_params(payment, state=TradeState.CLOSED))[2] == "success"
    assert Payment.objects.get().status == PaymentStatus.CLOSED


def test_only_post(client: Client) -> None:
    assert client.get(NOTIFY_PATH).status_code == 405
    assert client.get(REFUND_NOTIFY_PATH).status_code == 405
    assert NotificationLog.objects.count() == 0


def test_an_unknown_gateway_is_logged_and_gets_fail(gateway_client: Client) -> None:
    status, _type, body = post(gateway_client, {"out_trade_no": "P1"}, "/payments/notify/alipay/")
    assert (status, body) == (200, "fail")
    assert NotificationLog.objects.get().result == NotificationResult.GATEWAY_UNAVAILABLE


def test_an_empty_body_gets_fail(gateway_client: Client) -> None:
    assert post(gateway_client, {})[2] == "fail"
    assert NotificationLog.objects.get().result == NotificationResult.BAD_SIGNATURE


def test_a_crash_is_logged_and_gets_fail(
    gateway_client: Client, payment: Payment, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopkeeper.payments import services

    def crash(**kwargs: object) -> object:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "payment_notification_handle", crash)
    assert post(gateway_client, payment_params(payment))[2] == "fail"
    log = NotificationLog.objects.get()
    assert log.result == NotificationResult.ERROR
    assert "database went away" in log.message


def test_refund_notifications_have_their_own_endpoint(gateway_client: Client, payment: Payment) -> None:
    # A payment notification posted to the refund endpoint is not a refund notification.
    assert post(gateway_client, payment_params(payment), REFUND_NOTIFY_PATH)[2] == "fail"
    assert NotificationLog.objects.get().result == NotificationResult.MALFORMED
    assert Payment.objects.get().status == PaymentStatus.PENDING
