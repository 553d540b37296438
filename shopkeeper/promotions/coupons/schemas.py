"""API shapes of coupons, shared by the staff and the customer endpoints.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from ninja import Field, Schema

from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate


class TemplateIn(Schema):
    name: str = Field(..., description="What shoppers see, e.g. “满199减20” (at most 40 characters)")
    kind: str = Field(..., description="amount | percent | free_shipping")
    description: str = ""
    amount_fen: int | None = Field(None, description="Amount off in fen (kind amount)")
    percent_off: int | None = Field(None, description="Percent off, 1–100 (kind percent): 10 means 9折")
    cap_fen: int | None = Field(None, description="Most a percent coupon takes off, in fen; null: no cap")
    threshold_fen: int = Field(0, description="Goods total the coupon needs, in fen (0: none)")
    scope: dict[str, list[int]] = Field(
        default_factory=dict,
        description=(
            "sku_ids, product_ids, category_ids, brand_ids, scene_ids, excluded_product_ids; empty: the whole store"
        ),
    )
    claim_starts_at: datetime
    claim_ends_at: datetime | None = None
    validity_kind: str = Field("fixed", description="fixed (valid_from … valid_until) | after_claim (valid_days)")
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    valid_days: int | None = None
    per_customer_limit: int = 1
    total_limit: int | None = Field(None, description="Coupons to hand out in all; null: no limit")
    channels: list[str] = Field(
        default_factory=lambda: ["claim_centre"],
        description="claim_centre, new_customer, member_tier, campaign, customer_service, api",
    )
    stacks_with_promotions: bool = True
    max_per_order: int = Field(1, description="Coupons of this class (money off / free shipping) in one order")
    code: str = Field("", description="A public claim code (4–32 letters, digits, - or _); unique while claimable")
    first_order_only: bool = False
    min_margin_percent: int | None = None
    min_price_fen: int | None = None


class TemplateOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    amount: MoneyOut | None
    percent_off: int | None
    cap: MoneyOut | None
    threshold: MoneyOut
    scope: dict[str, list[int]]
    claim_starts_at: datetime
    claim_ends_at: datetime | None
    validity_kind: str
    valid_from: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    per_customer_limit: int
    total_limit: int | None
    claimed: int
    remaining: int | None
    channels: list[str]
    stacks_with_promotions: bool
    max_per_order: int
    code: str
    first_order_only: bool
    status: str
    min_margin_percent: int | None
    min_price: MoneyOut | None


class TemplateCountersOut(TemplateOut):
    used: int
    locked: int
    discount_cost: MoneyOut


def _money(fen: int | None) -> MoneyOut | None:
    return money_out(fen) if fen is not None else None


def template_out(template: CouponTemplate) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": template.pk,
        "name": template.name,
        "description": template.description,
        "kind": template.kind,
        "amount": _money(template.amount_fen),
        "percent_off": template.percent_off,
        "cap": _money(template.cap_fen),
        "threshold": money_out(template.threshold_fen),
        "scope": template.scope or {},
        "claim_starts_at": template.claim_starts_at,
        "claim_ends_at": template.claim_ends_at,
        "validity_kind": template.validity_kind,
        "valid_from": template.valid_from,
        "valid_until": template.valid_until,
        "valid_days": template.valid_days,
        "per_customer_limit": template.per_customer_limit,
        "total_limit": template.total_limit,
        "claimed": template.claimed_count,
        "remaining": template.remaining,
        "channels": list(template.channels),
        "stacks_with_promotions": template.stacks_with_promotions,
        "max_per_order": template.max_per_order,
        "code": template.code,
        "first_order_only": template.first_order_only,
        "status": template.status,
        "min_margin_percent": template.min_margin_percent,
        "min_price": _money(template.min_price_fen),
    }
    if hasattr(template, "used"):
        fields["used"] = int(template.used)
        fields["locked"] = int(getattr(template, "locked", 0))
        fields["discount_cost"] = money_out(int(getattr(template, "cost_fen", 0) or 0))
    return fields


class CouponOut(Schema):
    id: int
    template_id: int
    name: str
    kind: str
    amount: MoneyOut | None
    percent_off: int | None
    cap: MoneyOut | None
    threshold: MoneyOut
    channel: str
    state: str
    claimed_at: datetime
    valid_from: datetime
    valid_until: datetime
    order_reference: str
    first_order_only: bool


def coupon_out(coupon: Coupon) -> CouponOut:
    template = coupon.template
    return CouponOut(
        id=coupon.pk,
        template_id=template.pk,
        name=template.name,
        kind=template.kind,
        amount=_money(template.amount_fen),
        percent_off=template.percent_off,
        cap=_money(template.cap_fen),
        threshold=money_out(template.threshold_fen),
        channel=coupon.channel,
        state=coupon.state,
        claimed_at=coupon.claimed_at,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        order_reference=coupon.order_reference,
        first_order_only=template.first_order_only,
    )
