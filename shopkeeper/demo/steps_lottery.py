"""The demo's spend-threshold lottery: "满50抽奖" running now with three prizes; orders paid after
it (the group buy step's) draw through the real service."""

from __future__ import annotations

from datetime import timedelta

from shopkeeper.core.domain.money import Money
from shopkeeper.core.services import ActorContext
from shopkeeper.demo.context import DemoContext
from shopkeeper.promotions.lottery import services as lottery
from shopkeeper.promotions.lottery.services import PrizeTerms

PRIZES = [
    PrizeTerms("品牌帆布袋", 1500, 30),  # 15.00%
    PrizeTerms("¥10 无门槛券", 3000, 200),  # 30.00%
    PrizeTerms("定制保温杯", 200, 2),  # 2.00%
]


def lottery_step(ctx: DemoContext) -> None:
    lottery.lottery_save(
        actor=ActorContext.system(),
        title="满50抽奖 · 店庆",
        threshold=Money(5000),
        starts_at=ctx.now - timedelta(days=1),
        ends_at=ctx.now + timedelta(days=13),
        prizes=PRIZES,
    )
    ctx.counts["lotteries"] += 1
