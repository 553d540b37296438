"""A coupon template whose claim window or validity is already over when it is set up is refused
by that field (nobody could claim or use its coupons), and nothing is saved; an old template past
its dates may still be renamed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.coupons import services
from shopkeeper.promotions.coupons.models import CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import draft

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "days_ago"),
    [("claim_ends_at", 1), ("valid_until", 1)],
)
def test_a_window_already_over_is_refused_by_its_field(actor: ActorContext, field: str, days_ago: int) -> None:
    now = timezone.now()
    past = {"claim_starts_at": now - timedelta(days=10), "valid_from": now - timedelta(days=10)}
    if field == "claim_ends_at":
        changes = {**past, "claim_ends_at": now - timedelta(days=days_ago)}
    else:
        changes = {**past, "claim_ends_at": now - timedelta(days=2), "valid_until": now - timedelta(days=days_ago)}
    with pytest.raises(ValidationFailed) as refused:
        services.coupon_template_save(actor=actor, draft=draft(**changes))
    assert field in refused.value.details["fields"]
    assert "already over" in refused.value.details["fields"][field]
    assert not CouponTemplate.objects.exists()


def test_an_old_template_past_its_dates_may_still_be_renamed(
    actor: ActorContext, make_template: Callable[..., CouponTemplate]
) -> None:
    template = make_template()
    now = timezone.now()
    ended = {
        "claim_starts_at": now - timedelta(days=3),
        "claim_ends_at": now - timedelta(hours=1),
        "valid_from": now - timedelta(days=3),
        "valid_until": now - timedelta(minutes=30),
    }
    CouponTemplate.objects.filter(pk=template.pk).update(**ended)  # time passes
    renamed = services.coupon_template_save(
        actor=actor, template_id=template.pk, draft=draft(name="满199减20（已结束）", **ended)
    )
    assert renamed.name == "满199减20（已结束）"
