"""Demo step: shipments for the demo orders, and each warehouse's daily capacity.

Orders already shipped, delivered or completed get their parcels as they happened (carrier,
tracking number in the carrier's format, shipped and delivered times from the order's timeline),
written in bulk; orders paid and allocated but not shipped open their shipments through the real
service (one per warehouse holding their units), so the warehouse queue has work. Capacity is set
to half again a normal day of each warehouse (the mean over the last four weeks), which is what a
warehouse staffs for: the surge drill then shows a 3× campaign building a backlog.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from shopkeeper.core.services import ActorContext
from shopkeeper.demo.context import DemoContext
from shopkeeper.fulfillment import selectors as fulfilment_reads
from shopkeeper.fulfillment import services as fulfilment
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import selectors as order_reads

SHIPPED = ("shipped", "delivered", "completed")
BATCH = 2000
CAPACITY_DAYS = 28
CAPACITY_HEADROOM = 1.5  # a warehouse staffs for half again its normal day
MIN_CAPACITY = 5
CARRIER_WEIGHTS = {"SF": 30, "ZTO": 25, "YTO": 20, "JD": 15, "EMS": 10}


def _tracking_number(code: str, serial: int, rng: random.Random) -> str:
    digits = f"{serial:09d}"
    if code == "SF":
        return f"SF{rng.randrange(100, 999)}{digits}"
    if code == "ZTO":
        return f"7{rng.randrange(10, 99)}{digits}"
    if code == "YTO":
        return f"YT{rng.randrange(1000, 9999)}{digits}"
    if code == "JD":
        return f"JDV{rng.randrange(1000, 9999)}{digits}"
    return f"E{chr(65 + rng.randrange(26))}{digits}CN"


def fulfillment_step(ctx: DemoContext) -> None:
    actor = ActorContext.system()
    rng = ctx.rng("fulfillment")
    warehouses = list(inventory.warehouse_list(active_only=True))
    if not warehouses:
        return
    serving = {province: w.pk for w in reversed(warehouses) for province in (w.provinces or [])}
    fallback = warehouses[0].pk
    carriers = {c.code: c.pk for c in fulfilment_reads.carriers(active_only=True) if c.code in CARRIER_WEIGHTS}
    codes = list(carriers)
    weights = [CARRIER_WEIGHTS[code] for code in codes]
    hours = fulfilment.dispatch_hours()
    serial = 0
    after = 0
    bar = ctx.bar(total=order_reads.orders_count_in(statuses=SHIPPED), label="parcels (shipped orders)")
    while True:
        batch = order_reads.orders_for_fulfilment(statuses=SHIPPED, after_id=after, limit=BATCH)
        if not batch:
            break
        after = batch[-1].pk
        bar.update(len(batch))
        times = order_reads.order_timeline_times(order_ids=[o.pk for o in batch], kinds=("ship", "deliver"))
        rows: list[fulfilment.HistoricShipment] = []
        for order in batch:
            if order.paid_at is None:
                continue
            shipped_at = times.get((order.pk, "ship"), order.paid_at + timedelta(hours=12))
            delivered_at = times.get((order.pk, "deliver")) if order.status != "shipped" else None
            code = rng.choices(codes, weights)[0] if codes else ""
            serial += 1
            rows.append(
                fulfilment.HistoricShipment(
                    order_id=order.pk,
                    order_number=order.number,
                    customer_id=order.customer_id,
                    warehouse_id=serving.get(order.province, fallback),
                    reference=order.reference,
                    status="delivered" if delivered_at else "shipped",
                    opened_at=order.paid_at,
                    dispatch_deadline=order.paid_at + timedelta(hours=hours),
                    recipient=order.recipient,
                    province=order.province,
                    city=order.city,
                    lines=[
                        (line.sku_id or 0, line.sku_code, line.title, line.spec_label, line.quantity)
                        for line in order.lines.all()
                    ],
                    carrier_id=carriers.get(code),
                    tracking_no=_tracking_number(code, serial, rng) if code else "",
                    shipped_at=shipped_at,
                    delivered_at=delivered_at,
                )
            )
        ctx.counts["shipments"] += fulfilment.shipments_bulk_load(rows)
    bar.close()
    after = 0
    while True:
        waiting = order_reads.orders_for_fulfilment(statuses=("allocated",), after_id=after, limit=BATCH)
        if not waiting:
            break
        after = waiting[-1].pk
        for order in waiting:
            ctx.counts["shipments"] += len(
                fulfilment.shipments_open(order_id=order.pk, actor=actor, start=order.paid_at or ctx.now)
            )
    _capacity(ctx, warehouses, actor)


def _capacity(ctx: DemoContext, warehouses: Sequence[Any], actor: ActorContext) -> None:
    arrivals = fulfilment_reads.daily_arrivals(days=CAPACITY_DAYS, today=ctx.now.date())
    for warehouse in warehouses:
        pk = int(warehouse.pk)
        mean = sum(arrivals.get(pk, [])) / CAPACITY_DAYS
        capacity = max(MIN_CAPACITY, math.ceil(mean * CAPACITY_HEADROOM))
        fulfilment.capacity_set(warehouse_id=pk, orders_per_day=capacity, actor=actor)


__all__ = ["fulfillment_step"]
