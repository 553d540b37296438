"""Shipping fee rules: the store operator sets a fee and a free-over threshold per region.

The blank region is the rule for everywhere else. Amounts arrive as yuan (what was typed in
the console or sent to the API) and are parsed exactly; a float never gets in.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from shopkeeper.checkout.models import ShippingRule
from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.domain.regions import Region
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record

MAX_FEE = Money.from_yuan("10000")  # a typo guard: no parcel costs ¥10,000 to send


def _amount(value: Decimal | int | str, field: str) -> Money:
    try:
        amount = Money.from_yuan(value)
    except MoneyError:
        raise ValidationFailed(
            _("“%(value)s” is not an amount in yuan (e.g. 8 or 12.50).") % {"value": value},
            details={field: "invalid"},
        ) from None
    if amount.fen < 0:
        raise ValidationFailed(_("An amount cannot be negative."), details={field: "negative"})
    return amount


def _rule_state(rule: ShippingRule) -> dict[str, int | None]:
    return {"fee_fen": rule.fee_fen, "free_over_fen": rule.free_over_fen}


def shipping_rule_save(
    *,
    actor: ActorContext,
    region: str,
    fee: Decimal | int | str,
    free_over: Decimal | int | str | None,
) -> ShippingRule:
    """Set the fee for a region (created when it has no rule yet); free over a goods total or never.

    `region` is a `core.domain.regions.Region` value, or "" for everywhere else. `free_over`
    None or blank means shipping is never free there.
    """
    region = (region or "").strip()
    if region and region not in {choice.value for choice in Region}:
        raise ValidationFailed(_("Unknown region “%(region)s”.") % {"region": region}, details={"region": "unknown"})
    fee_amount = _amount(fee, "fee")
    if fee_amount > MAX_FEE:
        raise ValidationFailed(
            _("A shipping fee above %(max)s is surely a typo.") % {"max": MAX_FEE}, details={"fee": "too_large"}
        )
    threshold = None if free_over is None or str(free_over).strip() == "" else _amount(free_over, "free_over")
    with transaction.atomic():
        rule = ShippingRule.objects.select_for_update().filter(region=region).first()
        before = _rule_state(rule) if rule is not None else None
        if rule is None:
            rule = ShippingRule(region=region)
        rule.fee_fen = fee_amount.fen
        rule.free_over_fen = threshold.fen if threshold is not None else None
        rule.save()
        after = _rule_state(rule)
        if before != after:
            audit_record(
                actor=actor,
                action="shipping_rule.save",
                target=rule,
                object_label=region or "default",
                before=before,
                after={"region": region, **after},
            )
    return rule
