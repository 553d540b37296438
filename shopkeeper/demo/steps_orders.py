"""Demo step: purchase histories over the scale's history — orders with their lines, timelines,
payments and refunds, stock held for the orders still in flight, reviews of delivered lines, and
each product's units sold counted from those orders (so "N sold" and best sellers are true)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.catalog import services as catalog_services
from shopkeeper.checkout import selectors as checkout_selectors
from shopkeeper.core.domain.money import Money
from shopkeeper.core.domain.regions import province_named
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customer_selectors
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.orders import Buyer, Item, OrderSpec, order_history
from shopkeeper.demo.domain.reviews import REVIEW_SHARE, review_rating, review_text
from shopkeeper.demo.steps_customers import deliverable_shoppers
from shopkeeper.inventory import services as inventory_services
from shopkeeper.orders import services as order_services
from shopkeeper.payments import services as payment_services
from shopkeeper.pricing.domain.pipeline import LineInput, ShippingTable, price_cart

IN_FLIGHT = ("pending_payment", "paid", "allocated")
SOLD = ("paid", "allocated", "shipped", "delivered", "completed")
BATCH = 2000  # orders per bulk insert
BUYERS_PER_CHUNK = 5000  # buyers whose histories are built and stored at a time


def _clamp(moment: datetime, now: datetime) -> datetime:
    return min(moment, now - timedelta(seconds=30))


def _timeline(ctx: DemoContext, spec: OrderSpec, *, buyer_mobile: str) -> dict[str, datetime | None]:
    """When each step happened, consistent with the order's status and never in the future.
    Seeded by the buyer's mobile, not their id: ids are whatever the database hands out (on
    PostgreSQL a rolled-back load still spends its sequence numbers), so a seed must not hang on them."""
    rng = ctx.rng(f"timeline:{buyer_mobile}:{spec.placed_at.isoformat()}")
    times: dict[str, datetime | None] = dict.fromkeys(
        ("paid_at", "shipped_at", "delivered_at", "completed_at", "cancelled_at", "closed_at")
    )
    if spec.status == "cancelled":
        times["cancelled_at"] = _clamp(spec.placed_at + timedelta(minutes=30), ctx.now)
        return times
    if spec.status == "pending_payment":
        return times
    paid = _clamp(spec.placed_at + timedelta(minutes=spec.pay_after_minutes, seconds=rng.randrange(5, 50)), ctx.now)
    times["paid_at"] = paid
    order = ("paid", "allocated", "shipped", "delivered", "completed")
    reached = order.index(spec.status) if spec.status in order else len(order) - 1
    if spec.status == "closed":
        reached = order.index("delivered")
    if reached >= order.index("shipped"):
        times["shipped_at"] = _clamp(paid + timedelta(hours=rng.randrange(4, 40)), ctx.now)
    if reached >= order.index("delivered"):
        shipped = times["shipped_at"] or paid
        times["delivered_at"] = _clamp(shipped + timedelta(hours=rng.randrange(20, 80)), ctx.now)
    if spec.status == "completed":
        delivered = times["delivered_at"] or paid
        times["completed_at"] = _clamp(delivered + timedelta(days=7), ctx.now)
    if spec.status == "closed":
        delivered = times["delivered_at"] or paid
        times["closed_at"] = _clamp(delivered + timedelta(days=rng.randrange(2, 7)), ctx.now)
    return times


def orders_step(ctx: DemoContext) -> None:
    """Stream the histories a chunk of buyers at a time, so memory stays flat at any scale.

    The seeded sources are shared across chunks, so the data is the same as one pass over
    everyone would make (the chunk size changes nothing but memory).
    """
    shoppers = {shopper.user_id: shopper for shopper in deliverable_shoppers()}
    listed = catalog_selectors.listed_skus_with_sales()
    if not shoppers or not listed:
        return
    skus = {sku.sku_id: sku for sku, _sales in listed}
    items = [Item(sku_id=sku.sku_id, price_fen=sku.sale_price_fen, popularity=sales + 1) for sku, sales in listed]
    buyers = [Buyer(user_id=s.user_id, registered_at=s.registered_at) for s in shoppers.values()]
    history = _History(
        ctx=ctx,
        shoppers=shoppers,
        skus=skus,
        shipping=checkout_selectors.shipping_table(),
        trades=ctx.rng("trades"),
        reviews=ctx.rng("reviews"),
    )
    orders_rng = ctx.rng("orders")
    with ctx.bar(total=len(buyers), label="orders (buyers)") as bar:
        for start in range(0, len(buyers), BUYERS_PER_CHUNK):
            chunk = buyers[start : start + BUYERS_PER_CHUNK]
            specs = order_history(
                orders_rng, buyers=chunk, items=items, now=ctx.now, history_days=ctx.spec.history_days
            )
            history.load([history.row(spec) for spec in specs])
            bar.update(len(chunk))
    catalog_services.products_sales_set(
        {product_id: history.sold.get(product_id, 0) for product_id in _all_products(listed)}
    )


@dataclass
class _History:
    """Turns order specs into stored orders, payments, refunds, held stock and reviews, chunk by chunk."""

    ctx: DemoContext
    shoppers: dict[int, customer_selectors.ShopperFacts]
    skus: dict[int, catalog_selectors.SaleSku]
    shipping: ShippingTable
    trades: random.Random
    reviews: random.Random
    sold: Counter[int] = field(default_factory=Counter)

    def row(self, spec: OrderSpec) -> order_services.HistoricOrder:
        skus = self.skus
        shopper = self.shoppers[spec.user_id]
        province = province_named(shopper.province)
        region = province.region.value if province else None
        lines = [
            LineInput(
                key=skus[sku_id].sku_code,
                sku_id=sku_id,
                title=skus[sku_id].title,
                unit_price=Money(skus[sku_id].sale_price_fen),
                quantity=quantity,
            )
            for sku_id, quantity in spec.lines
        ]
        facts = {
            skus[sku_id].sku_code: order_services.LineFacts(
                sku_id=sku_id,
                product_id=skus[sku_id].product_id,
                sku_code=skus[sku_id].sku_code,
                title=skus[sku_id].title,
                spec_label=skus[sku_id].spec_label,
                image=skus[sku_id].image,
            )
            for sku_id, _quantity in spec.lines
        }
        return order_services.HistoricOrder(
            customer_id=spec.user_id,
            priced=price_cart(lines, shipping=self.shipping, region=region),
            facts=facts,
            ship_to=order_services.ShipTo(
                recipient=shopper.recipient,
                mobile=shopper.mobile,
                province=shopper.province,
                city=shopper.city,
                district=shopper.district,
                detail=shopper.detail,
                region=region or "",
            ),
            placed_at=spec.placed_at,
            status=spec.status,
            channel=shopper.channel,
            trade_no=f"{spec.placed_at:%Y%m%d}22001{self.trades.randrange(10**15):015d}",
            **_timeline(self.ctx, spec, buyer_mobile=shopper.mobile),
        )

    def load(self, rows: list[order_services.HistoricOrder]) -> None:
        loaded: list[order_services.LoadedOrder] = []
        for start in range(0, len(rows), BATCH):
            loaded += order_services.orders_bulk_load(rows[start : start + BATCH])
        payment_services.payments_bulk_record(
            [
                payment_services.PaidRecord(
                    reference=order.reference,
                    amount_fen=order.total_fen,
                    paid_at=order.paid_at,
                    trade_no=row.trade_no,
                    customer_id=order.customer_id,
                    subject=f"订单 {order.number}",
                    refunded_at=order.closed_at,
                )
                for order, row in zip(loaded, rows, strict=True)
                if order.paid_at is not None and order.total_fen > 0
            ]
        )
        order_services.order_refunds_bulk_record(loaded)
        _hold_stock(self.ctx, loaded, rows)
        _reviews(self.ctx, loaded, self.shoppers, self.reviews)
        for order in loaded:
            if order.status in SOLD:
                for line in order.lines:
                    self.sold[line.product_id] += line.quantity
        self.ctx.counts["orders"] += len(loaded)
        self.ctx.counts["order_lines"] += sum(len(order.lines) for order in loaded)


def _all_products(listed: list[tuple[catalog_selectors.SaleSku, int]]) -> set[int]:
    return {sku.product_id for sku, _sales in listed}


def _hold_stock(
    ctx: DemoContext, loaded: list[order_services.LoadedOrder], rows: list[order_services.HistoricOrder]
) -> None:
    """Orders not yet shipped hold their units in the warehouses, as live orders do."""
    actor = ActorContext.system()
    for order, row in zip(loaded, rows, strict=True):
        if order.status not in IN_FLIGHT:
            continue
        lines = [inventory_services.ReserveLine(sku_id=line.sku_id, quantity=line.quantity) for line in order.lines]
        try:
            inventory_services.stock_reserve(
                reference=order.reference, lines=lines, province=row.ship_to.province, actor=actor
            )
        except ShopkeeperError:
            # The demo sold what the warehouses no longer hold: the default warehouse received a
            # restock (a receipt in the ledger, like any delivery), then the order holds its units.
            restock = inventory_services.warehouse_default(actor=actor)
            for line in lines:
                inventory_services.stock_receive(
                    sku_id=line.sku_id,
                    warehouse_id=restock.pk,
                    quantity=line.quantity,
                    actor=actor,
                    reference=f"demo-restock:{order.number}:{line.sku_id}",
                    reason="补货",
                )
            inventory_services.stock_reserve(
                reference=order.reference, lines=lines, province=row.ship_to.province, actor=actor
            )
            ctx.counts["restocked_for_orders"] += 1


def _reviews(
    ctx: DemoContext,
    loaded: list[order_services.LoadedOrder],
    shoppers: dict[int, customer_selectors.ShopperFacts],
    rng: random.Random,
) -> None:
    past: list[catalog_services.PastReview] = []
    for order in loaded:
        if order.delivered_at is None or order.closed_at is not None:
            continue
        for line in order.lines:
            if rng.random() >= REVIEW_SHARE:
                continue
            rating = review_rating(rng)
            posted = _clamp(order.delivered_at + timedelta(hours=rng.randrange(2, 24 * 7)), ctx.now)
            past.append(
                catalog_services.PastReview(
                    order_line_key=f"order-line:{line.line_id}",
                    product_id=line.product_id,
                    sku_id=line.sku_id or None,
                    author_id=order.customer_id,
                    author_name=shoppers[order.customer_id].display_name,
                    rating=rating,
                    text=review_text(rng, rating),
                    posted_at=posted,
                )
            )
    catalog_services.reviews_bulk_load(past)
    ctx.counts["reviews"] += len(past)
