"""Writes of lotteries: set one up (prizes, odds in basis points, quantities), pause it, and draw
once for every order paid over the threshold while it runs (on `OrderPaid`, idempotent per order).

A prize is taken with a conditional update (`awarded < quantity`), so it is never awarded more
often than its quantity, however many orders are paid at once; a draw that lands on a prize that
is gone is logged as such. Every draw is logged with its seed, roll and the odds it used, so it can
be re-verified (selectors.draw_verified).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.orders.events import OrderPaid
from shopkeeper.promotions.lottery.domain.draw import Odds, PrizeTerms, lottery_problems, pick, roll_of, seed_for
from shopkeeper.promotions.lottery.models import Draw, DrawOutcome, Lottery, LotteryStatus, Prize

logger = logging.getLogger(__name__)


def _snapshot(lottery: Lottery) -> dict[str, Any]:
    return {
        "title": lottery.title,
        "threshold_fen": lottery.threshold_fen,
        "starts_at": lottery.starts_at.isoformat(),
        "ends_at": lottery.ends_at.isoformat(),
        "status": lottery.status,
        "prizes": [[p.name, p.basis_points, p.quantity] for p in lottery.prizes.order_by("position", "id")],
    }


def lottery_save(
    *,
    actor: ActorContext,
    title: str,
    threshold: Money,
    starts_at: datetime,
    ends_at: datetime,
    prizes: Sequence[PrizeTerms],
    lottery_id: int | None = None,
) -> Lottery:
    """Create a lottery or change one. Prizes are matched by position; a prize already awarded
    keeps at least its awarded quantity and cannot be removed. Bad input changes nothing."""
    title = title.strip()
    fields = {
        p.field: _(p.message)
        for p in lottery_problems(threshold_fen=threshold.fen, starts_at=starts_at, ends_at=ends_at, prizes=prizes)
    }
    if not title:
        fields["title"] = _("Give the lottery a title.")
    with transaction.atomic():
        lottery: Lottery | None = None
        before: dict[str, Any] | None = None
        existing: list[Prize] = []
        if lottery_id is not None:
            lottery = Lottery.objects.select_for_update().filter(pk=lottery_id).first()
            if lottery is None:
                raise NotFound(_("No such lottery."), details={"id": lottery_id})
            before = _snapshot(lottery)
            existing = list(lottery.prizes.select_for_update().order_by("position", "id"))
            for index, prize in enumerate(existing):
                if index < len(prizes) and prizes[index].quantity < prize.awarded:
                    fields[f"prizes.{index}.quantity"] = _("%(count)d of this prize are awarded already.") % {
                        "count": prize.awarded
                    }
                if index >= len(prizes) and (prize.awarded or prize.draws.exists()):
                    fields[f"prizes.{index}"] = _("This prize has been drawn already and cannot be removed.")
        if fields:
            raise ValidationFailed(_("The lottery cannot be saved like that."), details={"fields": fields})
        values = {"title": title[:100], "threshold_fen": threshold.fen, "starts_at": starts_at, "ends_at": ends_at}
        if lottery is None:
            lottery = Lottery.objects.create(**values)
        else:
            for name, value in values.items():
                setattr(lottery, name, value)
            lottery.save()
        for index, terms in enumerate(prizes):
            if index < len(existing):
                prize = existing[index]
                prize.name, prize.basis_points, prize.quantity = (
                    terms.name.strip()[:60],
                    terms.basis_points,
                    terms.quantity,
                )
                prize.save(update_fields=["name", "basis_points", "quantity"])
            else:
                Prize.objects.create(
                    lottery=lottery,
                    name=terms.name.strip()[:60],
                    basis_points=terms.basis_points,
                    quantity=terms.quantity,
                    position=index,
                )
        for prize in existing[len(prizes) :]:
            prize.delete()
        audit_record(
            actor=actor,
            action="lottery.create" if before is None else "lottery.change",
            target=lottery,
            before=before,
            after=_snapshot(lottery),
        )
    return lottery


def lottery_set_status(*, actor: ActorContext, lottery_id: int, status: str) -> Lottery:
    if status not in LotteryStatus.values:
        raise ValidationFailed(_("Unknown status."), details={"fields": {"status": status}})
    with transaction.atomic():
        lottery = Lottery.objects.select_for_update().filter(pk=lottery_id).first()
        if lottery is None:
            raise NotFound(_("No such lottery."), details={"id": lottery_id})
        if lottery.status != status:
            before = lottery.status
            lottery.status = status
            lottery.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="lottery.pause" if status == LotteryStatus.PAUSED else "lottery.resume",
                target=lottery,
                before={"status": before},
                after={"status": status},
            )
    return lottery


def _running_for(goods_fen: int, when: datetime) -> Lottery | None:
    return (
        Lottery.objects.filter(
            status=LotteryStatus.ACTIVE, starts_at__lte=when, ends_at__gt=when, threshold_fen__lte=goods_fen
        )
        .order_by("-threshold_fen", "-id")
        .first()
    )


def draw_for_order(*, order_id: int) -> Draw | None:
    """The order's one draw: made when it is paid over a running lottery's threshold (goods paid,
    shipping excluded), answered again afterwards. None when the order does not qualify."""
    found = Draw.objects.filter(order_id=order_id).first()
    if found is not None:
        return found
    order = orders.Order.objects.filter(pk=order_id).first()
    if order is None or order.paid_at is None or order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED):
        return None
    lottery = _running_for(order.total_fen - order.shipping_fen, order.paid_at)
    if lottery is None:
        return None
    seed = seed_for(settings.LOTTERY_SECRET, order.number)
    roll = roll_of(seed)
    prizes = list(lottery.prizes.order_by("position", "id"))
    odds = [Odds(prize.pk, prize.basis_points) for prize in prizes]
    picked_id = pick(roll, odds)
    picked = next((p for p in prizes if p.pk == picked_id), None)
    try:
        with transaction.atomic():  # the prize and the log entry together, or neither
            outcome = DrawOutcome.NO_PRIZE
            if picked is not None:
                taken = Prize.objects.filter(pk=picked.pk, awarded__lt=F("quantity")).update(awarded=F("awarded") + 1)
                outcome = DrawOutcome.WON if taken else DrawOutcome.SOLD_OUT
            return Draw.objects.create(
                lottery=lottery,
                order_id=order.pk,
                order_number=order.number,
                customer_id=order.customer_id,
                seed=seed,
                roll=roll,
                odds=[[band.prize_id, band.basis_points] for band in odds],
                picked=picked,
                prize=picked if outcome == DrawOutcome.WON else None,
                prize_name=picked.name if picked is not None else "",
                outcome=outcome,
            )
    except IntegrityError:  # drawn by a parallel call for the same order: answer that draw
        return Draw.objects.filter(order_id=order_id).first()


def on_order_paid(event: OrderPaid) -> None:
    """An order turned paid (inside the payment's transaction): its draw, if it qualifies.

    A draw that fails must not undo the payment: it runs in a savepoint and is logged.
    """
    try:
        with transaction.atomic():
            draw_for_order(order_id=event.order_id)
    except Exception:
        logger.exception("lottery draw for order %s failed", event.number)


__all__ = ["PrizeTerms", "draw_for_order", "lottery_save", "lottery_set_status", "on_order_paid"]
