"""The campaign simulator on a small fixture: three past orders replayed through a 满减 ladder,
with exact GMV, discount cost, margin and tier reach; the command prints the same."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shopkeeper.catalog.models import Sku
from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout.tests.conftest import Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.orders import services as orders
from shopkeeper.pricing.domain.pipeline import LineInput, price_cart
from shopkeeper.promotions import selectors
from shopkeeper.promotions.tests.conftest import MakePromotion, tiers
from shopkeeper.promotions.tests.test_console_and_api import staff_client

pytestmark = pytest.mark.django_db


def _history(shop: Shop, baskets: list[tuple[list[tuple[Sku, int]], int]]) -> None:
    """Past orders: each basket (SKU, units) with how many days ago it was placed."""
    rows = []
    for index, (basket, days_ago) in enumerate(baskets):
        lines = [
            LineInput(key=sku.code, sku_id=sku.pk, title=sku.code, unit_price=Money(sku.sale_price_fen), quantity=qty)
            for sku, qty in basket
        ]
        priced = price_cart(lines, shipping=cart_reads.shipping_table(), region="east")
        rows.append(
            orders.HistoricOrder(
                customer_id=shop.customer.pk,
                priced=priced,
                facts={
                    sku.code: orders.LineFacts(
                        sku_id=sku.pk,
                        product_id=sku.product_id,
                        sku_code=sku.code,
                        title=sku.code,
                        spec_label="",
                        image="",
                    )
                    for sku, _qty in basket
                },
                ship_to=orders.ShipTo("王", "13800138001", "上海市", "上海市", "徐汇区", "路 1 号", "east"),
                placed_at=timezone.now() - timedelta(days=days_ago, minutes=index),
                status="completed",
            )
        )
    orders.orders_bulk_load(rows)


def test_the_simulator_projects_gmv_cost_margin_and_tier_reach(shop: Shop, promote: MakePromotion) -> None:
    ladder = promote("spend_tier", tiers((200, 30), (500, 100)), publish=False, label="满减")
    _history(
        shop,
        [
            ([(shop.cup, 1)], 3),  # ¥59: no tier
            ([(shop.dress, 1), (shop.cup, 1)], 3),  # ¥258: ¥30 off
            ([(shop.dress, 2), (shop.cup, 2)], 3),  # ¥516: ¥100 off
            ([(shop.dress, 5)], 40),  # outside the 30 days
        ],
    )
    result = selectors.campaign_simulate(days=30, promotion_ids=[ladder.pk])
    assert result.orders == 3
    assert result.gmv_before == Money(5900 + 25800 + 51600)
    assert result.discount_cost == Money(3000 + 10000)
    assert result.gmv == Money(5900 + 25800 + 51600 - 13000)
    # cost is a third of the price, in whole fen: dress 6633, cup 1966
    cost = 1966 + (6633 + 1966) + 2 * (6633 + 1966)
    assert result.cost_of_goods == Money(cost)
    assert result.margin == Money(result.gmv.fen - cost)
    reach = {tier.threshold.fen: (tier.orders, tier.share_percent) for tier in result.tiers}
    assert reach == {20000: (2, "66.7"), 50000: (1, "33.3")}
    out = StringIO()
    call_command("campaign_simulate", "--days", "30", "--promotion", str(ladder.pk), stdout=out)
    text = out.getvalue()
    assert "Replayed 3 orders" in text
    assert "¥130.00" in text
    assert "66.7%" in text


def test_the_simulator_refuses_an_unknown_promotion(shop: Shop) -> None:
    from shopkeeper.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.campaign_simulate(days=30, promotion_ids=[404])


def test_a_period_with_more_orders_than_one_replay_reads_is_sampled_evenly(
    shop: Shop, promote: MakePromotion, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the limit the replay takes one order in n across the whole period (not its first
    days), says so, and scales the amounts to the period."""
    from shopkeeper.orders import selectors as order_reads

    ladder = promote("spend_tier", tiers((200, 30), (500, 100)), publish=False, label="满减")
    _history(shop, [([(shop.dress, 1), (shop.cup, 1)], days_ago) for days_ago in range(1, 13)])  # ¥258 each, 12 days
    everything = selectors.campaign_simulate(days=30, promotion_ids=[ladder.pk])
    assert (everything.orders, everything.orders_in_period, everything.sampled_every) == (12, 12, 1)
    assert everything.period_gmv == everything.gmv

    monkeypatch.setattr(order_reads, "PAST_ORDERS_LIMIT", 4)
    sampled = selectors.campaign_simulate(days=30, promotion_ids=[ladder.pk])
    assert (sampled.orders_in_period, sampled.sampled_every) == (12, 3)
    assert sampled.orders == 4  # one order in three
    picked = order_reads.past_orders(since=sampled.since, until=sampled.until).orders
    days = sorted({(timezone.now() - order.placed_at).days for order in picked})
    assert days[-1] - days[0] >= 6  # spread over the period, not its first days
    assert sampled.gmv == Money(4 * (25800 - 3000))
    assert sampled.period_gmv == Money(12 * (25800 - 3000))
    assert sampled.period_discount_cost == Money(12 * 3000)
    out = StringIO()
    call_command("campaign_simulate", "--days", "30", "--promotion", str(ladder.pk), stdout=out)
    assert "one order in 3 of the 12 placed" in out.getvalue()
    page = staff_client("analyst", Role.DATA_ANALYST).get(
        "/console/promotions/simulator/", {"days": "30", "promotions": str(ladder.pk)}
    )
    html = page.content.decode()
    assert 'data-testid="sampled"' in html
    assert "每 3 单取 1 单" in html
    assert "¥2,736.00" in html  # the whole period's projected GMV: 12 × ¥228.00
    response = staff_client("campaign", Role.CAMPAIGN_OPERATOR).post(
        "/api/v1/promotions/simulate", {"days": 30, "promotion_ids": [ladder.pk]}, content_type="application/json"
    )
    body = response.json()
    assert (body["orders"], body["orders_in_period"], body["sampled_every"]) == (4, 12, 3)
    assert body["period_gmv"]["fen"] == 12 * 22800
