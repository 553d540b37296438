"""Staff coupon endpoints at /api/v1/coupons: templates with their live counters (list, create,
change, pause, resume) and customer-service issuance.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import ISSUE_COUPONS, MANAGE_COUPONS, VIEW_COUPONS
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.schemas import (
    CouponOut,
    TemplateCountersOut,
    TemplateIn,
    TemplateOut,
    coupon_out,
    template_out,
)

router = Router(tags=["coupons"])


class TemplatePageOut(Schema):
    items: list[TemplateCountersOut]
    count: int


class TemplateFiltersIn(Schema):
    status: str = Field("", description="active | paused; empty: all")
    q: str = Field("", description="Part of the name, or the exact claim code")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class IssueIn(Schema):
    customer_ids: list[int] = Field(..., description="Customers' ids (at most 200)")
    note: str = Field("", description="Why, for the record (e.g. a ticket number)")


class IssueOut(Schema):
    issued: list[CouponOut]
    refused: dict[int, str]


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _money(fen: int | None) -> Money | None:
    return Money(fen) if fen is not None else None


def draft_from(payload: TemplateIn) -> services.TemplateDraft:
    return services.TemplateDraft(
        name=payload.name,
        kind=payload.kind,
        description=payload.description,
        amount=_money(payload.amount_fen),
        percent_off=payload.percent_off,
        cap=_money(payload.cap_fen),
        threshold=Money(payload.threshold_fen),
        scope=payload.scope,
        claim_starts_at=payload.claim_starts_at,
        claim_ends_at=payload.claim_ends_at,
        validity_kind=payload.validity_kind,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        valid_days=payload.valid_days,
        per_customer_limit=payload.per_customer_limit,
        total_limit=payload.total_limit,
        channels=tuple(payload.channels),
        stacks_with_promotions=payload.stacks_with_promotions,
        max_per_order=payload.max_per_order,
        code=payload.code,
        first_order_only=payload.first_order_only,
        min_margin_percent=payload.min_margin_percent,
        min_price=_money(payload.min_price_fen),
    )


def _counted(template_id: int) -> dict[str, object]:
    template = selectors.coupon_template_staff(template_id=template_id)
    if template is None:
        raise NotFound("No such coupon template", details={"id": template_id})
    return template_out(template)


@router.get("/templates", response=TemplatePageOut, summary="Coupon templates with claimed, used and cost counters")
@requires(VIEW_COUPONS, api=True)
def template_list(request: HttpRequest, filters: Query[TemplateFiltersIn]) -> TemplatePageOut:
    queryset = selectors.coupon_templates_staff(status=filters.status, q=filters.q)
    window = queryset[filters.offset : filters.offset + filters.limit]
    return TemplatePageOut(
        items=[TemplateCountersOut(**template_out(template)) for template in window],  # type: ignore[arg-type]
        count=queryset.count(),
    )


@router.post("/templates", response={201: TemplateOut}, summary="Create a coupon template")
@requires(MANAGE_COUPONS, api=True)
def template_create(request: HttpRequest, payload: TemplateIn) -> Status[TemplateOut]:
    template = services.coupon_template_save(actor=_actor(request), draft=draft_from(payload))
    return Status(201, TemplateOut(**template_out(template)))  # type: ignore[arg-type]


@router.get("/templates/{template_id}", response=TemplateCountersOut, summary="One template with its counters")
@requires(VIEW_COUPONS, api=True)
def template_detail(request: HttpRequest, template_id: int) -> TemplateCountersOut:
    return TemplateCountersOut(**_counted(template_id))  # type: ignore[arg-type]


@router.put("/templates/{template_id}", response=TemplateCountersOut, summary="Change a coupon template")
@requires(MANAGE_COUPONS, api=True)
def template_update(request: HttpRequest, template_id: int, payload: TemplateIn) -> TemplateCountersOut:
    services.coupon_template_save(actor=_actor(request), draft=draft_from(payload), template_id=template_id)
    return TemplateCountersOut(**_counted(template_id))  # type: ignore[arg-type]


@router.post("/templates/{template_id}/pause", response=TemplateCountersOut, summary="Stop new claims")
@requires(MANAGE_COUPONS, api=True)
def template_pause(request: HttpRequest, template_id: int) -> TemplateCountersOut:
    services.coupon_template_pause(actor=_actor(request), template_id=template_id)
    return TemplateCountersOut(**_counted(template_id))  # type: ignore[arg-type]


@router.post("/templates/{template_id}/resume", response=TemplateCountersOut, summary="Open claims again")
@requires(MANAGE_COUPONS, api=True)
def template_resume(request: HttpRequest, template_id: int) -> TemplateCountersOut:
    services.coupon_template_resume(actor=_actor(request), template_id=template_id)
    return TemplateCountersOut(**_counted(template_id))  # type: ignore[arg-type]


@router.post(
    "/templates/{template_id}/issue", response=IssueOut, summary="Issue coupons to customers (customer service)"
)
@requires(ISSUE_COUPONS, api=True)
def template_issue(request: HttpRequest, template_id: int, payload: IssueIn) -> IssueOut:
    result = services.coupon_issue(
        actor=_actor(request), customer_ids=payload.customer_ids, template_id=template_id, note=payload.note
    )
    return IssueOut(issued=[coupon_out(coupon) for coupon in result.issued], refused=result.refused)
