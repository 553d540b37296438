"""Refund services: never more than was paid, one refund per request key, the gateway's refund
notification believed once, and a refusal making the amount refundable again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext
from shopkeeper.payments import selectors, services
from shopkeeper.payments.domain.gateway import GatewayError, RefundState
from shopkeeper.payments.domain.signing import signed
from shopkeeper.payments.enums import NotificationResult, RefundStatus
from shopkeeper.payments.errors import GatewayUnavailable, RefundRefused
from shopkeeper.payments.events import RefundFailed, RefundSucceeded
from shopkeeper.payments.gateways import gateway_get
from shopkeeper.payments.models import NotificationLog, Payment, Refund, SandboxDelivery, SandboxRefund, SandboxTrade
from shopkeeper.payments.tests.conftest import Recorder, refund_params, secret

pytestmark = pytest.mark.django_db
SYSTEM = ActorContext.system()
MakePaid = Callable[..., Payment]


def refund(key: str, yuan: str, reference: str = "test:1001", **kwargs: Any) -> Refund:
    return services.refund_start(
        reference=reference,
        request_key=key,
        amount=Money.from_yuan(yuan),
        reason=kwargs.pop("reason", "尺码不合适"),
        actor=kwargs.pop("actor", SYSTEM),
    )


class TestRefundStart:
    def test_records_a_pending_refund_and_asks_the_gateway_after_commit(
        self, make_paid: MakePaid, django_capture_on_commit_callbacks: Any
    ) -> None:
        payment = make_paid(yuan="100.00")
        user = User.objects.create_user(username="cs_li")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            created = refund("order-refund:1", "30.00", actor=ActorContext(user=user))
        assert created.status == RefundStatus.PENDING
        assert created.payment_id == payment.pk
        assert created.amount_fen == 3000
        assert created.requested_by == user
        assert len(created.out_refund_no) == 25
        assert len(callbacks) == 1
        assert AuditEntry.objects.get(action="refund.start").actor == user
        assert selectors.refund_pending_total("test:1001") == Money(3000)
        assert selectors.refundable_total("test:1001") == Money(7000)
        assert SandboxRefund.objects.count() == 0  # not before commit

    def test_the_same_request_key_is_the_same_refund(self, make_paid: MakePaid) -> None:
        make_paid(yuan="100.00")
        first = refund("k1", "30.00")
        assert refund("k1", "30.00").pk == first.pk
        assert refund(" k1 ", "30.00").pk == first.pk
        assert Refund.objects.count() == 1

    def test_the_same_key_for_a_different_refund_is_refused(self, make_paid: MakePaid) -> None:
        make_paid(yuan="100.00")
        refund("k1", "30.00")
        with pytest.raises(RefundRefused) as caught:
            refund("k1", "31.00")
        assert caught.value.details["reason"] == "request_key_reused"
        assert caught.value.status == 409

    def test_pending_and_succeeded_refunds_never_exceed_what_was_paid(self, make_paid: MakePaid) -> None:
        make_paid(yuan="100.00")
        refund("k1", "60.00")
        Refund.objects.filter(request_key="k1").update(status=RefundStatus.SUCCEEDED)
        refund("k2", "30.00")  # pending
        with pytest.raises(RefundRefused) as caught:
            refund("k3", "10.01")
        assert caught.value.details == {
            "reason": "exceeds_paid",
            "reference": "test:1001",
            "paid": "100.00",
            "refunded_or_pending": "90.00",
            "refundable": "10.00",
            "requested": "10.01",
        }
        assert refund("k3", "10.00").amount_fen == 1000
        assert selectors.refundable_total("test:1001") == Money(0)
        assert Refund.objects.count() == 3

    def test_a_failed_refund_frees_its_amount(self, make_paid: MakePaid) -> None:
        make_paid(yuan="100.00")
        refund("k1", "100.00")
        Refund.objects.filter(request_key="k1").update(status=RefundStatus.FAILED)
        assert refund("k2", "100.00").status == RefundStatus.PENDING

    def test_nothing_paid_nothing_refunded(self, db: None) -> None:
        from shopkeeper.payments.tests.conftest import start

        start("test:1001")  # pending, not paid
        with pytest.raises(RefundRefused) as caught:
            refund("k1", "1.00")
        assert caught.value.details["reason"] == "nothing_paid"

    def test_a_refund_fits_on_one_trade(self, make_paid: MakePaid) -> None:
        make_paid("test:1001", "50.00")
        make_paid("test:1001", "60.00")
        with pytest.raises(RefundRefused) as caught:
            refund("k1", "70.00")
        assert caught.value.details["reason"] == "no_single_payment"
        assert refund("k2", "55.00").payment.amount_fen == 6000

    @pytest.mark.parametrize(
        ("key", "yuan", "reason", "field"),
        [("", "1.00", "x", "request_key"), ("k" * 129, "1.00", "x", "request_key"), ("k", "0", "x", "amount")],
    )
    def test_bad_requests(self, make_paid: MakePaid, key: str, yuan: str, reason: str, field: str) -> None:
        make_paid()
        with pytest.raises(ValidationFailed) as caught:
            refund(key, yuan, reason=reason)
        assert field in caught.value.details


class TestRefundSubmit:
    def test_the_sandbox_accepts_and_schedules_its_notification(self, make_paid: MakePaid) -> None:
        make_paid(yuan="100.00")
        created = refund("k1", "30.00")
        assert services.refund_submit(refund_id=created.pk) == RefundStatus.PENDING
        created.refresh_from_db()
        assert created.submitted_at is not None
        sandbox_refund = SandboxRefund.objects.get()
        assert created.gateway_refund_no == sandbox_refund.refund_no
        delivery = SandboxDelivery.objects.get(kind="refund")
        assert delivery.url == "http://127.0.0.1:8000/payments/notify/sandbox/refund/"
        assert delivery.params["refund_amount"] == "30.00"
        assert delivery.params["out_refund_no"] == created.out_refund_no
        # Submitting again (a retried task) asks nothing twice.
        assert services.refund_submit(refund_id=created.pk) == RefundStatus.PENDING
        assert SandboxRefund.objects.count() == 1

    def test_a_refusal_fails_the_refund_and_frees_the_amount(self, make_paid: MakePaid, events: Recorder) -> None:
        make_paid(yuan="100.00")
        created = refund("k1", "30.00")
        # The sandbox refuses what its own books cannot carry (someone refunded there directly).
        trade = SandboxTrade.objects.get()
        SandboxRefund.objects.create(
            trade=trade, out_refund_no="X", refund_no="Y", amount_fen=9000, notify_url="", status="REFUND_SUCCESS"
        )
        assert services.refund_submit(refund_id=created.pk) == RefundStatus.FAILED
        created.refresh_from_db()
        assert created.status == RefundStatus.FAILED
        assert created.failure_reason.startswith("REFUND_AMOUNT_EXCEEDED")
        assert events.of(RefundFailed)[0].request_key == "k1"
        assert selectors.refundable_total("test:1001") == Money(10000)

    def test_an_unreachable_gateway_is_retried(self, make_paid: MakePaid, monkeypatch: pytest.MonkeyPatch) -> None:
        make_paid()
        created = refund("k1", "1.00")

        def down(order: object) -> object:
            raise GatewayError("timeout")

        monkeypatch.setattr(gateway_get("sandbox"), "refund_start", down)
        with pytest.raises(GatewayUnavailable):
            services.refund_submit(refund_id=created.pk)
        created.refresh_from_db()
        assert (created.status, created.submitted_at) == (RefundStatus.PENDING, None)


class TestRefundNotification:
    def handle(self, params: dict[str, str]) -> services.NotificationOutcome:
        return services.refund_notification_handle(gateway="sandbox", params=params)

    def test_success_is_applied_once(self, make_paid: MakePaid, events: Recorder) -> None:
        make_paid(yuan="100.00")
        created = refund("k1", "30.00")
        outcomes = [self.handle(refund_params(created)) for _ in range(5)]
        assert [o.result for o in outcomes] == [NotificationResult.APPLIED] + [NotificationResult.DUPLICATE] * 4
        created.refresh_from_db()
        assert created.status == RefundStatus.SUCCEEDED
        assert created.succeeded_at is not None
        assert created.gateway_refund_no == "2026120123000000000000000001"
        assert events.of(RefundSucceeded) == [
            RefundSucceeded(refund_id=created.pk, reference="test:1001", request_key="k1", amount_fen=3000)
        ]
        assert selectors.refunded_total("test:1001") == Money(3000)
        assert selectors.refundable_total("test:1001") == Money(7000)
        assert AuditEntry.objects.filter(action="refund.succeed").count() == 1
        assert NotificationLog.objects.filter(refund=created).count() == 5

    def test_forged_wrong_amount_and_unknown_are_refused(self, make_paid: MakePaid, events: Recorder) -> None:
        make_paid(yuan="100.00")
        created = refund("k1", "30.00")
        forged = {**refund_params(created), "refund_amount": "100.00"}
        assert self.handle(forged).result == NotificationResult.BAD_SIGNATURE
        assert self.handle(refund_params(created, amount_fen=10000)).result == NotificationResult.AMOUNT_MISMATCH
        unknown = signed({**refund_params(created), "out_refund_no": "R0"}, secret())
        assert self.handle(unknown).result == NotificationResult.UNKNOWN_TRADE
        created.refresh_from_db()
        assert created.status == RefundStatus.PENDING
        assert events.of(RefundSucceeded) + events.of(RefundFailed) == []

    def test_a_closed_refund_fails(self, make_paid: MakePaid, events: Recorder) -> None:
        make_paid()
        created = refund("k1", "1.00")
        assert self.handle(refund_params(created, state=RefundState.CLOSED)).changed
        created.refresh_from_db()
        assert created.status == RefundStatus.FAILED
        assert len(events.of(RefundFailed)) == 1
