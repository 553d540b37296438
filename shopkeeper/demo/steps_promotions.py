"""Demo step: the promotions running in the demo store — a store-wide 满减 ladder (满200减30,
满500减100), 第2件半价 on one category, free shipping on 3 items, a gift with purchase over ¥300,
member prices on a dozen SKUs (白银 5 %, 黄金 10 %, 铂金 15 % off) — plus one scheduled for next
week and one that ended last month, so the calendar has a history. Each passes the margin guard
(10 % over cost): the products it would sell below that are left out of its scope, as a campaign
operator would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shopkeeper.catalog import selectors as catalog
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.demo.context import DemoContext
from shopkeeper.inventory import selectors as inventory
from shopkeeper.promotions import services as promotions

MARGIN_FLOOR = 10  # percent over cost
# Member prices: percent of the sale price each tier pays (whole yuan, rounded down), on SKUs
# that keep MARGIN_FLOOR at the platinum price.
MEMBER_PRICE_PERCENT = {"silver": 95, "gold": 90, "platinum": 85}
MEMBER_PRICE_SKUS = 12


def _member_prices(ctx: DemoContext) -> dict[str, dict[str, int]]:
    """Tier → SKU id → price for a dozen SKUs between ¥50 and ¥500 with room for the discount."""
    rng = ctx.rng("member-prices")
    lowest = min(MEMBER_PRICE_PERCENT.values())
    roomy = [
        sku
        for sku in catalog.promo_skus_in_scope(limit=2000)
        if 5000 <= sku.sale_price_fen <= 50000
        and sku.sale_price_fen * lowest // 10000 * 100 >= -(-sku.cost_price_fen * (100 + MARGIN_FLOOR) // 100)
    ]
    chosen = sorted(rng.sample(roomy, min(len(roomy), MEMBER_PRICE_SKUS)), key=lambda sku: sku.sku_id)
    return {
        tier: {str(sku.sku_id): sku.sale_price_fen * percent // 10000 * 100 for sku in chosen}
        for tier, percent in MEMBER_PRICE_PERCENT.items()
    }


def _save(actor: ActorContext, data: promotions.PromotionInput) -> Any:
    """Save; when the margin guard refuses, leave the breaching products out and save again."""
    for _attempt in range(3):
        try:
            return promotions.promotion_save(data=data, actor=actor)
        except ValidationFailed as refused:
            breaches = refused.details.get("margin")
            if not breaches:
                raise
            skus = catalog.promo_skus((row["sku_id"] for row in breaches), scenes=False)
            excluded = set(data.scope.get("excluded_product_ids", [])) | {sku.product_id for sku in skus.values()}
            data = promotions.PromotionInput(
                **{**data.__dict__, "scope": {**data.scope, "excluded_product_ids": sorted(excluded)}}
            )
    return promotions.promotion_save(data=data, actor=actor)


def promotions_step(ctx: DemoContext) -> None:
    rng = ctx.rng("promotions")
    operator = User.objects.filter(username="campaign_operator").first()
    actor = ActorContext(user=operator, channel=AuditChannel.CLI)
    now = ctx.now.replace(minute=0, second=0, microsecond=0)
    start, end = now - timedelta(days=3), now + timedelta(days=14)

    def run(name: str, label: str, kind: str, params: dict[str, Any], **extra: Any) -> Any:
        fields: dict[str, Any] = {
            "name": name,
            "label": label,
            "kind": kind,
            "params": params,
            "starts_at": start,
            "ends_at": end,
            "min_margin_percent": MARGIN_FLOOR,
            "publish": True,
        }
        fields.update(extra)
        return _save(actor, promotions.PromotionInput(**fields))

    made = [
        run(
            "双12 全场满减",
            "满200减30 满500减100",
            "spend_tier",
            {"tiers": [{"threshold_fen": 20000, "off_fen": 3000}, {"threshold_fen": 50000, "off_fen": 10000}]},
        ),
        run("3件包邮", "3件包邮", "free_shipping", {"min_items": 3}, min_margin_percent=None),
    ]
    leaves = [c for c in catalog.category_tree() if c.depth > 0]
    rng.shuffle(leaves)
    for category in leaves:
        if catalog.promo_skus_in_scope(category_ids=[category.pk], limit=1):
            made.append(
                run(
                    f"{category.name} 第2件半价",
                    "第2件半价",
                    "nth_item",
                    {"n": 2, "percent_off": 50},
                    scope={"category_ids": [category.pk]},
                )
            )
            break
    cheap = sorted(
        (sku for sku in catalog.promo_skus_in_scope(limit=2000) if 500 <= sku.sale_price_fen <= 5000),
        key=lambda sku: (sku.sale_price_fen, sku.sku_id),
    )
    stocked = inventory.sku_availability(sku.sku_id for sku in cheap[:50]) if cheap else {}
    gift = next((sku for sku in cheap[:50] if stocked.get(sku.sku_id, 0) >= 20), None)
    if gift is not None:
        made.append(
            run(
                "满300送好礼",
                f"满300送{gift.title[:12]}",
                "gift",
                {"threshold_fen": 30000, "gift_sku_id": gift.sku_id, "gift_quantity": 1, "refund_rule": "recover"},
                stacks=True,
                min_margin_percent=None,
            )
        )
    prices = _member_prices(ctx)
    if prices["gold"]:
        made.append(
            run(
                "会员价 · 精选好物",
                "会员价",
                "member_price",
                {"prices": prices},
                scope={"sku_ids": sorted(int(pk) for pk in prices["gold"])},
                stacks=True,
            )
        )
    made.append(
        run(
            "年货节 预热 满300减50",
            "满300减50",
            "spend_tier",
            {"tiers": [{"threshold_fen": 30000, "off_fen": 5000}]},
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=10),
        )
    )
    past = _save(
        actor,
        promotions.PromotionInput(
            name="秋季 满99减10",
            label="满99减10",
            kind="spend_tier",
            params={"tiers": [{"threshold_fen": 9900, "off_fen": 1000}]},
            starts_at=now - timedelta(days=40),
            ends_at=now - timedelta(days=30),
            min_margin_percent=MARGIN_FLOOR,
        ),
    )
    promotions.promotion_end(promotion_id=past.pk, actor=actor)
    ctx.counts["promotions"] += len(made) + 1
