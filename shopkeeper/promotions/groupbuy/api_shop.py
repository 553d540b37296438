"""The customer's group buy endpoints at /api/v1/shop/groups: open a group, join one by its share
code, and show a group. They run on the customer's storefront session (customers.auth); showing a
group is open to anyone with the link. The price is never taken from the request.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.core.services import ActorContext
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.promotions.groupbuy import selectors, services
from shopkeeper.promotions.groupbuy.models import Group, GroupMember

router = Router(tags=["shop: group buys"], auth=CustomerSessionAuth())


class MemberOut(Schema):
    nickname: str
    initial: str
    is_leader: bool
    is_virtual: bool
    paid: bool
    joined_at: datetime


class GroupOut(Schema):
    share_code: str
    share_path: str
    groupbuy_id: int
    title: str
    product_id: int
    sku_id: int
    group_price: MoneyOut
    normal_price: MoneyOut
    size: int
    state: str = Field(..., description="open, formed or failed")
    state_label: str
    seats_taken: int
    missing: int
    paid_count: int
    opened_at: datetime
    expires_at: datetime
    seconds_left: int
    members: list[MemberOut]


class MembershipOut(Schema):
    order_number: str = Field(
        ..., description="Pay this order (POST /api/v1/shop/orders/{number}/pay) to keep the seat"
    )
    state: str
    group: GroupOut


class OpenIn(Schema):
    groupbuy_id: int
    address_id: int
    idempotency_key: str = Field(..., min_length=1, max_length=60)


class JoinIn(Schema):
    address_id: int
    idempotency_key: str = Field(..., min_length=1, max_length=60)


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def group_out(group: Group) -> GroupOut:
    groupbuy = group.groupbuy
    return GroupOut(
        share_code=group.share_code,
        share_path=f"/group/{group.share_code}/",
        groupbuy_id=groupbuy.pk,
        title=groupbuy.title,
        product_id=groupbuy.product_id,
        sku_id=groupbuy.sku_id,
        group_price=money_out(groupbuy.group_price_fen),
        normal_price=money_out(groupbuy.normal_price_fen),
        size=group.size,
        state=group.state,
        state_label=str(group.get_state_display()),
        seats_taken=group.seats_taken,
        missing=group.missing if group.state == "open" else 0,
        paid_count=group.paid_count,
        opened_at=group.opened_at,
        expires_at=group.expires_at,
        seconds_left=max(int((group.expires_at - timezone.now()).total_seconds()), 0),
        members=[
            MemberOut(
                nickname=member.nickname,
                initial=member.initial,
                is_leader=member.is_leader,
                is_virtual=member.is_virtual,
                paid=member.paid_at is not None,
                joined_at=member.joined_at,
            )
            for member in selectors.members_of(group)
        ],
    )


def _membership(member: GroupMember) -> MembershipOut:
    group = selectors.group_by_code(member.group.share_code)
    assert group is not None
    return MembershipOut(order_number=member.order_number, state=member.state, group=group_out(group))


@router.post("/open", response={201: MembershipOut}, summary="Open a group (开团): my order at the group price")
@customer_operation
def group_open(request: HttpRequest, payload: OpenIn) -> Status[MembershipOut]:
    member = services.group_open(
        groupbuy_id=payload.groupbuy_id,
        customer=_me(request),
        address_id=payload.address_id,
        idempotency_key=payload.idempotency_key,
        actor=_actor(request),
    )
    return Status(201, _membership(member))


@router.post("/{share_code}/join", response={201: MembershipOut}, summary="Join a group by its share code (参团)")
@customer_operation
def group_join(request: HttpRequest, share_code: str, payload: JoinIn) -> Status[MembershipOut]:
    member = services.group_join(
        share_code=share_code,
        customer=_me(request),
        address_id=payload.address_id,
        idempotency_key=payload.idempotency_key,
        actor=_actor(request),
    )
    return Status(201, _membership(member))


@router.get("/{share_code}", response=GroupOut, auth=None, summary="A group: its members, countdown and seats left")
@public
def group_get(request: HttpRequest, share_code: str) -> GroupOut:
    group = selectors.group_by_code(share_code)
    if group is None:
        raise NotFound("No such group.", details={"share_code": share_code})
    if group.state == "open" and group.expires_at <= timezone.now():
        services.group_expire(group_id=group.pk)  # closed on read too, not only by the beat task
        group.refresh_from_db()
    return group_out(group)
