"""Shapes of the promotions API (amounts in fen, with yuan strings on the way out).

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from shopkeeper.core.schemas import MoneyOut


class PromotionIn(Schema):
    name: str = Field(..., max_length=80)
    label: str = Field("", max_length=40, description='Shown to shoppers ("满200减30"); blank: made from the rule')
    kind: str = Field(
        ...,
        description="spend_tier, percent_off, fixed_off, nth_item, buy_x_get_y, bundle, "
        "member_price, gift or free_shipping",
    )
    params: dict[str, Any] = Field(default_factory=dict, description="The rule, one shape per kind (see docs/api.md)")
    scope: dict[str, list[int]] = Field(
        default_factory=dict,
        description="sku_ids, product_ids, category_ids, brand_ids, scene_ids, excluded_product_ids; empty: the store",
    )
    stacks: bool = False
    starts_at: datetime
    ends_at: datetime
    min_margin_percent: int | None = Field(None, description="Floor: least margin over cost, in percent")
    min_price_fen: int | None = Field(None, description="Floor: least price of a unit, in fen")
    publish: bool = Field(False, description="False keeps a draft; true runs it in its window (margin guard first)")


class CountersOut(Schema):
    orders: int = Field(..., description="Paid orders it applied to")
    units: int = Field(..., description="Units sold under it (paid)")
    gift_units: int
    discount: MoneyOut = Field(..., description="What it took off paid orders")
    pending_orders: int = Field(..., description="Placed, not paid yet")


class PromotionOut(Schema):
    id: int
    name: str
    label: str
    kind: str
    group: str
    params: dict[str, Any]
    scope: dict[str, Any]
    stacks: bool
    status: str = Field(..., description="draft, scheduled, active, paused or ended (as of now)")
    starts_at: datetime
    ends_at: datetime
    min_margin_percent: int | None
    min_price_fen: int | None
    counters: CountersOut


class BreachOut(Schema):
    sku_id: int
    sku_code: str
    price: MoneyOut
    cost: MoneyOut | None
    worst_price: MoneyOut
    floor_price: MoneyOut


class VerdictOut(Schema):
    ok: bool
    skus_checked: int
    floor: str = Field(..., description='The floor checked, in words, e.g. "0% over cost"')
    store_default: bool = Field(..., description="The promotion names no floor: the store default applies")
    breaches: list[BreachOut]


class SampleLineIn(Schema):
    sku_id: int
    quantity: int = Field(1, ge=1, le=99)


class PreviewIn(Schema):
    lines: list[SampleLineIn] = Field(..., min_length=1, max_length=50)
    promotion_ids: list[int] | None = Field(
        None, description="Price with these promotions (drafts too) instead of the running ones"
    )
    tier: str | None = Field(
        None, description="Price for a member of this tier (regular, silver, gold, platinum); null: a visitor"
    )


class PreviewLineOut(Schema):
    sku_id: int
    title: str
    quantity: int
    subtotal: MoneyOut
    discount: MoneyOut
    total: MoneyOut
    explanation: list[str]


class AppliedOut(Schema):
    rule_id: str
    label: str
    group: str
    discount: MoneyOut


class PreviewOut(Schema):
    lines: list[PreviewLineOut]
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    explanation: list[str]
    applied: list[AppliedOut]
    gifts: list[str]
    nudges: list[str]


class SimulateIn(Schema):
    days: int = Field(30, ge=1, le=366, description="Replay the orders placed in the last N days")
    promotion_ids: list[int] = Field(..., min_length=1, max_length=200)


class TierShareOut(Schema):
    label: str
    orders: int
    share_percent: str = Field(..., description="Of all replayed orders, to one decimal")


class SimulationOut(Schema):
    orders: int = Field(..., description="Orders replayed")
    orders_in_period: int = Field(..., description="Orders placed in the period")
    sampled_every: int = Field(
        ...,
        description="1: every order of the period was replayed; n > 1: an even sample, every n-th order "
        "(the period had more orders than one replay reads), and the period_* amounts estimate the whole period",
    )
    period_gmv: MoneyOut = Field(..., description="Projected GMV of the whole period (= gmv when not sampled)")
    period_discount_cost: MoneyOut
    period_margin: MoneyOut
    gmv_before: MoneyOut = Field(..., description="Goods total of the replayed orders at list price")
    gmv: MoneyOut = Field(..., description="Projected goods total with the promotions")
    discount_cost: MoneyOut
    cost_of_goods: MoneyOut
    margin: MoneyOut
    margin_percent: str
    tiers: list[TierShareOut]
