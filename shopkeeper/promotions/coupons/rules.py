"""Turning a coupon template into the engine's `CouponDiscount` rule, and the template checks that
need the promotion engine: the scope's shape and the margin guard's verdict (the same guard,
floor default and wording as promotions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.core.domain.money import Money
from shopkeeper.promotions.coupons.enums import CouponKind
from shopkeeper.promotions.coupons.models import CouponTemplate
from shopkeeper.promotions.domain.base import CartItem, Scope
from shopkeeper.promotions.domain.margin import margin_verdict
from shopkeeper.promotions.domain.rules import CouponDiscount, Floor
from shopkeeper.promotions.rules import ParamsError, scope_of
from shopkeeper.promotions.selectors import floor_from, scope_missing_problems
from shopkeeper.promotions.services import margin_breaches_described


def scope_problems(scope: Mapping[str, Any]) -> dict[str, str]:
    """A scope of the wrong shape, or naming catalog ids that do not exist, by field."""
    try:
        parsed = scope_of(scope)
    except ParamsError as exc:
        return dict(exc.problems)
    return scope_missing_problems(parsed)


def template_scope(template: CouponTemplate) -> Scope:
    try:
        return scope_of(template.scope or {})
    except ParamsError:
        return Scope()


def template_floor(template: CouponTemplate) -> Floor:
    """The template's floor, or the store default when it names none (promotions' `floor_from`)."""
    return floor_from(min_margin_percent=template.min_margin_percent, min_price_fen=template.min_price_fen)


def coupon_rule(template: CouponTemplate, *, rule_id: str, scope: Scope | None = None) -> CouponDiscount:
    """The engine's rule for one coupon of this template (`rule_id` "coupon:<coupon id>")."""
    return CouponDiscount(
        rule_id=rule_id,
        label=template.name,
        scope=scope if scope is not None else template_scope(template),
        stacks=template.max_per_order > 1,
        floor=template_floor(template),
        kind=template.kind,  # type: ignore[arg-type]  # CouponKind values are the rule's literals
        amount=Money(template.amount_fen) if template.amount_fen is not None else None,
        percent_off=template.percent_off,
        cap=Money(template.cap_fen) if template.cap_fen is not None else None,
        threshold=Money(template.threshold_fen),
    )


def margin_problems(template: CouponTemplate) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The margin guard on a money-off template: the SKUs its worst case breaks against its floor
    (the store default when it names none), in the words promotions refuse with ({"margin":
    message}), and one row per breaching SKU with its figures (empty both when it passes)."""
    if template.kind == CouponKind.FREE_SHIPPING:
        return {}, []
    if template_floor(template).none:
        return {}, []
    scope = template_scope(template)
    skus = catalog.promo_skus_in_scope(
        sku_ids=scope.sku_ids,
        product_ids=scope.product_ids,
        category_ids=scope.category_ids,
        brand_ids=scope.brand_ids,
        scene_ids=scope.scene_ids,
        excluded_product_ids=scope.excluded_product_ids,
    )
    rows = [
        (
            CartItem(
                key=str(sku.sku_id),
                sku_id=sku.sku_id,
                product_id=sku.product_id,
                brand_id=sku.brand_id,
                category_ids=sku.category_ids,
                scene_ids=sku.scene_ids,
                cost=Money(sku.cost_price_fen),
            ),
            Money(sku.sale_price_fen),
        )
        for sku in skus
    ]
    verdict = margin_verdict(coupon_rule(template, rule_id="coupon:check", scope=scope), rows)
    if verdict.ok:
        return {}, []
    text, breaches = margin_breaches_described(verdict.breaches)
    return {"margin": _("The margin guard refuses it: %(breaches)s.") % {"breaches": text}}, breaches
