"""Staff lottery endpoints at /api/v1/lotteries (read only): lotteries with their prizes and
counters, and a lottery's draw log with each draw re-verified. Set-up is in the console.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shopkeeper.core.errors import NotFound
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import VIEW_LOTTERIES
from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.promotions.lottery import selectors
from shopkeeper.promotions.lottery.models import Lottery

router = Router(tags=["lotteries (staff)"])


class PrizeOut(Schema):
    id: int
    name: str
    basis_points: int = Field(..., description="The chance in basis points: 100 = 1%")
    quantity: int
    awarded: int


class LotteryOut(Schema):
    id: int
    title: str
    threshold: MoneyOut
    starts_at: datetime
    ends_at: datetime
    status: str
    prizes: list[PrizeOut]
    draws: int
    won: int
    sold_out: int


class DrawOut(Schema):
    order_number: str
    drawn_at: datetime
    seed: str = Field(..., description="HMAC-SHA256(server secret, order number), hex")
    roll: int = Field(..., description="int(seed[:16], 16) % 10000")
    odds: list[list[int]] = Field(..., description="[prize id, basis points] in band order, as at draw time")
    outcome: str = Field(..., description="won, no_prize or sold_out")
    prize: str
    verified: bool = Field(..., description="The seed, roll and outcome recompute from the secret and the order number")


def _out(lottery: Lottery) -> LotteryOut:
    counters = selectors.lottery_counters(lottery.pk)
    return LotteryOut(
        id=lottery.pk,
        title=lottery.title,
        threshold=money_out(lottery.threshold_fen),
        starts_at=lottery.starts_at,
        ends_at=lottery.ends_at,
        status=lottery.status,
        prizes=[
            PrizeOut(id=p.pk, name=p.name, basis_points=p.basis_points, quantity=p.quantity, awarded=p.awarded)
            for p in lottery.prizes.all()
        ],
        draws=counters.draws,
        won=counters.won,
        sold_out=counters.sold_out,
    )


@router.get("", response=list[LotteryOut], summary="Lotteries, newest first, with prizes and counters")
@requires(VIEW_LOTTERIES, api=True)
def lottery_list(request: HttpRequest) -> list[LotteryOut]:
    return [_out(lottery) for lottery in selectors.lottery_list()[:200]]


@router.get("/{lottery_id}/draws", response=list[DrawOut], summary="A lottery's draw log, newest first, re-verified")
@requires(VIEW_LOTTERIES, api=True)
def lottery_draws(request: HttpRequest, lottery_id: int, limit: int = 100) -> list[DrawOut]:
    if selectors.lottery_get(lottery_id) is None:
        raise NotFound("No such lottery.", details={"id": lottery_id})
    draws = list(selectors.draws_of(lottery_id)[: max(1, min(limit, 500))])
    return [
        DrawOut(
            order_number=d.order_number,
            drawn_at=d.drawn_at,
            seed=d.seed,
            roll=d.roll,
            odds=[[int(a), int(b)] for a, b in d.odds],
            outcome=d.outcome,
            prize=d.prize_name,
            verified=selectors.draw_verified(d),
        )
        for d in draws
    ]
