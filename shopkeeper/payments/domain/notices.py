"""The notification protocol's fields, Alipay style: build them (the sandbox) and read them (adapters).

A payment notification is form-encoded: out_trade_no, trade_no, total_amount ("199.00"),
trade_status, notify_id, notify_time and gmt_payment ("2026-01-01 12:00:00", Beijing time),
notify_type, then sign_type and sign. A refund notification has out_trade_no, trade_no,
out_refund_no, refund_no, refund_amount, refund_status, gmt_refund, notify_id, notify_time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from shopkeeper.payments.domain.amounts import AmountInvalid, yuan_parse, yuan_text
from shopkeeper.payments.domain.gateway import (
    NoticeProblem,
    NoticeRejected,
    PaymentNotice,
    RefundNotice,
    RefundState,
    TradeState,
)

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PAYMENT_NOTIFY_TYPE = "trade_status_sync"
REFUND_NOTIFY_TYPE = "refund_status_sync"
PAYMENT_FIELDS = ("out_trade_no", "trade_no", "total_amount", "trade_status", "notify_id", "notify_time")
REFUND_FIELDS = (
    "out_trade_no",
    "out_refund_no",
    "refund_no",
    "refund_amount",
    "refund_status",
    "notify_id",
    "notify_time",
)
NOTIFIED_TRADE_STATES = frozenset({TradeState.SUCCESS, TradeState.FINISHED, TradeState.CLOSED, TradeState.WAITING})


def gateway_time(moment: datetime) -> str:
    """An aware datetime as the gateway writes it: Beijing wall-clock time, to the second."""
    if moment.tzinfo is None:
        raise ValueError("gateway_time needs an aware datetime")
    return moment.astimezone(BEIJING).strftime(TIME_FORMAT)


def gateway_time_parse(text: str) -> datetime:
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"Not a time like 2026-01-01 12:00:00: {text!r}") from None


def _require(params: Mapping[str, str], fields: tuple[str, ...]) -> None:
    missing = [field for field in fields if not params.get(field, "").strip()]
    if missing:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"Missing field(s): {', '.join(missing)}")


def _amount(params: Mapping[str, str], field: str) -> int:
    try:
        fen = yuan_parse(params[field])
    except AmountInvalid:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"{field} is not an amount: {params[field]!r}") from None
    if fen <= 0:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"{field} must be above zero")
    return fen


def payment_notice_params(
    *,
    out_trade_no: str,
    trade_no: str,
    amount_fen: int,
    state: TradeState,
    notify_id: str,
    notify_time: datetime,
    paid_at: datetime | None,
) -> dict[str, str]:
    """The unsigned fields of a payment notification."""
    params = {
        "notify_type": PAYMENT_NOTIFY_TYPE,
        "notify_id": notify_id,
        "notify_time": gateway_time(notify_time),
        "out_trade_no": out_trade_no,
        "trade_no": trade_no,
        "total_amount": yuan_text(amount_fen),
        "trade_status": state.value,
    }
    if paid_at is not None:
        params["gmt_payment"] = gateway_time(paid_at)
    return params


def payment_notice_read(params: Mapping[str, str]) -> PaymentNotice:
    """The notice in already-verified parameters; NoticeRejected(MALFORMED) when a field is unusable."""
    _require(params, PAYMENT_FIELDS)
    try:
        state = TradeState(params["trade_status"])
    except ValueError:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"Unknown trade_status {params['trade_status']!r}") from None
    if state not in NOTIFIED_TRADE_STATES:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"trade_status {state.value} is not notified")
    paid_at = gateway_time_parse(params["gmt_payment"]) if params.get("gmt_payment") else None
    return PaymentNotice(
        out_trade_no=params["out_trade_no"],
        trade_no=params["trade_no"],
        amount_fen=_amount(params, "total_amount"),
        state=state,
        notify_id=params["notify_id"],
        paid_at=paid_at,
    )


def refund_notice_params(
    *,
    out_trade_no: str,
    trade_no: str,
    out_refund_no: str,
    refund_no: str,
    amount_fen: int,
    state: RefundState,
    notify_id: str,
    notify_time: datetime,
    refunded_at: datetime | None,
) -> dict[str, str]:
    params = {
        "notify_type": REFUND_NOTIFY_TYPE,
        "notify_id": notify_id,
        "notify_time": gateway_time(notify_time),
        "out_trade_no": out_trade_no,
        "trade_no": trade_no,
        "out_refund_no": out_refund_no,
        "refund_no": refund_no,
        "refund_amount": yuan_text(amount_fen),
        "refund_status": state.value,
    }
    if refunded_at is not None:
        params["gmt_refund"] = gateway_time(refunded_at)
    return params


def refund_notice_read(params: Mapping[str, str]) -> RefundNotice:
    _require(params, REFUND_FIELDS)
    try:
        state = RefundState(params["refund_status"])
    except ValueError:
        raise NoticeRejected(NoticeProblem.MALFORMED, f"Unknown refund_status {params['refund_status']!r}") from None
    refunded_at = gateway_time_parse(params["gmt_refund"]) if params.get("gmt_refund") else None
    return RefundNotice(
        out_trade_no=params["out_trade_no"],
        out_refund_no=params["out_refund_no"],
        gateway_refund_no=params["refund_no"],
        amount_fen=_amount(params, "refund_amount"),
        state=state,
        notify_id=params["notify_id"],
        refunded_at=refunded_at,
    )
