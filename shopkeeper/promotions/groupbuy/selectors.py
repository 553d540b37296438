"""Reads of group buys for the storefront, the console, the API and other apps' panels."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from shopkeeper.promotions.groupbuy.models import Group, GroupBuy, GroupBuyStatus, GroupMember, GroupState, MemberState

OPEN_GROUPS_SHOWN = 5


def groupbuy_list() -> QuerySet[GroupBuy]:
    return GroupBuy.objects.order_by("-starts_at", "-id")


def groupbuy_get(groupbuy_id: int) -> GroupBuy | None:
    return GroupBuy.objects.filter(pk=groupbuy_id).first()


def groupbuy_running_for_product(product_id: int) -> GroupBuy | None:
    """The group buy a product page offers now (the newest if several run)."""
    now = timezone.now()
    return (
        GroupBuy.objects.filter(
            product_id=product_id, status=GroupBuyStatus.ACTIVE, starts_at__lte=now, ends_at__gt=now
        )
        .order_by("-starts_at", "-id")
        .first()
    )


def groups_joinable(groupbuy_id: int, *, limit: int = OPEN_GROUPS_SHOWN) -> list[Group]:
    """Open groups with a free seat and time left, the soonest to close first (most urgent)."""
    return list(
        Group.objects.filter(
            groupbuy_id=groupbuy_id, state=GroupState.OPEN, expires_at__gt=timezone.now(), seats_taken__lt=F("size")
        ).order_by("expires_at", "id")[:limit]
    )


def group_by_code(share_code: str) -> Group | None:
    return Group.objects.select_related("groupbuy").filter(share_code=share_code).first()


def groups_of(groupbuy_id: int, *, state: str | None = None) -> QuerySet[Group]:
    queryset = Group.objects.filter(groupbuy_id=groupbuy_id).order_by("-opened_at", "-id")
    if state:
        queryset = queryset.filter(state=state)
    return queryset


def members_of(group: Group) -> list[GroupMember]:
    """The members who hold a seat (alive, paid or virtual), the leader first."""
    return list(group.members.exclude(state=MemberState.CANCELLED).order_by("-is_leader", "joined_at", "id"))


def member_for_order(order_id: int) -> GroupMember | None:
    return GroupMember.objects.select_related("group", "group__groupbuy").filter(order_id=order_id).first()


@dataclass(frozen=True)
class Counters:
    opened: int
    open: int
    formed: int
    failed: int
    members: int  # real customers who paid
    virtual_members: int
    refunds: int
    refunded_fen: int


def groupbuy_counters(groupbuy_id: int | None = None) -> Counters:
    """Live counters of one group buy (or all): two queries."""
    groups = Group.objects.all() if groupbuy_id is None else Group.objects.filter(groupbuy_id=groupbuy_id)
    by_state = groups.aggregate(
        opened=Count("id"),
        open=Count("id", filter=Q(state=GroupState.OPEN)),
        formed=Count("id", filter=Q(state=GroupState.FORMED)),
        failed=Count("id", filter=Q(state=GroupState.FAILED)),
    )
    members = (
        GroupMember.objects.all() if groupbuy_id is None else GroupMember.objects.filter(group__groupbuy_id=groupbuy_id)
    )
    paid = members.aggregate(
        members=Count("id", filter=Q(is_virtual=False, paid_at__isnull=False)),
        virtual=Count("id", filter=Q(is_virtual=True)),
        refunds=Count("id", filter=Q(state=MemberState.REFUNDED)),
        refunded=Sum("refund_fen"),
    )
    return Counters(
        opened=by_state["opened"],
        open=by_state["open"],
        formed=by_state["formed"],
        failed=by_state["failed"],
        members=paid["members"],
        virtual_members=paid["virtual"],
        refunds=paid["refunds"],
        refunded_fen=paid["refunded"] or 0,
    )
