"""The sandbox gateway's side: its trades and refunds, the cashier's Pay / Fail, and delivering
signed notifications by real HTTP POST with retries (duplicates, delays and drops on request).

Nothing here is our merchant side: it plays the part of Alipay, so it talks to the payments
services only over HTTP, the way a real gateway does.
"""

from __future__ import annotations

import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.core.errors import Conflict, NotFound, ValidationFailed
from shopkeeper.payments.domain.amounts import yuan_text
from shopkeeper.payments.domain.gateway import (
    GatewayRefusal,
    PaymentNotice,
    PaymentOrder,
    RefundOrder,
    RefundState,
    TradeState,
)
from shopkeeper.payments.domain.notices import payment_notice_params, refund_notice_params
from shopkeeper.payments.domain.retries import retry_delay
from shopkeeper.payments.domain.signing import signed
from shopkeeper.payments.enums import (
    SandboxAttemptOutcome,
    SandboxDeliveryKind,
    SandboxDeliveryStatus,
    SandboxRefundStatus,
    SandboxTamper,
    SandboxTradeStatus,
)
from shopkeeper.payments.models import SandboxDelivery, SandboxDeliveryAttempt, SandboxRefund, SandboxTrade

logger = logging.getLogger(__name__)

MAX_COPIES = 10
MAX_DELAY_SECONDS = 3600
MAX_DROPPED = 10
ANSWER_KEPT = 500
USER_AGENT = "Shopkeeper-Sandbox-Gateway/1"


def sandbox_secret() -> str:
    return str(settings.SANDBOX_GATEWAY_SECRET)


def _sandbox_number(prefix: str) -> str:
    # Alipay-like: the date, a channel code, then random digits (28 characters for a trade).
    return f"{timezone.localtime():%Y%m%d}{prefix}{secrets.randbelow(10**16):016d}"


# --- trades -------------------------------------------------------------------------------------


def sandbox_trade_open(*, order: PaymentOrder) -> SandboxTrade:
    """The trade for `order.out_trade_no`, created on first sight (idempotent, like a real gateway)."""
    trade = SandboxTrade.objects.filter(out_trade_no=order.out_trade_no).first()
    if trade is None:
        try:
            with transaction.atomic():
                trade = SandboxTrade.objects.create(
                    token=secrets.token_urlsafe(24),
                    out_trade_no=order.out_trade_no,
                    trade_no=_sandbox_number("2200"),
                    subject=order.subject[:256],
                    amount_fen=order.amount_fen,
                    return_url=order.return_url,
                    notify_url=order.notify_url,
                )
        except IntegrityError:
            trade = SandboxTrade.objects.get(out_trade_no=order.out_trade_no)
    if trade.amount_fen != order.amount_fen:
        raise GatewayRefusal("AMOUNT_CHANGED", "This trade number was opened for another amount")
    return trade


def sandbox_trade_get(*, token: str) -> SandboxTrade:
    trade = SandboxTrade.objects.filter(token=token).first()
    if trade is None:
        raise NotFound(_("No such sandbox trade"), details={"token": token})
    return trade


def sandbox_trade_query(*, out_trade_no: str) -> PaymentNotice:
    trade = SandboxTrade.objects.filter(out_trade_no=out_trade_no).first()
    if trade is None:
        return PaymentNotice(out_trade_no=out_trade_no, trade_no="", amount_fen=0, state=TradeState.NOT_FOUND)
    return PaymentNotice(
        out_trade_no=trade.out_trade_no,
        trade_no=trade.trade_no,
        amount_fen=trade.amount_fen,
        state=TradeState(trade.status),
        paid_at=trade.paid_at,
    )


@dataclass(frozen=True)
class DeliveryKnobs:
    """The cashier's test knobs: how the sandbox will deliver the notification."""

    copies: int = 1  # identical notifications, each delivered (and retried) on its own
    delay_seconds: int = 0  # before the first delivery attempt
    drop_first: int = 0  # attempts that are "lost on the network" (never sent) before real ones
    tamper: str = SandboxTamper.NONE  # wrong_amount | bad_signature

    def check(self) -> None:
        problems: dict[str, str] = {}
        if not 1 <= self.copies <= MAX_COPIES:
            problems["copies"] = f"1–{MAX_COPIES}"
        if not 0 <= self.delay_seconds <= MAX_DELAY_SECONDS:
            problems["delay_seconds"] = f"0–{MAX_DELAY_SECONDS}"
        if not 0 <= self.drop_first <= MAX_DROPPED:
            problems["drop_first"] = f"0–{MAX_DROPPED}"
        if self.tamper not in SandboxTamper.values:
            problems["tamper"] = ", ".join(SandboxTamper.values)
        if problems:
            raise ValidationFailed(_("The test settings are out of range"), details=problems)


def _tampered(params: dict[str, str], trade: SandboxTrade, tamper: str) -> dict[str, str]:
    if tamper == SandboxTamper.WRONG_AMOUNT:
        # Correctly signed, but for one fen (the classic "pay 0.01 for a 199.00 order" attack).
        wrong = 1 if trade.amount_fen != 1 else 2
        return signed({**params, "total_amount": yuan_text(wrong)}, sandbox_secret())
    if tamper == SandboxTamper.BAD_SIGNATURE:
        sign = params["sign"]
        return {**params, "sign": sign[:-1] + ("0" if sign[-1] != "0" else "1")}
    return params


def sandbox_trade_finish(*, token: str, pay: bool, knobs: DeliveryKnobs) -> SandboxTrade:
    """The customer pressed Pay (trade succeeds) or Fail (trade closes); notifications follow."""
    knobs.check()
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(token=token).first()
        if trade is None:
            raise NotFound(_("No such sandbox trade"), details={"token": token})
        if trade.status != SandboxTradeStatus.WAITING:
            raise Conflict(
                _("This trade is already %(status)s") % {"status": trade.get_status_display()},
                details={"status": trade.status},
            )
        now = timezone.now()
        if pay:
            trade.status, trade.paid_at = SandboxTradeStatus.SUCCESS, now
        else:
            trade.status, trade.closed_at = SandboxTradeStatus.CLOSED, now
        trade.save(update_fields=["status", "paid_at", "closed_at"])
        params = payment_notice_params(
            out_trade_no=trade.out_trade_no,
            trade_no=trade.trade_no,
            amount_fen=trade.amount_fen,
            state=TradeState(trade.status),
            notify_id=secrets.token_hex(16),
            notify_time=now,
            paid_at=trade.paid_at,
        )
        body = _tampered(signed(params, sandbox_secret()), trade, knobs.tamper)
        for copy in range(1, knobs.copies + 1):
            _delivery_schedule(
                SandboxDelivery(
                    kind=SandboxDeliveryKind.PAYMENT,
                    trade=trade,
                    url=trade.notify_url,
                    params=body,
                    copy_number=copy,
                    tamper=knobs.tamper,
                    delay_seconds=knobs.delay_seconds,
                    drop_first=knobs.drop_first,
                )
            )
    return trade


def sandbox_return_url(trade: SandboxTrade) -> str:
    """Where the cashier sends the browser: the merchant's return_url with signed synchronous fields.

    Like Alipay's synchronous return, these only say where the customer came from; the merchant
    must rely on the asynchronous notification or a trade query for the state.
    """
    fields = signed(
        {
            "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no,
            "total_amount": yuan_text(trade.amount_fen),
            "trade_status": trade.status,
        },
        sandbox_secret(),
    )
    parts = urlparse(trade.return_url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *fields.items()])
    return urlunparse(parts._replace(query=query))


# --- refunds ------------------------------------------------------------------------------------


def sandbox_refund_accept(*, order: RefundOrder) -> SandboxRefund:
    """Accept a refund (idempotent by out_refund_no) and schedule its signed notification."""
    with transaction.atomic():
        trade = SandboxTrade.objects.select_for_update().filter(out_trade_no=order.out_trade_no).first()
        if trade is None:
            raise GatewayRefusal("TRADE_NOT_EXIST", "The sandbox has no such trade")
        existing = SandboxRefund.objects.filter(out_refund_no=order.out_refund_no).first()
        if existing is not None:
            if existing.amount_fen != order.amount_fen or existing.trade_id != trade.pk:
                raise GatewayRefusal("REFUND_NO_REUSED", "This refund number was used for another refund")
            return existing
        if trade.paid_at is None:
            raise GatewayRefusal("TRADE_NOT_PAID", "The trade was never paid")
        refunded = (
            trade.refunds.filter(status=SandboxRefundStatus.SUCCESS).aggregate(total=Sum("amount_fen"))["total"] or 0
        )
        if refunded + order.amount_fen > trade.amount_fen:
            raise GatewayRefusal(
                "REFUND_AMOUNT_EXCEEDED",
                f"Refunds would reach {yuan_text(refunded + order.amount_fen)} of {yuan_text(trade.amount_fen)}",
            )
        now = timezone.now()
        refund = SandboxRefund.objects.create(
            trade=trade,
            out_refund_no=order.out_refund_no,
            refund_no=_sandbox_number("2300"),
            amount_fen=order.amount_fen,
            reason=order.reason[:200],
            notify_url=order.notify_url,
            status=SandboxRefundStatus.SUCCESS,
        )
        delay = int(settings.SANDBOX_REFUND_DELAY_SECONDS)
        params = refund_notice_params(
            out_trade_no=trade.out_trade_no,
            trade_no=trade.trade_no,
            out_refund_no=refund.out_refund_no,
            refund_no=refund.refund_no,
            amount_fen=refund.amount_fen,
            state=RefundState.SUCCESS,
            notify_id=secrets.token_hex(16),
            notify_time=now,
            refunded_at=now,
        )
        _delivery_schedule(
            SandboxDelivery(
                kind=SandboxDeliveryKind.REFUND,
                trade=trade,
                refund=refund,
                url=order.notify_url,
                params=signed(params, sandbox_secret()),
                delay_seconds=delay,
            )
        )
        if refunded + order.amount_fen == trade.amount_fen:
            # Refunded in full: like Alipay, the trade closes and a TRADE_CLOSED notification follows.
            trade.status, trade.closed_at = SandboxTradeStatus.CLOSED, now
            trade.save(update_fields=["status", "closed_at"])
            closed = payment_notice_params(
                out_trade_no=trade.out_trade_no,
                trade_no=trade.trade_no,
                amount_fen=trade.amount_fen,
                state=TradeState.CLOSED,
                notify_id=secrets.token_hex(16),
                notify_time=now,
                paid_at=trade.paid_at,
            )
            _delivery_schedule(
                SandboxDelivery(
                    kind=SandboxDeliveryKind.PAYMENT,
                    trade=trade,
                    url=trade.notify_url,
                    params=signed(closed, sandbox_secret()),
                    delay_seconds=delay,
                )
            )
    return refund


# --- delivering notifications -------------------------------------------------------------------


def _delivery_schedule(delivery: SandboxDelivery) -> None:
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=delivery.delay_seconds)
    delivery.save()
    transaction.on_commit(partial(_queue_attempt, delivery.pk, 1, delivery.delay_seconds))


def _queue_attempt(delivery_id: int, attempt: int, countdown: int) -> None:
    from shopkeeper.payments.tasks import sandbox_deliver

    sandbox_deliver.apply_async(args=(delivery_id, attempt), countdown=countdown)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A gateway does not follow redirects: a 301/302 answer is a failed delivery, shown as such."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxies from the environment: the sandbox talks straight to the site, as a gateway would.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass(frozen=True)
class HttpAnswer:
    status: int | None
    body: str
    error: str = ""


def notification_post(url: str, params: dict[str, str], *, timeout: float) -> HttpAnswer:
    """POST the parameters form-encoded (UTF-8); never raises for network trouble."""
    if urlparse(url).scheme not in {"http", "https"}:
        return HttpAnswer(status=None, body="", error=f"not an http(s) URL: {url}")
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=urlencode(params).encode("utf-8"),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": USER_AGENT},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpAnswer(status=response.status, body=response.read(4096).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        body = exc.read(4096).decode("utf-8", "replace") if exc.fp is not None else ""
        return HttpAnswer(status=exc.code, body=body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return HttpAnswer(status=None, body="", error=f"{type(exc).__name__}: {reason}"[:300])


def sandbox_delivery_attempt(*, delivery_id: int, attempt: int) -> str:
    """Make attempt number `attempt` of a delivery; schedule the next on failure, or give up.

    Idempotent: an attempt that is not the next one (a task delivered twice) does nothing. No
    database lock is held while the request is in flight.
    """
    with transaction.atomic():
        delivery = SandboxDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.attempts_made != attempt - 1:
            return "skipped"
        if delivery.status in {SandboxDeliveryStatus.DELIVERED, SandboxDeliveryStatus.GAVE_UP}:
            return "skipped"
        delivery.attempts_made = attempt
        delivery.status = SandboxDeliveryStatus.SENDING
        delivery.save(update_fields=["attempts_made", "status"])

    started = time.monotonic()
    if attempt <= delivery.drop_first:
        answer = HttpAnswer(status=None, body="", error="dropped by the test settings (not sent)")
        outcome = SandboxAttemptOutcome.DROPPED
    else:
        answer = notification_post(
            delivery.url, dict(delivery.params), timeout=float(settings.SANDBOX_NOTIFY_TIMEOUT_SECONDS)
        )
        if answer.status == 200 and answer.body.strip() == "success":
            outcome = SandboxAttemptOutcome.ACKNOWLEDGED
        elif answer.status is None:
            outcome = SandboxAttemptOutcome.UNREACHABLE
        else:
            outcome = SandboxAttemptOutcome.REFUSED
    duration_ms = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        delivery = SandboxDelivery.objects.select_for_update().get(pk=delivery_id)
        SandboxDeliveryAttempt.objects.create(
            delivery=delivery,
            number=attempt,
            outcome=outcome,
            http_status=answer.status,
            answer=answer.body[:ANSWER_KEPT],
            error=answer.error[:300],
            duration_ms=duration_ms,
        )
        now = timezone.now()
        if outcome == SandboxAttemptOutcome.ACKNOWLEDGED:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                SandboxDeliveryStatus.DELIVERED,
                now,
                None,
            )
        else:
            delay = retry_delay(list(settings.SANDBOX_NOTIFY_RETRY_SECONDS), attempt)
            if delay is None:
                delivery.status, delivery.finished_at, delivery.next_attempt_at = (
                    SandboxDeliveryStatus.GAVE_UP,
                    now,
                    None,
                )
                logger.warning("sandbox delivery %s gave up after %s attempts", delivery.pk, attempt)
            else:
                delivery.status = SandboxDeliveryStatus.SCHEDULED
                delivery.next_attempt_at = now + timedelta(seconds=delay)
                transaction.on_commit(partial(_queue_attempt, delivery.pk, attempt + 1, delay))
        delivery.save(update_fields=["status", "finished_at", "next_attempt_at"])
    return str(outcome)
