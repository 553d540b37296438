"""Reads of lotteries: the console's list and draw log, an order's draw, and re-verifying a draw."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from shopkeeper.promotions.lottery.domain.draw import Odds, draw_verifies
from shopkeeper.promotions.lottery.models import Draw, DrawOutcome, Lottery


def lottery_list() -> QuerySet[Lottery]:
    return Lottery.objects.order_by("-starts_at", "-id").prefetch_related("prizes")


def lottery_get(lottery_id: int) -> Lottery | None:
    return Lottery.objects.filter(pk=lottery_id).prefetch_related("prizes").first()


def draws_of(lottery_id: int) -> QuerySet[Draw]:
    return Draw.objects.filter(lottery_id=lottery_id).select_related("prize").order_by("-drawn_at", "-id")


def draw_of_order(order_id: int) -> Draw | None:
    return Draw.objects.select_related("lottery", "prize").filter(order_id=order_id).first()


def draw_verified(draw: Draw) -> bool:
    """Recompute the draw from the server secret and the order number, with the odds it logged."""
    return draw_verifies(
        secret=settings.LOTTERY_SECRET,
        order_number=draw.order_number,
        seed=draw.seed,
        roll=draw.roll,
        odds=[Odds(int(prize_id), int(points)) for prize_id, points in draw.odds],
        prize_id=draw.picked_id,
    )


@dataclass(frozen=True)
class Counters:
    draws: int
    won: int
    sold_out: int


def lottery_counters(lottery_id: int) -> Counters:
    found = Draw.objects.filter(lottery_id=lottery_id).aggregate(
        draws=Count("id"),
        won=Count("id", filter=Q(outcome=DrawOutcome.WON)),
        sold_out=Count("id", filter=Q(outcome=DrawOutcome.SOLD_OUT)),
    )
    return Counters(draws=found["draws"], won=found["won"], sold_out=found["sold_out"])
