"""The demo's flash sales: one sale with a session running now and one later today over a few
demo SKUs (a flash price 30% off, never below cost), and a few grabs in the running session —
one paid, two awaiting payment — so the counters and the product-page panel have something to
show. Putting the sale live sets each item's pool aside in stock, so the inventory console shows
it reserved under `flash:item:<id>` and the grabs' orders take their units from it. A handful of
orders: fast.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.core.domain.money import Money
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.steps_customers import deliverable_shoppers
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import services as orders
from shopkeeper.payments import services as payments
from shopkeeper.payments.services import sandbox
from shopkeeper.promotions.flash import services as flash

ITEMS_PER_SESSION = 3
POOL = 20


def _pay(order: orders.Order) -> None:
    url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/")
    sandbox.sandbox_trade_finish(token=url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs())
    payments.payment_sync(reference=order.reference)


def flash_step(ctx: DemoContext) -> None:
    rng = ctx.rng("flash")
    actor = ActorContext.system()
    listed = [sku for sku, _sales in catalog_selectors.listed_skus_with_sales() if sku.sale_price_fen >= 2000]
    if len(listed) < 2 * ITEMS_PER_SESSION:
        return
    candidates = rng.sample(listed, min(len(listed), 40))
    stock = inventory.sku_availability(sku.sku_id for sku in candidates)
    costs = catalog_selectors.promo_skus(sku.sku_id for sku in candidates)
    chosen = [sku for sku in candidates if stock.get(sku.sku_id, 0) >= POOL * 2][: 2 * ITEMS_PER_SESSION]
    if len(chosen) < 2 * ITEMS_PER_SESSION:
        return
    sale = flash.flash_sale_save(actor=actor, name="限时秒杀 · 每日好价")
    ctx.counts["flash_sales"] += 1
    local = timezone.localtime(ctx.now)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    later = ctx.now + min(timedelta(hours=2), (midnight - local) / 2)  # still today, however late
    windows = [
        (ctx.now - timedelta(minutes=30), ctx.now + timedelta(hours=2)),  # running now
        (later, later + timedelta(hours=1)),  # later today (other SKUs: the times may overlap)
    ]
    running_items = []
    for index, (starts_at, ends_at) in enumerate(windows):
        before = starts_at - timedelta(minutes=1)  # set up as an operator would, ahead of the start
        session = flash.flash_session_save(
            actor=actor, sale_id=sale.pk, starts_at=starts_at, ends_at=ends_at, now=before
        )
        for sku in chosen[index * ITEMS_PER_SESSION : (index + 1) * ITEMS_PER_SESSION]:
            cost = costs[sku.sku_id].cost_price_fen
            price = max(sku.sale_price_fen * 70 // 100, cost + 1)
            if price >= sku.sale_price_fen:
                continue
            item = flash.flash_item_save(
                actor=actor, session_id=session.pk, sku_id=sku.sku_id, sale_price=Money(price), pool=POOL,
                per_customer_limit=rng.choice([1, 2]), now=before,
            )  # fmt: skip
            ctx.counts["flash_items"] += 1
            if index == 0:
                running_items.append(item)
    flash.flash_sale_set_status(actor=actor, sale_id=sale.pk, status="live")
    shoppers = deliverable_shoppers()
    if not running_items or len(shoppers) < 3:
        return
    people = rng.sample(shoppers, 3)
    users = {user.pk: user for user in User.objects.filter(pk__in=[p.user_id for p in people])}
    for position, person in enumerate(people):
        user = users[person.user_id]
        address = customers.address_default(user)
        if address is None:
            continue
        item = running_items[position % len(running_items)]
        done = flash.flash_attempt(
            item_id=item.pk, customer=user, address_id=address.pk, idempotency_key=f"demo-flash-{position}",
            actor=actor, now=ctx.now,
        )  # fmt: skip
        ctx.counts["flash_orders"] += 1
        if position == 0:
            _pay(orders.Order.objects.get(number=done.order_number))
