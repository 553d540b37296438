"""Shipping fee rules: saved per region (blank = everywhere else), amounts parsed exactly from
yuan, negatives and fractions of a fen refused, every change in the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkeeper.checkout import selectors, services
from shopkeeper.checkout.models import ShippingRule
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.core.services import ActorContext

pytestmark = pytest.mark.django_db
SYSTEM = ActorContext.system()


def test_a_rule_is_updated_and_the_change_audited() -> None:
    rule = services.shipping_rule_save(actor=SYSTEM, region="northwest", fee="15.50", free_over=Decimal("199"))
    assert (rule.fee_fen, rule.free_over_fen) == (1550, 19900)
    assert ShippingRule.objects.filter(region="northwest").count() == 1
    entry = AuditEntry.objects.get(action="shipping_rule.save")
    assert entry.before == {"fee_fen": 1200, "free_over_fen": 9900}
    assert entry.after == {"region": "northwest", "fee_fen": 1550, "free_over_fen": 19900}
    table = selectors.shipping_table()
    assert table.regions["northwest"].fee.fen == 1550


def test_a_blank_threshold_means_never_free_and_saving_the_same_is_not_audited() -> None:
    services.shipping_rule_save(actor=SYSTEM, region="", fee="10", free_over="")
    rule = ShippingRule.objects.get(region="")
    assert (rule.fee_fen, rule.free_over_fen) == (1000, None)
    services.shipping_rule_save(actor=SYSTEM, region="", fee="10.00", free_over=None)
    assert AuditEntry.objects.filter(action="shipping_rule.save").count() == 1


def test_a_region_without_a_rule_gets_one() -> None:
    ShippingRule.objects.filter(region="hmt").delete()
    services.shipping_rule_save(actor=SYSTEM, region="hmt", fee="30", free_over=None)
    assert ShippingRule.objects.get(region="hmt").fee_fen == 3000
    assert AuditEntry.objects.get(action="shipping_rule.save").before is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"fee": "-1", "free_over": None}, "fee"),
        ({"fee": "abc", "free_over": None}, "fee"),
        ({"fee": "8.005", "free_over": None}, "fee"),
        ({"fee": "8", "free_over": "-99"}, "free_over"),
        ({"fee": "20000", "free_over": None}, "fee"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_changes(fields: dict[str, str | None], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.shipping_rule_save(actor=SYSTEM, region="east", **fields)  # type: ignore[arg-type]
    assert field in refused.value.details
    rule = ShippingRule.objects.get(region="east")
    assert (rule.fee_fen, rule.free_over_fen) == (800, 9900)
    assert not AuditEntry.objects.filter(action="shipping_rule.save").exists()


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.shipping_rule_save(actor=SYSTEM, region="mars", fee="8", free_over=None)
    assert refused.value.details == {"region": "unknown"}
