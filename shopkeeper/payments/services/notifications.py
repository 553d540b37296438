"""Recording gateway callbacks (NotificationLog) and the outcome every handler returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shopkeeper.payments.enums import ACKNOWLEDGED_RESULTS, NotificationKind, NotificationResult
from shopkeeper.payments.models import NotificationLog, Payment, Refund


@dataclass(frozen=True)
class NotificationOutcome:
    """What a callback led to. `answer` is the text the gateway gets back: "success" or "fail"."""

    result: NotificationResult
    message: str = ""
    payment_id: int | None = None
    refund_id: int | None = None
    changed: bool = False
    log_id: int | None = None

    @property
    def accepted(self) -> bool:
        return self.result in ACKNOWLEDGED_RESULTS

    @property
    def answer(self) -> str:
        return "success" if self.accepted else "fail"


@dataclass
class CallbackRecord:
    """A callback being handled; `finish` writes its NotificationLog row."""

    gateway: str
    kind: NotificationKind
    params: dict[str, str]
    remote_addr: str | None = None
    verified: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def received(
        cls, *, gateway: str, kind: NotificationKind, params: Mapping[str, str], remote_addr: str | None
    ) -> CallbackRecord:
        return cls(
            gateway=gateway[:32],
            kind=kind,
            params={str(key): str(value) for key, value in params.items()},
            remote_addr=remote_addr or None,
        )

    def finish(
        self,
        result: NotificationResult,
        message: str = "",
        *,
        payment: Payment | None = None,
        refund: Refund | None = None,
        changed: bool = False,
    ) -> NotificationOutcome:
        log = NotificationLog.objects.create(
            gateway=self.gateway,
            kind=self.kind,
            params=self.params,
            remote_addr=self.remote_addr,
            verified=self.verified,
            result=result,
            message=message[:300],
            out_trade_no=self.params.get("out_trade_no", "")[:64],
            out_refund_no=self.params.get("out_refund_no", "")[:64],
            notify_id=self.params.get("notify_id", "")[:64],
            payment=payment,
            refund=refund,
        )
        return NotificationOutcome(
            result=result,
            message=message,
            payment_id=payment.pk if payment else None,
            refund_id=refund.pk if refund else None,
            changed=changed,
            log_id=log.pk,
        )


def notification_log_error(
    *, gateway: str, kind: str, params: Mapping[str, str], remote_addr: str | None, message: str
) -> NotificationOutcome:
    """Record a callback whose handling broke (the change rolled back); the gateway will retry."""
    record = CallbackRecord.received(
        gateway=gateway, kind=NotificationKind(kind), params=params, remote_addr=remote_addr
    )
    return record.finish(NotificationResult.ERROR, message)
