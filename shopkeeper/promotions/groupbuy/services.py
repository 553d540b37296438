"""Writes of group buys: set one up, open a group, join one, and what payments, cancellations and
the clock do to a group (form and release its orders, or fail and refund every paid member).

Locks follow the house order, with the group row always last: joining places the order first
(stock rows), then locks the group to take a seat; a payment's notification holds the payment
and the order, then locks the group; a cancellation holds the order and its stock, then the group.
Releasing or refunding members' orders locks those orders, so it never runs while a group is
locked: it happens after the group's transaction commits (`group_settle`), and the beat task
settles again whatever a crash left undone. Every step is idempotent.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.checkout import services as checkout
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.customers import selectors as customers
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.orders.events import OrderCancelled, OrderPaid
from shopkeeper.promotions import selectors as promotion_reads
from shopkeeper.promotions import services as promotions
from shopkeeper.promotions.domain.margin import Breach
from shopkeeper.promotions.groupbuy.domain.terms import Outcome, Terms, expiry_outcome, floor_price, terms_problems
from shopkeeper.promotions.groupbuy.models import Group, GroupBuy, GroupBuyStatus, GroupMember, GroupState, MemberState

logger = logging.getLogger(__name__)

HOLD_REASON = "group not formed"  # the order's fulfilment hold until the group forms
PRICE_LABEL = "拼团价"
KEY_PREFIX = "grp:"
MAX_KEY_LENGTH = 64 - len(KEY_PREFIX)
ALIVE = (MemberState.PENDING, MemberState.PAID)


def _problem_text(message: str) -> str:
    """A problem of domain.terms in the shop's language (the catalogue holds each message)."""
    return _(message)


# --- setting up a group buy --------------------------------------------------------------------


def _sku_facts(sku_id: int, *, on_sale: bool = True) -> tuple[int, int, int | None]:
    """(product id, sale price, unit cost) of a SKU, which must be on sale when `on_sale` (a new
    group buy, or one moved to another SKU: a group's orders are bought like any item, so a SKU
    off sale could never form a group); ValidationFailed otherwise. A group buy whose SKU was
    taken off sale later can still be edited (e.g. to end it sooner)."""
    sku = catalog.promo_skus([sku_id], scenes=False).get(sku_id)
    if sku is None:
        raise ValidationFailed(_("No such SKU."), details={"fields": {"sku_id": _("No such SKU.")}})
    if on_sale and not sku.on_sale:
        problem = _("%(sku)s is not on sale: list it first.") % {"sku": sku.sku_code}
        raise ValidationFailed(problem, details={"fields": {"sku_id": problem}})
    return sku.product_id, sku.sale_price_fen, sku.cost_price_fen or None


def _margin_refusal(
    *, sku_id: int, group_price: Money, normal_fen: int, cost_fen: int | None, margin: int | None
) -> tuple[str, list[dict[str, Any]]] | None:
    """The margin guard's words and figures when the group price is under its floor (cost plus
    the group buy's margin, or the store default's), as promotions refuse; None when it is not."""
    if cost_fen is None or margin is None or group_price.fen <= 0 or group_price.fen >= normal_fen:
        return None
    lowest = floor_price(Money(cost_fen), margin)
    if group_price >= lowest:
        return None
    breach = Breach(
        sku_id=sku_id, price=Money(normal_fen), cost=Money(cost_fen), worst_price=group_price, floor_price=lowest
    )
    text, rows = promotions.margin_breaches_described([breach])
    return _("The margin guard refuses this group price: %(list)s") % {"list": text}, rows


def groupbuy_save(
    *,
    actor: ActorContext,
    sku_id: int,
    title: str,
    group_price: Money,
    group_size: int,
    time_limit_hours: int,
    per_customer_limit: int,
    starts_at: datetime,
    ends_at: datetime,
    min_margin_percent: int | None = None,
    virtual_completion: bool = False,
    virtual_max_missing: int = 0,
    groupbuy_id: int | None = None,
) -> GroupBuy:
    """Create a group buy, or change one (`groupbuy_id`). Groups already open keep their size and
    their members' orders keep their price. Bad terms raise ValidationFailed and change nothing:
    every field at fault under details.fields, a price under the margin floor (its own, or the
    store default when it names none) with the SKU, price, cost and floor under details.margin,
    and a window that is already over."""
    title = title.strip()
    same_sku = groupbuy_id is not None and GroupBuy.objects.filter(pk=groupbuy_id, sku_id=sku_id).exists()
    product_id, normal_fen, cost_fen = _sku_facts(sku_id, on_sale=not same_sku)
    margin = (
        min_margin_percent
        if min_margin_percent is not None
        else promotion_reads.store_default_floor().min_margin_percent
    )
    terms = Terms(
        group_price=group_price,
        normal_price=Money(normal_fen),
        cost=Money(cost_fen) if cost_fen is not None else None,
        min_margin_percent=margin,
        group_size=group_size,
        time_limit_hours=time_limit_hours,
        per_customer_limit=per_customer_limit,
        starts_at=starts_at,
        ends_at=ends_at,
        virtual_max_missing=virtual_max_missing if virtual_completion else 0,
    )
    fields = {problem.field: _problem_text(problem.message) for problem in terms_problems(terms)}
    if min_margin_percent is None:
        fields.pop("min_margin_percent", None)  # the store default's range is the setting's business
    details: dict[str, Any] = {}
    refusal = _margin_refusal(
        sku_id=sku_id, group_price=group_price, normal_fen=normal_fen, cost_fen=cost_fen, margin=margin
    )
    if refusal is not None:
        fields["group_price"], details["margin"] = refusal
    if not title:
        fields["title"] = _("Give the group buy a title.")
    if "ends_at" not in fields and ends_at <= timezone.now() and _window_changed(groupbuy_id, ends_at):
        fields["ends_at"] = _("The window is already over: it ended %(when)s.") % {
            "when": timezone.localtime(ends_at).strftime("%Y-%m-%d %H:%M")
        }
    if fields:
        message = next(iter(fields.values())) if len(fields) == 1 else _("The group buy cannot be saved like that.")
        raise ValidationFailed(message, details={"fields": fields, **details})
    values: dict[str, Any] = {
        "sku_id": sku_id,
        "product_id": product_id,
        "title": title[:100],
        "group_price_fen": group_price.fen,
        "normal_price_fen": normal_fen,
        "group_size": group_size,
        "time_limit_hours": time_limit_hours,
        "per_customer_limit": per_customer_limit,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "min_margin_percent": min_margin_percent,
        "virtual_completion": virtual_completion,
        "virtual_max_missing": virtual_max_missing if virtual_completion else 0,
    }
    with transaction.atomic():
        if groupbuy_id is None:
            groupbuy = GroupBuy.objects.create(**values)
            before: dict[str, Any] | None = None
        else:
            found = GroupBuy.objects.select_for_update().filter(pk=groupbuy_id).first()
            if found is None:
                raise NotFound(_("No such group buy."), details={"id": groupbuy_id})
            groupbuy = found
            before = _snapshot(groupbuy)
            for name, value in values.items():
                setattr(groupbuy, name, value)
            groupbuy.save()
        audit_record(
            actor=actor,
            action="groupbuy.create" if before is None else "groupbuy.change",
            target=groupbuy,
            before=before,
            after=_snapshot(groupbuy),
        )
    return groupbuy


def _window_changed(groupbuy_id: int | None, ends_at: datetime) -> bool:
    """Whether a save sets this end: a new group buy, or a changed end (an ended group buy may
    still be renamed without moving its window)."""
    if groupbuy_id is None:
        return True
    stored = GroupBuy.objects.filter(pk=groupbuy_id).values_list("ends_at", flat=True).first()
    return stored != ends_at


def _snapshot(groupbuy: GroupBuy) -> dict[str, Any]:
    return {
        "sku_id": groupbuy.sku_id,
        "title": groupbuy.title,
        "group_price_fen": groupbuy.group_price_fen,
        "group_size": groupbuy.group_size,
        "time_limit_hours": groupbuy.time_limit_hours,
        "per_customer_limit": groupbuy.per_customer_limit,
        "starts_at": groupbuy.starts_at.isoformat(),
        "ends_at": groupbuy.ends_at.isoformat(),
        "min_margin_percent": groupbuy.min_margin_percent,
        "virtual_completion": groupbuy.virtual_completion,
        "virtual_max_missing": groupbuy.virtual_max_missing,
        "status": groupbuy.status,
    }


def groupbuy_set_status(*, actor: ActorContext, groupbuy_id: int, status: str) -> GroupBuy:
    """Pause a group buy (no new groups; open groups may still fill) or run it again."""
    if status not in GroupBuyStatus.values:
        raise ValidationFailed(_("Unknown status."), details={"fields": {"status": status}})
    with transaction.atomic():
        groupbuy = GroupBuy.objects.select_for_update().filter(pk=groupbuy_id).first()
        if groupbuy is None:
            raise NotFound(_("No such group buy."), details={"id": groupbuy_id})
        before = groupbuy.status
        if before != status:
            groupbuy.status = status
            groupbuy.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="groupbuy.pause" if status == GroupBuyStatus.PAUSED else "groupbuy.resume",
                target=groupbuy,
                before={"status": before},
                after={"status": status},
            )
    return groupbuy


# --- opening and joining ------------------------------------------------------------------------


def _key(idempotency_key: str) -> str:
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            _("A group order needs an idempotency key of 1–%(max)d characters.") % {"max": MAX_KEY_LENGTH},
            details={"key": "invalid"},
        )
    return key


def _member_by_key(customer: User, key: str) -> GroupMember | None:
    return GroupMember.objects.select_related("group").filter(customer=customer, idempotency_key=key).first()


def _nickname(customer: User) -> str:
    profile = customers.customer_profile(customer)
    return (profile.display_name if profile else customer.get_username())[:40]


def _alive_count(groupbuy_id: int, customer: User) -> int:
    return GroupMember.objects.filter(
        group__groupbuy_id=groupbuy_id, customer=customer, state__in=ALIVE, is_virtual=False
    ).count()


def _check_limit(groupbuy: GroupBuy, customer: User) -> None:
    if _alive_count(groupbuy.pk, customer) >= groupbuy.per_customer_limit:
        raise Conflict(
            _("You already have %(count)d group order(s) in this group buy, the most allowed.")
            % {"count": groupbuy.per_customer_limit},
            details={"limit": groupbuy.per_customer_limit},
        )


def _share_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def _buy(
    *, groupbuy: GroupBuy, expires_at: datetime, customer: User, address_id: int, key: str, actor: ActorContext
) -> orders.Order:
    """The member's one-unit order at the group price, held until the group forms. It must be paid
    before the group's time runs out (and within the usual payment time)."""
    left = expires_at - timezone.now()
    window = min(timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES), max(left, timedelta(minutes=1)))
    return checkout.checkout_buy_now(
        customer=customer,
        sku_id=groupbuy.sku_id,
        quantity=1,
        unit_price=groupbuy.group_price,
        price_label=PRICE_LABEL,
        address_id=address_id,
        idempotency_key=f"{KEY_PREFIX}{key}",
        actor=actor,
        kind=OrderKind.GROUP,
        pay_window=window,
        hold=HOLD_REASON,
        channel="groupbuy",
    )


def group_open(
    *, groupbuy_id: int, customer: User, address_id: int, idempotency_key: str, actor: ActorContext
) -> GroupMember:
    """The leader opens a group by buying one unit at the group price (开团). Returns the leader's
    membership; the same idempotency key answers the same group."""
    key = _key(idempotency_key)
    existing = _member_by_key(customer, key)
    if existing is not None:
        return existing
    now = timezone.now()
    groupbuy = GroupBuy.objects.filter(pk=groupbuy_id).first()
    if groupbuy is None:
        raise NotFound(_("No such group buy."), details={"id": groupbuy_id})
    if groupbuy.status != GroupBuyStatus.ACTIVE or not groupbuy.starts_at <= now < groupbuy.ends_at:
        raise Conflict(_("This group buy is not running now."), details={"groupbuy": "not_running"})
    _check_limit(groupbuy, customer)
    expires_at = now + timedelta(hours=groupbuy.time_limit_hours)
    try:
        with transaction.atomic():
            order = _buy(
                groupbuy=groupbuy, expires_at=expires_at, customer=customer, address_id=address_id, key=key, actor=actor
            )
            group = Group.objects.create(
                groupbuy=groupbuy,
                leader=customer,
                share_code=_share_code(),
                size=groupbuy.group_size,
                seats_taken=1,
                opened_at=now,
                expires_at=expires_at,
            )
            return GroupMember.objects.create(
                group=group,
                customer=customer,
                nickname=_nickname(customer),
                is_leader=True,
                order_id=order.pk,
                order_number=order.number,
                idempotency_key=key,
                joined_at=now,
            )
    except IntegrityError:  # the same key, sent twice at once: answer the first
        existing = _member_by_key(customer, key)
        if existing is None:
            raise
        return existing


def _refuse_join(group: Group, customer: User, now: datetime) -> None:
    if group.state == GroupState.FAILED:
        raise Conflict(_("This group did not form in time; open a new one."), details={"group": "failed"})
    if group.state == GroupState.FORMED:
        raise Conflict(_("This group has formed already; open a new one."), details={"group": "formed"})
    if group.expires_at <= now:
        raise Conflict(_("This group's time has run out; open a new one."), details={"group": "expired"})
    if GroupMember.objects.filter(group=group, customer=customer, state__in=ALIVE).exists():
        raise Conflict(_("You are already in this group."), details={"group": "member"})
    if group.seats_taken >= group.size:
        raise Conflict(_("This group is full; open a new one."), details={"group": "full"})


def group_join(
    *, share_code: str, customer: User, address_id: int, idempotency_key: str, actor: ActorContext
) -> GroupMember:
    """Join a group by its share link (参团): buy one unit at the group price and take a seat.

    The seat is taken under the group's row lock after the order is placed, so a group never
    has more members than its size; a refusal rolls the order back.
    """
    key = _key(idempotency_key)
    existing = _member_by_key(customer, key)
    if existing is not None:
        return existing
    group = Group.objects.select_related("groupbuy").filter(share_code=share_code.strip()).first()
    if group is None:
        raise NotFound(_("No such group."), details={"share_code": share_code})
    now = timezone.now()
    if group.state == GroupState.OPEN and group.expires_at <= now:
        group_expire(group_id=group.pk)
        group.refresh_from_db()
    _refuse_join(group, customer, now)  # before buying: the usual refusals cost no order
    _check_limit(group.groupbuy, customer)
    try:
        with transaction.atomic():
            order = _buy(
                groupbuy=group.groupbuy,
                expires_at=group.expires_at,
                customer=customer,
                address_id=address_id,
                key=key,
                actor=actor,
            )
            locked = Group.objects.select_for_update().get(pk=group.pk)  # the group last
            _refuse_join(locked, customer, timezone.now())
            _check_limit(group.groupbuy, customer)
            locked.seats_taken = F("seats_taken") + 1
            locked.save(update_fields=["seats_taken"])
            return GroupMember.objects.create(
                group=locked,
                customer=customer,
                nickname=_nickname(customer),
                order_id=order.pk,
                order_number=order.number,
                idempotency_key=key,
                joined_at=timezone.now(),
            )
    except IntegrityError:
        existing = _member_by_key(customer, key)
        if existing is None:
            raise Conflict(_("You are already in this group."), details={"group": "member"}) from None
        return existing


# --- what payments and cancellations do ----------------------------------------------------------


def _locked_member(order_id: int) -> tuple[Group, GroupMember] | None:
    found = GroupMember.objects.filter(order_id=order_id).values_list("pk", "group_id").first()
    if found is None:
        return None
    member_id, group_id = found
    group = Group.objects.select_for_update().get(pk=group_id)
    member = GroupMember.objects.select_for_update().get(pk=member_id)
    return group, member


def _after_commit(group_id: int, *, expire: bool = False) -> None:
    def run() -> None:
        try:
            if expire:
                group_expire(group_id=group_id)
            else:
                group_settle(group_id=group_id)
        except Exception:  # the beat task settles again
            logger.exception("settling group %s failed; the beat task will retry", group_id)

    transaction.on_commit(run)


def on_order_paid(event: OrderPaid) -> None:
    """A member paid (inside the payment's transaction): the seat counts; the N-th payment forms
    the group. A payment for a group that is no longer open is refunded."""
    if event.kind != OrderKind.GROUP:
        return
    found = _locked_member(event.order_id)
    if found is None:
        return
    group, member = found
    if member.state not in (MemberState.PENDING, MemberState.CANCELLED):
        return  # already counted
    member.paid_at = event.paid_at
    if member.state == MemberState.PENDING and group.state == GroupState.OPEN:
        member.state = MemberState.PAID
        member.save(update_fields=["state", "paid_at"])
        group.paid_count += 1
        if event.paid_at >= group.expires_at:
            group.save(update_fields=["paid_count"])
            _after_commit(group.pk, expire=True)  # too late to form on time: the expiry decides
            return
        if group.paid_count >= group.size:
            group.state = GroupState.FORMED
            group.closed_at = timezone.now()
            group.save(update_fields=["paid_count", "state", "closed_at"])
            _after_commit(group.pk)  # release every member's order
            return
        group.save(update_fields=["paid_count"])
        return
    # The group failed, formed with virtual members, or gave this seat up before the money came.
    member.state = MemberState.REFUND_DUE
    member.save(update_fields=["state", "paid_at"])
    _after_commit(group.pk)


def on_order_cancelled(event: OrderCancelled) -> None:
    """A member's unpaid order was cancelled (by them, staff or the payment timeout): the seat is free."""
    if event.kind != OrderKind.GROUP:
        return
    found = _locked_member(event.order_id)
    if found is None:
        return
    group, member = found
    if member.state != MemberState.PENDING:
        return
    member.state = MemberState.CANCELLED
    member.save(update_fields=["state"])
    group.seats_taken -= 1
    fields = ["seats_taken"]
    if group.state == GroupState.OPEN and group.seats_taken == 0:
        group.state = GroupState.FAILED  # nobody is left in it: nothing to refund
        group.closed_at = timezone.now()
        fields += ["state", "closed_at"]
    group.save(update_fields=fields)


# --- the clock ------------------------------------------------------------------------------------


def _virtual_nickname(index: int) -> str:
    return _("Shop member %(number)d") % {"number": index}


def group_expire(*, group_id: int, now: datetime | None = None) -> str:
    """A group whose time ran out: it forms (every seat paid, or virtual members allowed) or
    fails; then its members' orders are released, refunded or cancelled. Safe to run again."""
    now = now or timezone.now()
    with transaction.atomic():
        group = Group.objects.select_for_update().select_related("groupbuy").get(pk=group_id)
        if group.state == GroupState.OPEN and group.expires_at <= now:
            groupbuy = group.groupbuy
            decided = expiry_outcome(
                paid=group.paid_count,
                group_size=group.size,
                virtual_allowed=groupbuy.virtual_completion,
                virtual_max_missing=groupbuy.virtual_max_missing,
            )
            members = GroupMember.objects.select_for_update().filter(group=group)
            unpaid = members.filter(state=MemberState.PENDING)
            given_up = unpaid.count()
            unpaid.update(state=MemberState.CANCELLED)
            if decided.outcome is Outcome.FORM:
                GroupMember.objects.bulk_create(
                    [
                        GroupMember(
                            group=group,
                            nickname=_virtual_nickname(index + 1),
                            is_virtual=True,
                            state=MemberState.PAID,
                            joined_at=now,
                            paid_at=now,
                        )
                        for index in range(decided.virtual_members)
                    ]
                )
                group.state = GroupState.FORMED
                group.seats_taken = group.paid_count + decided.virtual_members
            else:
                members.filter(state=MemberState.PAID).update(state=MemberState.REFUND_DUE)
                group.state = GroupState.FAILED
                group.seats_taken = max(group.seats_taken - given_up, 0)
            group.closed_at = now
            group.save(update_fields=["state", "seats_taken", "closed_at"])
        state = group.state
    group_settle(group_id=group_id)
    return state


def _system() -> ActorContext:
    return ActorContext.system()


def group_settle(*, group_id: int) -> None:
    """Carry out what the group's state asks of its members' orders, each in its own transaction:
    release the paid orders of a formed group, refund the members owed money (full amount, one
    request key per member), cancel the unpaid orders of a closed group. Idempotent."""
    group = Group.objects.get(pk=group_id)
    actor = _system()
    if group.state == GroupState.FORMED:
        for member in GroupMember.objects.filter(group=group, state=MemberState.PAID, is_virtual=False, released=False):
            assert member.order_id is not None
            orders.order_release(order_id=member.order_id, actor=actor)
            GroupMember.objects.filter(pk=member.pk).update(released=True)
    for member in GroupMember.objects.filter(group=group, state=MemberState.REFUND_DUE):
        _refund_member(group, member, actor)
    if group.state != GroupState.OPEN:
        cancelled = GroupMember.objects.filter(group=group, state=MemberState.CANCELLED, order_id__isnull=False)
        ids = list(cancelled.values_list("order_id", flat=True))
        for order in orders.Order.objects.filter(pk__in=ids, status=OrderStatus.PENDING_PAYMENT):
            try:
                orders.order_cancel(order=order, actor=actor, reason=_("The group closed before this order was paid"))
            except ShopkeeperError:  # paid meanwhile: the payment's handler refunds it
                continue


def _refund_member(group: Group, member: GroupMember, actor: ActorContext) -> None:
    assert member.order_id is not None
    order = orders.Order.objects.get(pk=member.order_id)
    reason = (
        _("Group %(code)s did not form in time: refunded automatically") % {"code": group.share_code}
        if group.state == GroupState.FAILED
        else _("Group %(code)s closed before this payment arrived: refunded") % {"code": group.share_code}
    )
    try:
        refund = orders.order_refund(
            order=order,
            amounts={line.pk: None for line in order.lines.all()},
            reason=reason,
            request_key=f"groupbuy-member-{member.pk}",
            actor=actor,
        )
        amount = refund.amount_fen
    except ValidationFailed:  # nothing left to refund (staff refunded it already)
        logger.warning("group member %s: order %s has nothing left to refund", member.pk, order.number)
        amount = 0
    GroupMember.objects.filter(pk=member.pk, state=MemberState.REFUND_DUE).update(
        state=MemberState.REFUNDED, refund_fen=amount
    )


def groups_expire_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Close every open group whose time ran out, and settle groups left half-done (the beat
    task, every minute). Answers how many groups were closed."""
    now = now or timezone.now()
    due = list(
        Group.objects.filter(state=GroupState.OPEN, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    for group_id in due:
        group_expire(group_id=group_id, now=now)
    unsettled = set(
        GroupMember.objects.filter(state=MemberState.REFUND_DUE).values_list("group_id", flat=True)[:limit]
    ) | set(
        GroupMember.objects.filter(
            group__state=GroupState.FORMED, state=MemberState.PAID, is_virtual=False, released=False
        ).values_list("group_id", flat=True)[:limit]
    )
    for group_id in sorted(unsettled - set(due)):
        group_settle(group_id=group_id)
    return len(due)


__all__ = [
    "HOLD_REASON",
    "PRICE_LABEL",
    "group_expire",
    "group_join",
    "group_open",
    "group_settle",
    "groupbuy_save",
    "groupbuy_set_status",
    "groups_expire_due",
    "on_order_cancelled",
    "on_order_paid",
]
