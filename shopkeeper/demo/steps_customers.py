"""Demo steps: shoppers with addresses, and the well-known demo customer printed by `make run`;
after the purchase histories, each shopper's membership tier from what they spent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from shopkeeper.core.domain.regions import Region, province_named
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customer_selectors
from shopkeeper.customers import services as customer_services
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.customers import demo_customers
from shopkeeper.orders import selectors as order_selectors

DEMO_PASSWORD = "shopkeeper-demo"  # noqa: S105  (steps.DEMO_PASSWORD; steps imports this module, so not from there)
DEMO_CUSTOMER_MOBILE = "13800138000"
# Membership tiers from demo spend (paid less refunded, over the whole history), in fen: silver
# from ¥1,000, gold from ¥2,500, platinum from ¥5,000. On the small scale about three in four
# shoppers stay regular, one in five is silver, one in twenty gold, and a few are platinum.
TIER_LADDER: list[tuple[str, int]] = [("silver", 100_000), ("gold", 250_000), ("platinum", 500_000)]


def _demo_customer(ctx: DemoContext) -> customer_services.BulkCustomer:
    return customer_services.BulkCustomer(
        mobile=DEMO_CUSTOMER_MOBILE,
        name="林小满",
        nickname="小满",
        registered_at=ctx.now - timedelta(days=min(120, ctx.spec.history_days)),
        channel="小红书",
        addresses=[
            customer_services.BulkAddress(
                recipient="林小满",
                mobile=DEMO_CUSTOMER_MOBILE,
                province="上海市",
                city="上海市",
                district="浦东新区",
                detail="世纪大道100号 环球金融中心 25楼2501室",
            ),
            customer_services.BulkAddress(
                recipient="林建国",
                mobile="13905711234",
                province="浙江省",
                city="杭州市",
                district="西湖区",
                detail="文三路90号 东部软件园 3栋2单元502室",
            ),
        ],
    )


def _rows(ctx: DemoContext) -> Iterator[customer_services.BulkCustomer]:
    yield _demo_customer(ctx)
    shoppers = demo_customers(
        ctx.rng("customers"),
        ctx.spec.customers,
        now=timezone.localtime(ctx.now),
        history_days=ctx.spec.history_days,
        taken=frozenset({DEMO_CUSTOMER_MOBILE}),
    )
    for shopper in shoppers:
        yield customer_services.BulkCustomer(
            mobile=shopper.mobile,
            name=shopper.name,
            nickname=shopper.nickname,
            registered_at=shopper.registered_at,
            channel=shopper.channel,
            addresses=[customer_services.BulkAddress(**vars(address)) for address in shopper.addresses],
        )


def customers_step(ctx: DemoContext) -> None:
    """Customers registered over the scale's history, from weighted channels, with 1–3 addresses each.

    Every demo customer has the demo password (hashed once); 13800138000 is the one to sign in with.
    """
    password_hash = make_password(DEMO_PASSWORD)
    with ctx.bar(total=ctx.spec.customers + 1, label="customers") as bar:
        result = customer_services.customers_bulk_load(
            customers=_rows(ctx), password_hash=password_hash, on_batch=bar.update
        )
    ctx.counts["customers"] += result.customers
    ctx.counts["addresses"] += result.addresses


def tiers_step(ctx: DemoContext) -> None:
    """Every shopper's membership tier from their demo spend (`TIER_LADDER`), as the loyalty
    system will one day do from growth value: one UPDATE per tier, whatever the scale."""
    counts = customer_services.customers_tiers_from_spend(
        spend=order_selectors.customer_spend(), ladder=TIER_LADDER, actor=ActorContext.system()
    )
    for tier, count in counts.items():
        ctx.counts[f"tier_{tier}"] += count


def deliverable_shoppers() -> list[customer_selectors.ShopperFacts]:
    """Demo customers whose default address the demo warehouses serve (the mainland).

    Customers in Hong Kong, Macao and Taiwan browse but cannot have orders: a checkout there is
    refused as not deliverable, as it would be live. Every step that buys for demo customers picks
    from these.
    """
    return [
        shopper
        for shopper in customer_selectors.shoppers_with_default_address()
        if (province := province_named(shopper.province)) is not None and province.region is not Region.HMT
    ]
