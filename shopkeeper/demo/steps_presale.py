"""The demo's deposit presales: one taking deposits now (some paid, one still to pay), and one
in its balance window (deposits paid earlier, some balances paid, the rest awaiting), bought
and paid through the real services and the sandbox gateway. A handful of orders: fast.
"""

from __future__ import annotations

from datetime import timedelta

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.steps_customers import deliverable_shoppers
from shopkeeper.orders import services as orders
from shopkeeper.payments import services as payments
from shopkeeper.payments.services import sandbox
from shopkeeper.promotions.presale import selectors as presale_reads
from shopkeeper.promotions.presale import services as presales

DAY = timedelta(days=1)


def _pay(order: orders.Order) -> None:
    """Pay what is due (deposit or balance) in the sandbox cashier, then reconcile."""
    url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/")
    sandbox.sandbox_trade_finish(token=url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs())
    payments.payment_sync(reference=order.reference)


def presale_step(ctx: DemoContext) -> None:
    rng = ctx.rng("presale")
    actor = ActorContext.system()
    listed = [sku for sku, _sales in catalog_selectors.listed_skus_with_sales() if sku.sale_price_fen >= 5000]
    costs = catalog_selectors.promo_skus([sku.sku_id for sku in listed])
    # a unit costs 81% of the usual price in all: keep to SKUs with margin left at that price
    fit = [
        sku
        for sku in listed
        if sku.sku_id in costs and costs[sku.sku_id].cost_price_fen * 100 <= sku.sale_price_fen * 70
    ]
    shoppers = deliverable_shoppers()
    if len(fit) < 2 or len(shoppers) < 8:
        return
    chosen = rng.sample(fit, 2)
    people = rng.sample(shoppers, min(len(shoppers), 24))  # some live where the shop does not deliver
    users = {user.pk: user for user in User.objects.filter(pk__in=[p.user_id for p in people])}
    buyers = [(users[p.user_id], customers.address_default(users[p.user_id])) for p in people]
    now = ctx.now
    plans = [
        # (name, deposit window, balance window, when the deposits were taken, deposits, balances)
        ("双11 预售 · 付定金中", (now - DAY, now + 5 * DAY), (now + 6 * DAY, now + 8 * DAY), now, 3, 0),
        ("双11 预售 · 付尾款中", (now - 6 * DAY, now - 2 * DAY), (now - DAY, now + 2 * DAY), now - 4 * DAY, 5, 2),
    ]
    queue = iter(buyers * 2)  # each presale takes the next buyers; a buyer may join both
    for (name, deposits_window, balance_window, taken_at, placed, balances), sku in zip(plans, chosen, strict=True):
        final = sku.sale_price_fen * 90 // 100 // 100 * 100  # whole yuan
        deposit = max(final // 10 // 100 * 100, 100)
        presale = presales.presale_create(
            data=presales.PresaleInput(
                name=f"{name} {sku.title[:30]}",
                sku_id=sku.sku_id,
                final_price_fen=final,
                deposit_fen=deposit,
                deposit_value_fen=min(deposit * 2, final),
                presale_starts_at=deposits_window[0],
                presale_ends_at=deposits_window[1],
                balance_starts_at=balance_window[0],
                balance_ends_at=balance_window[1],
                limit_per_customer=2,
                min_margin_percent=10,
            ),
            actor=actor,
            now=deposits_window[0],  # set up when its deposit window opened
        )
        for index in range(placed):
            order = None
            for customer, address in queue:
                if address is None:
                    continue
                try:
                    order = presales.presale_deposit_place(
                        presale_id=presale.pk,
                        customer=customer,
                        quantity=1,
                        address_id=address.pk,
                        idempotency_key=f"demo-presale-{presale.pk}-{index}",
                        actor=actor,
                        now=taken_at,
                    )
                except ShopkeeperError:
                    continue  # not deliverable there: the next buyer
                break
            if order is None:
                break
            if index == placed - 1 and balances == 0:
                continue  # one deposit still to pay
            _pay(order)
            if index < balances:
                _pay(orders.Order.objects.get(pk=order.pk))
        ctx.counts["presales"] += 1
    for presale in presale_reads.presale_list():
        counters = presale_reads.presale_counters([presale.pk])[presale.pk]
        ctx.counts["presale_deposits_paid"] += counters.deposits_paid
        ctx.counts["presale_balances_paid"] += counters.balances_paid
