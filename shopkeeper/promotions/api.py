"""Staff endpoints of promotions at /api/v1/promotions: list, create, change, pause, resume, end,
the margin guard's verdict, a sample-cart preview, the calendar and the campaign simulator.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import MANAGE_PROMOTIONS, RUN_SIMULATOR, VIEW_PROMOTIONS
from shopkeeper.core.schemas import money_out
from shopkeeper.core.services import ActorContext
from shopkeeper.customers.enums import TIER_ORDER
from shopkeeper.promotions import selectors, services
from shopkeeper.promotions.models import Promotion
from shopkeeper.promotions.schemas import (
    AppliedOut,
    BreachOut,
    CountersOut,
    PreviewIn,
    PreviewLineOut,
    PreviewOut,
    PromotionIn,
    PromotionOut,
    SimulateIn,
    SimulationOut,
    TierShareOut,
    VerdictOut,
)

router = Router(tags=["promotions"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _out(promotion: Promotion, counters: selectors.Counters | None = None) -> PromotionOut:
    counted = counters or selectors.promotion_counters([promotion.pk])[promotion.pk]
    return PromotionOut(
        id=promotion.pk,
        name=promotion.name,
        label=selectors.promotion_label(promotion),
        kind=promotion.kind,
        group=promotion.group,
        params=promotion.params,
        scope=promotion.scope,
        stacks=promotion.stacks,
        status=selectors.shown_status(promotion),
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        min_margin_percent=promotion.min_margin_percent,
        min_price_fen=promotion.min_price_fen,
        counters=CountersOut(
            orders=counted.orders,
            units=counted.units,
            gift_units=counted.gift_units,
            discount=money_out(counted.discount.fen),
            pending_orders=counted.pending_orders,
        ),
    )


def _input(payload: PromotionIn) -> services.PromotionInput:
    return services.PromotionInput(
        name=payload.name,
        label=payload.label,
        kind=payload.kind,
        params=payload.params,
        scope=payload.scope,
        stacks=payload.stacks,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        min_margin_percent=payload.min_margin_percent,
        min_price_fen=payload.min_price_fen,
        publish=payload.publish,
    )


@router.get("", response=list[PromotionOut], summary="Promotions, newest window first")
@requires(VIEW_PROMOTIONS, api=True)
def promotion_list(request: HttpRequest, status: str = "", kind: str = "", q: str = "") -> list[PromotionOut]:
    rows = list(selectors.promotion_list(selectors.PromotionFilters(status=status, kind=kind, q=q))[:500])
    counters = selectors.promotion_counters(p.pk for p in rows)
    return [_out(p, counters[p.pk]) for p in rows]


@router.post("", response={201: PromotionOut}, summary="Create a promotion (a draft, or published)")
@requires(MANAGE_PROMOTIONS, api=True)
def promotion_create(request: HttpRequest, payload: PromotionIn) -> Status[PromotionOut]:
    return Status(201, _out(services.promotion_save(data=_input(payload), actor=_actor(request))))


@router.get("/calendar", response=list[PromotionOut], summary="Promotions whose window touches a month")
@requires(VIEW_PROMOTIONS, api=True)
def promotion_calendar(request: HttpRequest, year: int, month: int) -> list[PromotionOut]:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValidationFailed("No such month", details={"year": year, "month": month})
    bars = selectors.promotion_calendar(year, month).bars
    counters = selectors.promotion_counters(bar.promotion.pk for bar in bars)
    return [_out(bar.promotion, counters[bar.promotion.pk]) for bar in bars]


@router.post("/preview", response=PreviewOut, summary="Price a sample cart with the running (or chosen) promotions")
@requires(VIEW_PROMOTIONS, api=True)
def promotion_preview(request: HttpRequest, payload: PreviewIn) -> PreviewOut:
    quantities: dict[int, int] = {}
    for line in payload.lines:
        quantities[line.sku_id] = min(quantities.get(line.sku_id, 0) + line.quantity, 99)
    if payload.tier is not None and payload.tier not in TIER_ORDER:
        problem = _("“%(tier)s” is no membership tier: use %(tiers)s.") % {
            "tier": payload.tier,
            "tiers": ", ".join(TIER_ORDER),
        }
        raise ValidationFailed(problem, details={"tier": problem})
    price = selectors.preview(quantities=quantities, promotion_ids=payload.promotion_ids, tier=payload.tier)
    return preview_out(price)


def preview_out(price: Any) -> PreviewOut:
    priced = price.priced
    return PreviewOut(
        lines=[
            PreviewLineOut(
                sku_id=line.sku_id,
                title=line.title,
                quantity=line.quantity,
                subtotal=money_out(line.subtotal.fen),
                discount=money_out(line.discount.fen),
                total=money_out(line.total.fen),
                explanation=list(line.explanation),
            )
            for line in priced.lines
        ],
        subtotal=money_out(priced.subtotal.fen),
        discount=money_out(priced.discount.fen),
        shipping=money_out(priced.shipping.fen),
        total=money_out(priced.total.fen),
        explanation=list(priced.explanation),
        applied=[
            AppliedOut(rule_id=a.rule_id, label=a.label, group=a.group, discount=money_out(a.discount.fen))
            for a in price.applied
        ],
        gifts=[f"{gift.label} × {gift.quantity}" for gift in price.gifts],
        nudges=list(price.nudges),
    )


@router.post("/simulate", response=SimulationOut, summary="Replay past orders through proposed promotions")
@requires(RUN_SIMULATOR, api=True)
def promotion_simulate(request: HttpRequest, payload: SimulateIn) -> SimulationOut:
    return simulation_out(selectors.campaign_simulate(days=payload.days, promotion_ids=payload.promotion_ids))


def simulation_out(result: selectors.Simulation) -> SimulationOut:
    return SimulationOut(
        orders=result.orders,
        orders_in_period=result.orders_in_period,
        sampled_every=result.sampled_every,
        period_gmv=money_out(result.period_gmv.fen),
        period_discount_cost=money_out(result.period_discount_cost.fen),
        period_margin=money_out(result.period_margin.fen),
        gmv_before=money_out(result.gmv_before.fen),
        gmv=money_out(result.gmv.fen),
        discount_cost=money_out(result.discount_cost.fen),
        cost_of_goods=money_out(result.cost_of_goods.fen),
        margin=money_out(result.margin.fen),
        margin_percent=result.margin_percent,
        tiers=[TierShareOut(label=t.label, orders=t.orders, share_percent=t.share_percent) for t in result.tiers],
    )


@router.get("/{promotion_id}", response=PromotionOut, summary="One promotion with its live counters")
@requires(VIEW_PROMOTIONS, api=True)
def promotion_get(request: HttpRequest, promotion_id: int) -> PromotionOut:
    return _out(selectors.promotion_get(promotion_id))


@router.put("/{promotion_id}", response=PromotionOut, summary="Change a promotion (all fields)")
@requires(MANAGE_PROMOTIONS, api=True)
def promotion_update(request: HttpRequest, promotion_id: int, payload: PromotionIn) -> PromotionOut:
    return _out(services.promotion_save(promotion_id=promotion_id, data=_input(payload), actor=_actor(request)))


@router.post("/{promotion_id}/pause", response=PromotionOut, summary="Stop applying a promotion at once")
@requires(MANAGE_PROMOTIONS, api=True)
def promotion_pause(request: HttpRequest, promotion_id: int) -> PromotionOut:
    return _out(services.promotion_pause(promotion_id=promotion_id, actor=_actor(request)))


@router.post("/{promotion_id}/resume", response=PromotionOut, summary="Publish a paused promotion or a draft")
@requires(MANAGE_PROMOTIONS, api=True)
def promotion_resume(request: HttpRequest, promotion_id: int) -> PromotionOut:
    return _out(services.promotion_resume(promotion_id=promotion_id, actor=_actor(request)))


@router.post("/{promotion_id}/end", response=PromotionOut, summary="End a promotion for good")
@requires(MANAGE_PROMOTIONS, api=True)
def promotion_end(request: HttpRequest, promotion_id: int) -> PromotionOut:
    return _out(services.promotion_end(promotion_id=promotion_id, actor=_actor(request)))


@router.get("/{promotion_id}/verdict", response=VerdictOut, summary="The margin guard's verdict over its scope")
@requires(VIEW_PROMOTIONS, api=True)
def promotion_verdict(request: HttpRequest, promotion_id: int) -> VerdictOut:
    return verdict_out(selectors.promotion_verdict_report(selectors.promotion_get(promotion_id)))


def verdict_out(report: selectors.VerdictReport) -> VerdictOut:
    return VerdictOut(
        ok=report.ok,
        skus_checked=report.skus_checked,
        floor=report.floor,
        store_default=report.store_default,
        breaches=[
            BreachOut(
                sku_id=b.sku_id,
                sku_code=b.sku_code,
                price=money_out(b.price_fen),
                cost=money_out(b.cost_fen) if b.cost_fen is not None else None,
                worst_price=money_out(b.worst_price_fen),
                floor_price=money_out(b.floor_price_fen),
            )
            for b in report.breaches
        ],
    )
