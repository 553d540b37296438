"""Staff group buy endpoints at /api/v1/groupbuys: list with counters, create, change, pause or
resume, and one group buy's groups. The campaign operator manages; the director reads.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import MANAGE_GROUPBUYS, VIEW_GROUPBUYS
from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.groupbuy import selectors, services
from shopkeeper.promotions.groupbuy.models import Group, GroupBuy

router = Router(tags=["group buys (staff)"])


class CountersOut(Schema):
    opened: int
    open: int
    formed: int
    failed: int
    members: int = Field(..., description="Real customers who paid")
    virtual_members: int
    refunds: int = Field(..., description="Members refunded automatically")
    refunded: MoneyOut


class GroupBuyOut(Schema):
    id: int
    title: str
    sku_id: int
    product_id: int
    group_price: MoneyOut
    normal_price: MoneyOut
    group_size: int
    time_limit_hours: int
    per_customer_limit: int
    starts_at: datetime
    ends_at: datetime
    min_margin_percent: int | None
    virtual_completion: bool
    virtual_max_missing: int
    status: str
    counters: CountersOut


class GroupBuyIn(Schema):
    title: str
    sku_id: int
    group_price: str = Field(..., description='Yuan as a string, e.g. "39.00"', examples=["39.00"])
    group_size: int
    time_limit_hours: int
    per_customer_limit: int = 1
    starts_at: datetime
    ends_at: datetime
    min_margin_percent: int | None = None
    virtual_completion: bool = False
    virtual_max_missing: int = 0


class StatusIn(Schema):
    status: str = Field(..., description="active or paused")


class GroupRowOut(Schema):
    share_code: str
    state: str
    size: int
    seats_taken: int
    paid_count: int
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _out(groupbuy: GroupBuy) -> GroupBuyOut:
    counters = selectors.groupbuy_counters(groupbuy.pk)
    return GroupBuyOut(
        id=groupbuy.pk,
        title=groupbuy.title,
        sku_id=groupbuy.sku_id,
        product_id=groupbuy.product_id,
        group_price=money_out(groupbuy.group_price_fen),
        normal_price=money_out(groupbuy.normal_price_fen),
        group_size=groupbuy.group_size,
        time_limit_hours=groupbuy.time_limit_hours,
        per_customer_limit=groupbuy.per_customer_limit,
        starts_at=groupbuy.starts_at,
        ends_at=groupbuy.ends_at,
        min_margin_percent=groupbuy.min_margin_percent,
        virtual_completion=groupbuy.virtual_completion,
        virtual_max_missing=groupbuy.virtual_max_missing,
        status=groupbuy.status,
        counters=CountersOut(
            opened=counters.opened,
            open=counters.open,
            formed=counters.formed,
            failed=counters.failed,
            members=counters.members,
            virtual_members=counters.virtual_members,
            refunds=counters.refunds,
            refunded=money_out(counters.refunded_fen),
        ),
    )


def _get(groupbuy_id: int) -> GroupBuy:
    groupbuy = selectors.groupbuy_get(groupbuy_id)
    if groupbuy is None:
        raise NotFound("No such group buy.", details={"id": groupbuy_id})
    return groupbuy


def _save(request: HttpRequest, payload: GroupBuyIn, groupbuy_id: int | None) -> GroupBuy:
    try:
        price = Money.from_yuan(payload.group_price)
    except MoneyError:
        raise ValidationFailed(
            "The group price is not an amount in yuan.", details={"fields": {"group_price": payload.group_price}}
        ) from None
    data = payload.dict(exclude={"group_price"})
    return services.groupbuy_save(actor=_actor(request), groupbuy_id=groupbuy_id, group_price=price, **data)


@router.get("", response=list[GroupBuyOut], summary="Group buys, newest first, with their counters")
@requires(VIEW_GROUPBUYS, api=True)
def groupbuy_list(request: HttpRequest) -> list[GroupBuyOut]:
    return [_out(groupbuy) for groupbuy in selectors.groupbuy_list()[:200]]


@router.post("", response={201: GroupBuyOut}, summary="Create a group buy (bad terms: 422, nothing saved)")
@requires(MANAGE_GROUPBUYS, api=True)
def groupbuy_create(request: HttpRequest, payload: GroupBuyIn) -> Status[GroupBuyOut]:
    return Status(201, _out(_save(request, payload, None)))


@router.get("/{groupbuy_id}", response=GroupBuyOut, summary="One group buy with its counters")
@requires(VIEW_GROUPBUYS, api=True)
def groupbuy_get(request: HttpRequest, groupbuy_id: int) -> GroupBuyOut:
    return _out(_get(groupbuy_id))


@router.put("/{groupbuy_id}", response=GroupBuyOut, summary="Change a group buy's terms (open groups keep theirs)")
@requires(MANAGE_GROUPBUYS, api=True)
def groupbuy_change(request: HttpRequest, groupbuy_id: int, payload: GroupBuyIn) -> GroupBuyOut:
    _get(groupbuy_id)
    return _out(_save(request, payload, groupbuy_id))


@router.post("/{groupbuy_id}/status", response=GroupBuyOut, summary="Pause or resume a group buy")
@requires(MANAGE_GROUPBUYS, api=True)
def groupbuy_status(request: HttpRequest, groupbuy_id: int, payload: StatusIn) -> GroupBuyOut:
    _get(groupbuy_id)
    return _out(services.groupbuy_set_status(actor=_actor(request), groupbuy_id=groupbuy_id, status=payload.status))


@router.get("/{groupbuy_id}/groups", response=list[GroupRowOut], summary="A group buy's groups, newest first")
@requires(VIEW_GROUPBUYS, api=True)
def groupbuy_groups(request: HttpRequest, groupbuy_id: int, state: str | None = None) -> list[GroupRowOut]:
    _get(groupbuy_id)
    groups: list[Group] = list(selectors.groups_of(groupbuy_id, state=state)[:500])
    return [
        GroupRowOut(
            share_code=g.share_code,
            state=g.state,
            size=g.size,
            seats_taken=g.seats_taken,
            paid_count=g.paid_count,
            opened_at=g.opened_at,
            expires_at=g.expires_at,
            closed_at=g.closed_at,
        )
        for g in groups
    ]
