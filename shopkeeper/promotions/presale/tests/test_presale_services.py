"""Setting presales up (bad terms refused with every problem named, nothing written; money
terms fixed once deposits are in) and the balance reminders (once per order and kind)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.orders.models import Order
from shopkeeper.promotions.presale import services
from shopkeeper.promotions.presale.models import Presale, PresaleReminder
from shopkeeper.promotions.presale.notifier import Notice
from shopkeeper.promotions.presale.tests.conftest import (
    SYSTEM,
    Shop,
    deposit,
    move_to_balance_window,
    pay_next,
    terms,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def test_a_presale_is_created_with_its_terms_and_audited(shop: Shop) -> None:
    presale = services.presale_create(data=terms(shop), actor=SYSTEM)
    assert (presale.final_price_fen, presale.deposit_fen, presale.deposit_value_fen) == (17900, 2000, 5000)
    assert AuditEntry.objects.filter(action="presale.create", object_id=str(presale.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"deposit_fen": 17900}, "deposit_fen", "deposit_not_below_price"),
        ({"deposit_value_fen": 1999}, "deposit_value_fen", "value_below_deposit"),
        ({"deposit_value_fen": 18000}, "deposit_value_fen", "value_above_price"),
        ({"limit_per_customer": 0}, "limit_per_customer", "limit_not_positive"),
        ({"deposit_fen": 0}, "deposit_fen", "deposit_not_positive"),
    ],
)
def test_bad_money_terms_are_refused_and_nothing_is_written(
    shop: Shop, overrides: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.presale_create(data=terms(shop, **overrides), actor=SYSTEM)
    assert field in refused.value.details["fields"]
    assert code in refused.value.details["codes"]
    assert Presale.objects.count() == 0


def test_windows_out_of_order_or_overlapping_are_refused(shop: Shop) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as reversed_window:
        services.presale_create(data=terms(shop, presale_ends_at=now - timedelta(days=1)), actor=SYSTEM)
    assert "presale_window_reversed" in reversed_window.value.details["codes"]
    with pytest.raises(ValidationFailed) as overlap:
        services.presale_create(data=terms(shop, balance_starts_at=now + timedelta(days=1)), actor=SYSTEM)
    assert overlap.value.details["codes"] == ["windows_overlap"]
    with pytest.raises(ValidationFailed) as balance:
        services.presale_create(
            data=terms(shop, balance_ends_at=now + timedelta(days=3), balance_starts_at=now + timedelta(days=3)),
            actor=SYSTEM,
        )
    assert balance.value.details["codes"] == ["balance_window_reversed"]


def test_a_price_below_the_margin_floor_is_refused_with_the_figures(shop: Shop) -> None:
    # The dress costs ¥66.33; a unit at ¥79.00 − (¥70.00 − ¥5.00) = ¥14.00 is below cost.
    with pytest.raises(ValidationFailed) as refused:
        services.presale_create(
            data=terms(shop, final_price_fen=7900, deposit_fen=500, deposit_value_fen=7000), actor=SYSTEM
        )
    assert refused.value.details["codes"] == ["below_floor"]
    assert refused.value.details["floor_fen"] == shop.dress.cost_price_fen
    assert "¥14.00" in refused.value.details["fields"]["deposit_value_fen"]
    with pytest.raises(ValidationFailed):  # 150% over cost: ¥165.83 > ¥149.00
        services.presale_create(data=terms(shop, min_margin_percent=150), actor=SYSTEM)
    assert services.presale_create(data=terms(shop, min_margin_percent=100), actor=SYSTEM).pk


def test_money_terms_are_fixed_once_deposits_are_in_but_the_name_and_limit_may_change(
    shop: Shop, presale: Presale
) -> None:
    services.presale_update(presale_id=presale.pk, data=terms(shop, deposit_fen=3000), actor=SYSTEM)
    presale.refresh_from_db()
    deposit(shop, presale)
    fixed = terms(
        shop,
        deposit_fen=3000,
        presale_starts_at=presale.presale_starts_at,
        presale_ends_at=presale.presale_ends_at,
        balance_starts_at=presale.balance_starts_at,
        balance_ends_at=presale.balance_ends_at,
    )
    with pytest.raises(Conflict):
        services.presale_update(presale_id=presale.pk, data=terms(shop, deposit_fen=2500), actor=SYSTEM)
    services.presale_update(
        presale_id=presale.pk,
        data=services.PresaleInput(**{**fixed.__dict__, "name": "改名", "limit_per_customer": 3}),
        actor=SYSTEM,
    )
    presale.refresh_from_db()
    assert (presale.name, presale.limit_per_customer, presale.deposit_fen) == ("改名", 3, 3000)


class Recorder:
    channel = "test"

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    def send(self, notice: Notice) -> None:
        self.sent.append(notice)


def test_reminders_go_once_per_order_and_kind_however_often_the_job_runs(
    shop: Shop, presale: Presale, settle: Any
) -> None:
    order = deposit(shop, presale)
    unpaid = deposit(shop, presale, key="unpaid")  # no deposit paid: no reminders
    pay_next(order, settle)
    recorder = Recorder()
    assert services.presale_reminders_send(notifier=recorder) == 0  # the window opens in 3 days
    opens = order.balance_due_from
    assert opens is not None
    assert services.presale_reminders_send(now=opens - timedelta(hours=2), notifier=recorder) == 1
    assert services.presale_reminders_send(now=opens - timedelta(hours=1), notifier=recorder) == 0
    assert [n.kind for n in recorder.sent] == ["balance_opens"]
    assert recorder.sent[0].order_number == order.number
    move_to_balance_window(presale)  # closes in an hour
    assert services.presale_reminders_send(notifier=recorder) == 1
    assert services.presale_reminders_send(notifier=recorder) == 0
    kinds = list(PresaleReminder.objects.filter(presale_order__order=order).values_list("kind", flat=True))
    assert kinds == ["balance_opens", "balance_closes"]
    assert not PresaleReminder.objects.filter(presale_order__order=unpaid).exists()
    closing = PresaleReminder.objects.get(kind="balance_closes").message
    assert order.number in closing
    assert str(order.total_fen - order.paid_fen)[:2] in closing.replace(",", "")


def test_a_reminder_that_fails_to_send_is_sent_by_the_next_run(shop: Shop, presale: Presale, settle: Any) -> None:
    order = deposit(shop, presale)
    pay_next(order, settle)
    move_to_balance_window(presale)

    class Down:
        channel = "sms"

        def send(self, notice: Notice) -> None:
            raise ConnectionError("gateway down")

    assert services.presale_reminders_send(notifier=Down()) == 0
    assert PresaleReminder.objects.count() == 0
    assert services.presale_reminders_send(notifier=Recorder()) == 2
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
