"""The sandbox gateway's adapter: behaves like Alipay (a cashier page, signed asynchronous
notifications with retries, refunds notified later), with its books in our own database.

It signs with HMAC-SHA256 and `SANDBOX_GATEWAY_SECRET`; it is refused when switched off
(`SANDBOX_GATEWAY_ENABLED`, which defaults to DEBUG).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse

from shopkeeper.payments.domain.gateway import (
    NoticeProblem,
    NoticeRejected,
    PaymentNotice,
    PaymentOrder,
    RefundAccepted,
    RefundNotice,
    RefundOrder,
)
from shopkeeper.payments.domain.notices import payment_notice_read, refund_notice_read
from shopkeeper.payments.domain.signing import signature_valid
from shopkeeper.payments.services import sandbox

SANDBOX = "sandbox"


class SandboxGateway:
    name = SANDBOX

    def enabled(self) -> bool:
        return bool(settings.SANDBOX_GATEWAY_ENABLED)

    def _verify(self, params: Mapping[str, str]) -> None:
        if not signature_valid(params, sandbox.sandbox_secret()):
            raise NoticeRejected(NoticeProblem.BAD_SIGNATURE, "The signature does not match the parameters")

    def payment_start(self, order: PaymentOrder) -> str:
        trade = sandbox.sandbox_trade_open(order=order)
        return settings.SITE_URL + reverse("payments:sandbox_pay", args=[trade.token])

    def payment_notice_verify(self, params: Mapping[str, str]) -> PaymentNotice:
        self._verify(params)
        return payment_notice_read(params)

    def refund_start(self, order: RefundOrder) -> RefundAccepted:
        refund = sandbox.sandbox_refund_accept(order=order)
        return RefundAccepted(gateway_refund_no=refund.refund_no)

    def refund_notice_verify(self, params: Mapping[str, str]) -> RefundNotice:
        self._verify(params)
        return refund_notice_read(params)

    def trade_query(self, out_trade_no: str) -> PaymentNotice:
        return sandbox.sandbox_trade_query(out_trade_no=out_trade_no)
