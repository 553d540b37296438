"""The demo's after-sales: every closed (fully refunded) demo order gets the refunded return
application that explains it, and a few percent of recently delivered orders have an
application under way (awaiting review, some overdue; approved; return on its way), plus some
refused and cancelled ones, so the desk's queue and the refund rates show real figures.

Written in bulk through `aftersales.services.applications_bulk_load`; deterministic from
`ctx.rng("aftersales")`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from shopkeeper.aftersales import services as aftersales
from shopkeeper.demo.context import DemoContext
from shopkeeper.orders import selectors as order_reads

OPEN_SHARE = 0.04  # of delivered orders still inside the after-sales window
PAST_SHARE = 0.015  # of older delivered orders: refused or withdrawn applications
REASONS = ["wrong_size", "wrong_size", "quality", "not_as_described", "damaged", "not_wanted", "wrong_item"]
REFUSALS = ["商品已使用，影响二次销售", "超出售后范围，已电话沟通", "图片无法证明质量问题"]
CARRIERS = [("顺丰", "SF"), ("中通", "ZTO"), ("圆通", "YTO")]


def aftersales_step(ctx: DemoContext) -> None:
    rng = ctx.rng("aftersales")
    rows: list[aftersales.HistoricApplication] = []
    window = timedelta(days=settings.AFTERSALES_WINDOW_DAYS)
    after_id = 0
    statuses = ["closed", "delivered", "completed"]
    bar = ctx.bar(total=order_reads.orders_count_in(statuses=statuses), label="after-sales (delivered orders)")
    while True:
        batch = order_reads.orders_for_fulfilment(statuses=statuses, after_id=after_id)
        if not batch:
            break
        after_id = batch[-1].pk
        bar.update(len(batch))
        times = order_reads.order_timeline_times(order_ids=[o.pk for o in batch], kinds=["deliver", "close"])
        for order in batch:
            lines = list(order.lines.all())
            delivered = times.get((order.pk, "deliver"))
            if not lines or delivered is None:
                continue
            if order.status == "closed":
                closed = times.get((order.pk, "close")) or delivered + timedelta(days=3)
                applied = delivered + (closed - delivered) / 3
                reason = rng.choice(REASONS)
                for line in lines:
                    rows.append(
                        aftersales.HistoricApplication(
                            order_id=order.pk,
                            line_id=line.pk,
                            customer_id=order.customer_id,
                            kind="return_refund",
                            status="refunded",
                            stage="delivered",
                            reason=reason,
                            quantity=line.quantity,
                            amount_fen=line.total_fen,
                            created_at=applied,
                            decided_at=applied + timedelta(hours=rng.randrange(1, 20)),
                            decision_note="同意退货",
                            return_carrier=CARRIERS[0][0],
                            return_tracking_no=f"SF{rng.randrange(10**11, 10**12)}",
                            refund_key=f"{order.reference}:refund:history",
                            refunded_at=closed,
                        )
                    )
                continue
            line = rng.choice(lines)
            recent = ctx.now - delivered < window
            if recent and rng.random() < OPEN_SHARE:
                applied = min(delivered + timedelta(hours=rng.randrange(2, 100)), ctx.now - timedelta(minutes=20))
                status = rng.choice(["applied", "applied", "approved", "return_shipped"])
                if status == "applied" and rng.random() < 0.3:
                    applied = ctx.now - timedelta(hours=rng.randrange(25, 60))  # overdue for review
                    applied = max(applied, delivered)
                carrier, prefix = rng.choice(CARRIERS)
                kind = rng.choice(["return_refund", "return_refund", "exchange"])
                rows.append(
                    aftersales.HistoricApplication(
                        order_id=order.pk,
                        line_id=line.pk,
                        customer_id=order.customer_id,
                        kind=kind,
                        status=status,
                        stage="delivered",
                        reason=rng.choice(REASONS),
                        quantity=1,
                        amount_fen=0 if kind == "exchange" else line.total_fen // line.quantity,
                        created_at=applied,
                        decided_at=None if status == "applied" else applied + timedelta(hours=rng.randrange(1, 20)),
                        decision_note="" if status == "applied" else "请寄回商品",
                        return_carrier=carrier if status == "return_shipped" else "",
                        return_tracking_no=f"{prefix}{rng.randrange(10**11, 10**12)}"
                        if status == "return_shipped"
                        else "",
                    )
                )
            elif not recent and rng.random() < PAST_SHARE:
                applied = delivered + timedelta(hours=rng.randrange(2, 100))
                refused = rng.random() < 0.6
                rows.append(
                    aftersales.HistoricApplication(
                        order_id=order.pk,
                        line_id=line.pk,
                        customer_id=order.customer_id,
                        kind="return_refund",
                        status="refused" if refused else "cancelled",
                        stage="delivered",
                        reason=rng.choice(REASONS),
                        quantity=1,
                        amount_fen=line.total_fen // line.quantity,
                        created_at=applied,
                        decided_at=applied + timedelta(hours=rng.randrange(1, 20)),
                        decision_note=rng.choice(REFUSALS) if refused else "",
                    )
                )
    bar.close()
    written = aftersales.applications_bulk_load(rows)
    ctx.counts["after-sales applications"] += written
