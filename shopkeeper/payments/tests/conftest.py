"""Payments fixtures: an event recorder, signed sandbox notifications, paid payments, and an
in-process "network" that lets the sandbox's deliveries reach the notify views through the test client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.core.domain.money import Money
from shopkeeper.core.events import subscribe, unsubscribe
from shopkeeper.payments import services
from shopkeeper.payments.domain.gateway import RefundState, TradeState
from shopkeeper.payments.domain.notices import payment_notice_params, refund_notice_params
from shopkeeper.payments.domain.signing import signed
from shopkeeper.payments.events import PaymentFailed, PaymentSucceeded, RefundFailed, RefundSucceeded
from shopkeeper.payments.models import Payment, Refund, SandboxDelivery, SandboxTrade
from shopkeeper.payments.services import sandbox as sandbox_services

EVENT_TYPES = (PaymentSucceeded, PaymentFailed, RefundSucceeded, RefundFailed)
NOTIFY_PATH = "/payments/notify/sandbox/"
REFUND_NOTIFY_PATH = "/payments/notify/sandbox/refund/"


class Recorder(list[Any]):
    def of(self, event_type: type[Any]) -> list[Any]:
        return [event for event in self if isinstance(event, event_type)]


@pytest.fixture
def events() -> Iterator[Recorder]:
    seen = Recorder()
    for event_type in EVENT_TYPES:
        subscribe(event_type, seen.append)
    yield seen
    for event_type in EVENT_TYPES:
        unsubscribe(event_type, seen.append)


def secret() -> str:
    return sandbox_services.sandbox_secret()


def payment_params(
    payment: Payment,
    *,
    state: TradeState = TradeState.SUCCESS,
    amount_fen: int | None = None,
    trade_no: str = "2026120122001400000000000001",
    notify_id: str = "notify-1",
    paid_at: datetime | None = None,
    **overrides: str,
) -> dict[str, str]:
    """A correctly signed sandbox payment notification for `payment` (overrides are signed too)."""
    params = payment_notice_params(
        out_trade_no=payment.out_trade_no,
        trade_no=trade_no,
        amount_fen=payment.amount_fen if amount_fen is None else amount_fen,
        state=state,
        notify_id=notify_id,
        notify_time=timezone.now(),
        paid_at=paid_at or (timezone.now() if state is TradeState.SUCCESS else None),
    )
    return signed({**params, **overrides}, secret())


def refund_params(
    refund: Refund, *, state: RefundState = RefundState.SUCCESS, amount_fen: int | None = None
) -> dict[str, str]:
    params = refund_notice_params(
        out_trade_no=refund.payment.out_trade_no,
        trade_no=refund.payment.trade_no,
        out_refund_no=refund.out_refund_no,
        refund_no="2026120123000000000000000001",
        amount_fen=refund.amount_fen if amount_fen is None else amount_fen,
        state=state,
        notify_id="refund-notify-1",
        notify_time=timezone.now(),
        refunded_at=timezone.now(),
    )
    return signed(params, secret())


def start(reference: str = "test:1001", yuan: str = "199.00", **kwargs: Any) -> services.PaymentStart:
    return services.payment_start(
        reference=reference,
        amount=Money.from_yuan(yuan),
        subject=kwargs.pop("subject", "拾光 法式收腰连衣裙 ×1"),
        customer_id=kwargs.pop("customer_id", None),
        return_url=kwargs.pop("return_url", "http://127.0.0.1:8000/orders/1001/paid/"),
        **kwargs,
    )


@pytest.fixture
def make_paid(db: None) -> Callable[..., Payment]:
    """A payment the gateway has confirmed (through the real notification handler)."""

    def make(reference: str = "test:1001", yuan: str = "100.00") -> Payment:
        started = start(reference, yuan)
        trade = SandboxTrade.objects.get(out_trade_no=started.out_trade_no)
        services.sandbox_trade_finish(token=trade.token, pay=True, knobs=services.DeliveryKnobs())
        delivery = SandboxDelivery.objects.get(trade=trade, kind="payment")  # its task runs only after commit
        outcome = services.payment_notification_handle(gateway="sandbox", params=delivery.params)
        assert outcome.changed, outcome
        return Payment.objects.get(pk=started.payment_id)

    return make


@pytest.fixture
def in_process_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, str]]]:
    """Route the sandbox's HTTP posts to this site through the test client; records every post."""
    posts: list[tuple[str, dict[str, str]]] = []

    def post(url: str, params: dict[str, str], *, timeout: float) -> sandbox_services.HttpAnswer:
        posts.append((url, dict(params)))
        response = Client().post(urlparse(url).path, params)
        return sandbox_services.HttpAnswer(status=response.status_code, body=response.content.decode())

    monkeypatch.setattr(sandbox_services, "notification_post", post)
    return posts
