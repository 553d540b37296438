"""Payments rules without a database: amounts on the wire, notices, state effects, refund limits,
the retry schedule and our numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.payments.domain.amounts import AmountInvalid, yuan_parse, yuan_text
from shopkeeper.payments.domain.gateway import NoticeProblem, NoticeRejected, RefundState, TradeState
from shopkeeper.payments.domain.notices import (
    gateway_time,
    payment_notice_params,
    payment_notice_read,
    refund_notice_params,
    refund_notice_read,
)
from shopkeeper.payments.domain.numbers import NUMBER_PATTERN, trade_number
from shopkeeper.payments.domain.refunds import PaidTrade, RefundRefusal, refund_decide
from shopkeeper.payments.domain.retries import attempts_allowed, retry_delay, retry_schedule_parse
from shopkeeper.payments.domain.states import Effect, PaymentState, RefundRecordState, payment_effect, refund_effect

NOW = datetime(2026, 12, 1, 4, 0, 0, tzinfo=UTC)  # 12:00 in Beijing


class TestAmounts:
    @pytest.mark.parametrize(("fen", "text"), [(19900, "199.00"), (1, "0.01"), (10, "0.10"), (0, "0.00")])
    def test_fen_as_yuan_text(self, fen: int, text: str) -> None:
        assert yuan_text(fen) == text

    @given(fen=st.integers(min_value=0, max_value=10**14 - 1))
    def test_text_reads_back_to_the_same_fen(self, fen: int) -> None:
        assert yuan_parse(yuan_text(fen)) == fen

    @pytest.mark.parametrize(("text", "fen"), [("199", 19900), ("199.5", 19950), ("0.01", 1)])
    def test_short_forms_are_read(self, text: str, fen: int) -> None:
        assert yuan_parse(text) == fen

    @pytest.mark.parametrize(
        "text",
        ["", "-1.00", "1.001", "1e3", " 1.00", "1,000.00", "01.00", "1.", "NaN", "１.00", "1١.00", "1.٠٠", "1.00\n"],
    )
    def test_anything_else_is_refused(self, text: str) -> None:
        with pytest.raises(AmountInvalid):
            yuan_parse(text)

    @pytest.mark.parametrize("fen", [-1, 1.5, True])
    def test_only_whole_non_negative_fen_is_written(self, fen: object) -> None:
        with pytest.raises(AmountInvalid):
            yuan_text(fen)  # type: ignore[arg-type]


class TestNotices:
    def params(self, **changes: str) -> dict[str, str]:
        params = payment_notice_params(
            out_trade_no="P2026120112000012345ABCDE",
            trade_no="2026120122001400000000000001",
            amount_fen=19900,
            state=TradeState.SUCCESS,
            notify_id="n1",
            notify_time=NOW,
            paid_at=NOW,
        )
        return {**params, **changes}

    def test_a_payment_notification_has_the_alipay_fields(self) -> None:
        assert self.params() == {
            "notify_type": "trade_status_sync",
            "notify_id": "n1",
            "notify_time": "2026-12-01 12:00:00",
            "out_trade_no": "P2026120112000012345ABCDE",
            "trade_no": "2026120122001400000000000001",
            "total_amount": "199.00",
            "trade_status": "TRADE_SUCCESS",
            "gmt_payment": "2026-12-01 12:00:00",
        }

    def test_it_reads_back(self) -> None:
        notice = payment_notice_read(self.params())
        assert notice.amount_fen == 19900
        assert notice.state is TradeState.SUCCESS
        assert notice.paid_at == NOW
        assert notice.notify_id == "n1"

    @pytest.mark.parametrize("field", ["out_trade_no", "trade_no", "total_amount", "trade_status", "notify_id"])
    def test_a_missing_field_is_malformed(self, field: str) -> None:
        with pytest.raises(NoticeRejected) as caught:
            payment_notice_read(self.params(**{field: ""}))
        assert caught.value.problem is NoticeProblem.MALFORMED
        assert field in caught.value.message

    @pytest.mark.parametrize(
        "changes",
        [
            {"total_amount": "abc"},
            {"total_amount": "0.00"},
            {"trade_status": "PAID"},
            {"trade_status": "TRADE_NOT_EXIST"},
            {"gmt_payment": "yesterday"},
        ],
    )
    def test_unusable_values_are_malformed(self, changes: dict[str, str]) -> None:
        with pytest.raises(NoticeRejected) as caught:
            payment_notice_read(self.params(**changes))
        assert caught.value.problem is NoticeProblem.MALFORMED

    def test_a_refund_notification_reads_back(self) -> None:
        params = refund_notice_params(
            out_trade_no="P1",
            trade_no="T1",
            out_refund_no="R1",
            refund_no="G1",
            amount_fen=5000,
            state=RefundState.SUCCESS,
            notify_id="n2",
            notify_time=NOW,
            refunded_at=NOW,
        )
        assert params["refund_amount"] == "50.00"
        notice = refund_notice_read(params)
        assert (notice.out_refund_no, notice.gateway_refund_no, notice.amount_fen) == ("R1", "G1", 5000)
        assert notice.state is RefundState.SUCCESS
        assert notice.refunded_at == NOW

    def test_gateway_time_is_beijing_time(self) -> None:
        assert gateway_time(NOW) == "2026-12-01 12:00:00"
        with pytest.raises(ValueError, match="aware"):
            gateway_time(datetime(2026, 1, 1))


class TestPaymentEffects:
    @pytest.mark.parametrize("paid", [TradeState.SUCCESS, TradeState.FINISHED])
    def test_the_first_success_changes_a_pending_payment_and_repeats_do_not(self, paid: TradeState) -> None:
        assert payment_effect(PaymentState.PENDING, paid) is Effect.SUCCEED
        assert payment_effect(PaymentState.SUCCEEDED, paid) is Effect.DUPLICATE

    def test_money_after_closing_is_still_recorded(self) -> None:
        assert payment_effect(PaymentState.CLOSED, TradeState.SUCCESS) is Effect.SUCCEED
        assert payment_effect(PaymentState.FAILED, TradeState.SUCCESS) is Effect.SUCCEED

    def test_closing(self) -> None:
        assert payment_effect(PaymentState.PENDING, TradeState.CLOSED) is Effect.CLOSE
        assert payment_effect(PaymentState.CLOSED, TradeState.CLOSED) is Effect.DUPLICATE
        # Alipay closes a trade refunded in full: the payment stays paid.
        assert payment_effect(PaymentState.SUCCEEDED, TradeState.CLOSED) is Effect.IGNORE

    @pytest.mark.parametrize("state", list(PaymentState))
    def test_waiting_changes_nothing(self, state: PaymentState) -> None:
        assert payment_effect(state, TradeState.WAITING) is Effect.IGNORE

    def test_refund_effects(self) -> None:
        assert refund_effect(RefundRecordState.PENDING, RefundState.SUCCESS) is Effect.SUCCEED
        assert refund_effect(RefundRecordState.SUCCEEDED, RefundState.SUCCESS) is Effect.DUPLICATE
        assert refund_effect(RefundRecordState.PENDING, RefundState.CLOSED) is Effect.FAIL
        assert refund_effect(RefundRecordState.FAILED, RefundState.CLOSED) is Effect.DUPLICATE
        assert refund_effect(RefundRecordState.SUCCEEDED, RefundState.CLOSED) is Effect.IGNORE
        assert refund_effect(RefundRecordState.FAILED, RefundState.SUCCESS) is Effect.SUCCEED


class TestRefundDecision:
    def test_picks_the_earliest_payment_that_carries_the_amount(self) -> None:
        trades = [PaidTrade(7, 10000, 9000), PaidTrade(3, 5000, 0), PaidTrade(9, 20000, 0)]
        decision = refund_decide(trades, 6000)
        assert decision.refusal is None
        assert decision.payment_id == 9
        assert refund_decide(trades, 4000).payment_id == 3

    @pytest.mark.parametrize(
        ("trades", "requested", "refusal"),
        [
            ([PaidTrade(1, 10000, 0)], 0, RefundRefusal.NOT_POSITIVE),
            ([], 100, RefundRefusal.NOTHING_PAID),
            ([PaidTrade(1, 10000, 6000)], 4001, RefundRefusal.EXCEEDS_PAID),
            ([PaidTrade(1, 5000, 0), PaidTrade(2, 5000, 0)], 6000, RefundRefusal.NO_SINGLE_PAYMENT),
        ],
    )
    def test_refusals(self, trades: list[PaidTrade], requested: int, refusal: RefundRefusal) -> None:
        decision = refund_decide(trades, requested)
        assert decision.refusal is refusal
        assert decision.payment_id is None

    @given(paid=st.integers(1, 10**7), requests=st.lists(st.integers(-100, 10**7), max_size=30))
    def test_accepted_refunds_never_exceed_what_was_paid(self, paid: int, requests: list[int]) -> None:
        committed = 0
        for requested in requests:
            decision = refund_decide([PaidTrade(1, paid, committed)], requested)
            if decision.refusal is None:
                committed += requested
            assert 0 <= committed <= paid
        assert refund_decide([PaidTrade(1, paid, committed)], paid - committed + 1).refusal is not None


class TestRetries:
    def test_parse(self) -> None:
        assert retry_schedule_parse(" 2, 5,15 ") == (2, 5, 15)
        for bad in ["", ",", "a", "-1", "1.5"]:
            with pytest.raises(ValueError, match=r"seconds|number"):
                retry_schedule_parse(bad)

    def test_delays_then_give_up(self) -> None:
        schedule = (2, 5, 15)
        assert attempts_allowed(schedule) == 4
        assert [retry_delay(schedule, n) for n in (1, 2, 3, 4)] == [2, 5, 15, None]
        with pytest.raises(ValueError, match="attempt"):
            retry_delay(schedule, 0)


class TestNumbers:
    def test_trade_number_is_beijing_time_and_entropy(self) -> None:
        number = trade_number("P", NOW, "1A2B3C4D5E")
        assert number == "P202612011200001A2B3C4D5E"
        assert NUMBER_PATTERN.match(number)
        assert len(number) <= 32
        assert trade_number("P", NOW + timedelta(seconds=1), "1A2B3C4D5E") != number

    @pytest.mark.parametrize(("prefix", "entropy"), [("p", "1A2B3C4D5E"), ("PP", "1A2B3C4D5E"), ("P", "xyz")])
    def test_bad_parts_are_refused(self, prefix: str, entropy: str) -> None:
        with pytest.raises(ValueError, match=r"prefix|entropy"):
            trade_number(prefix, NOW, entropy)
