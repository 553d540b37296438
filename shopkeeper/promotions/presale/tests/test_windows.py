"""A presale is refused, by the field sent and with nothing saved, when its deposit or balance
window is already over (a presale that could never take a deposit or a balance); one already in
its balance window may still be renamed, but not moved into the past."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shopkeeper.core.errors import ValidationFailed
from shopkeeper.promotions.presale import services
from shopkeeper.promotions.presale.models import Presale
from shopkeeper.promotions.presale.tests.conftest import SYSTEM, Shop, move_to_balance_window, terms

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def test_a_deposit_window_already_over_is_refused_by_its_field(shop: Shop) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        services.presale_create(
            data=terms(shop, presale_starts_at=now - timedelta(days=3), presale_ends_at=now - timedelta(days=1)),
            actor=SYSTEM,
        )
    assert set(refused.value.details["fields"]) == {"presale_ends_at"}
    assert refused.value.details["codes"] == ["deposit_window_over"]
    assert "The deposit window is already over: it ended" in refused.value.message
    assert not Presale.objects.exists()


def test_a_balance_window_already_over_is_refused_by_its_field(shop: Shop) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        services.presale_create(
            data=terms(
                shop,
                presale_starts_at=now - timedelta(days=5),
                presale_ends_at=now - timedelta(days=4),
                balance_starts_at=now - timedelta(days=3),
                balance_ends_at=now - timedelta(days=1),
            ),
            actor=SYSTEM,
        )
    assert set(refused.value.details["fields"]) == {"presale_ends_at", "balance_ends_at"}
    assert set(refused.value.details["codes"]) == {"deposit_window_over", "balance_window_over"}


def test_windows_out_of_order_are_named_by_the_fields_sent(shop: Shop) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        services.presale_create(data=terms(shop, balance_starts_at=now + timedelta(days=1)), actor=SYSTEM)
    assert refused.value.details["fields"] == {
        "balance_starts_at": "The balance window must start after the deposit window ends."
    }


def test_a_presale_in_its_balance_window_may_be_renamed_but_not_moved_into_the_past(
    shop: Shop, presale: Presale
) -> None:
    move_to_balance_window(presale)  # the deposit window ended an hour ago
    kept = terms(
        shop,
        name="改名后的预售",
        presale_starts_at=presale.presale_starts_at,
        presale_ends_at=presale.presale_ends_at,
        balance_starts_at=presale.balance_starts_at,
        balance_ends_at=presale.balance_ends_at,
    )
    assert services.presale_update(presale_id=presale.pk, data=kept, actor=SYSTEM).name == "改名后的预售"
    moved = services.PresaleInput(
        **{**kept.__dict__, "presale_ends_at": presale.presale_ends_at - timedelta(minutes=5)}
    )
    with pytest.raises(ValidationFailed) as refused:
        services.presale_update(presale_id=presale.pk, data=moved, actor=SYSTEM)
    assert refused.value.details["codes"] == ["deposit_window_over"]
    presale.refresh_from_db()
    assert presale.name == "改名后的预售"
