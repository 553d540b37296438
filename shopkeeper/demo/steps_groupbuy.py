"""The demo's group buys: two running campaigns with groups in every state — formed (orders
released), open with seats left (one member still to pay), and failed (members refunded) —
bought and paid through the real services and the sandbox gateway. A handful of orders: fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.steps_customers import deliverable_shoppers
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import services as orders
from shopkeeper.payments import services as payments
from shopkeeper.payments.services import sandbox
from shopkeeper.promotions.groupbuy import selectors as groupbuy_reads
from shopkeeper.promotions.groupbuy import services as groupbuy

# (title suffix, size, hours, virtual completion, share of the price off)
CAMPAIGNS = [("3人团", 3, 24, False, 30), ("2人团 · 可虚拟成团", 2, 12, True, 20)]


def _order(order_id: int | None) -> orders.Order:
    assert order_id is not None  # a real member's seat always has its order
    return orders.Order.objects.get(pk=order_id)


def _pay(order: orders.Order) -> None:
    """Pay in the sandbox cashier, then reconcile with the gateway (no web server needed)."""
    url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/")
    sandbox.sandbox_trade_finish(token=url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs())
    payments.payment_sync(reference=order.reference)


def _open(queue: Iterator[tuple[User, int]], *, groupbuy_id: int, key: str, actor: ActorContext) -> Any:
    """The next buyer who can open a group (some live where no warehouse delivers)."""
    for user, address_id in queue:
        try:
            return groupbuy.group_open(
                groupbuy_id=groupbuy_id, customer=user, address_id=address_id, idempotency_key=key, actor=actor
            )
        except ShopkeeperError:
            continue
    return None


def _join(queue: Iterator[tuple[User, int]], *, share_code: str, key: str, actor: ActorContext) -> Any:
    for user, address_id in queue:
        try:
            return groupbuy.group_join(
                share_code=share_code, customer=user, address_id=address_id, idempotency_key=key, actor=actor
            )
        except ShopkeeperError:
            continue
    return None


def groupbuy_step(ctx: DemoContext) -> None:
    rng = ctx.rng("groupbuy")
    actor = ActorContext.system()
    listed = [sku for sku, _sales in catalog_selectors.listed_skus_with_sales() if sku.sale_price_fen >= 2000]
    candidates = rng.sample(listed, min(len(listed), 50))  # a sample: large scales list 80,000 SKUs
    stocked = inventory.sku_availability(sku.sku_id for sku in candidates)
    # the group price must stay above cost (the store default margin floor): the deepest cut must fit
    costs = {pk: sku.cost_price_fen for pk, sku in catalog_selectors.promo_skus(stocked, scenes=False).items()}
    deepest = max(off for *_terms, off in CAMPAIGNS)
    candidates = [
        sku
        for sku in candidates
        if stocked.get(sku.sku_id, 0) >= 10 and sku.sale_price_fen * (100 - deepest) // 100 >= costs.get(sku.sku_id, 0)
    ]
    shoppers = deliverable_shoppers()
    if len(candidates) < len(CAMPAIGNS) or len(shoppers) < 12:
        return
    chosen = candidates[: len(CAMPAIGNS)]
    people = rng.sample(shoppers, min(len(shoppers), 40))
    users = {user.pk: user for user in User.objects.filter(pk__in=[p.user_id for p in people])}
    addresses = {p.user_id: customers.address_default(users[p.user_id]) for p in people}
    queue = iter([(users[p.user_id], address.pk) for p in people if (address := addresses[p.user_id]) is not None])
    for (suffix, size, hours, virtual, off), sku in zip(CAMPAIGNS, chosen, strict=True):
        price = Money(sku.sale_price_fen * (100 - off) // 100)
        campaign = groupbuy.groupbuy_save(
            actor=actor,
            sku_id=sku.sku_id,
            title=f"{sku.title[:40]} {suffix}",
            group_price=price,
            group_size=size,
            time_limit_hours=hours,
            per_customer_limit=1,
            starts_at=ctx.now - timedelta(days=2),
            ends_at=ctx.now + timedelta(days=12),
            virtual_completion=virtual,
            virtual_max_missing=1 if virtual else 0,
        )
        ctx.counts["group_buys"] += 1
        # formed: every seat paid; open: the leader paid, a member still to pay; expired: time ran
        # out with only the leader paid (it fails and refunds, or forms with a virtual member)
        for plan in ("formed", "open", "expired"):
            leader = _open(queue, groupbuy_id=campaign.pk, key=f"demo-{campaign.pk}-{plan}", actor=actor)
            if leader is None:
                return
            group = leader.group
            _pay(_order(leader.order_id))
            joiners = size - 1 if plan == "formed" else (1 if plan == "open" and size > 2 else 0)
            for index in range(joiners):
                joined = _join(queue, share_code=group.share_code, key=f"demo-{group.pk}-{index}", actor=actor)
                if joined is None:
                    return
                if plan == "formed":
                    _pay(_order(joined.order_id))
            if plan == "expired":
                group.refresh_from_db()
                groupbuy.group_expire(group_id=group.pk, now=group.expires_at + timedelta(seconds=1))
            group.refresh_from_db()
            ctx.counts[f"groups_{group.state}"] += 1
    ctx.counts["group_members_paid"] = groupbuy_reads.groupbuy_counters().members
