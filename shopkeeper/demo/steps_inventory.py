"""The demo's inventory: four regional warehouses and opening stock for every demo SKU.

Each SKU's catalog quantity is spread over one to four warehouses (East China holds the most),
written in bulk with one receipt per line so the ledger balances. Safety stocks are set below
the stock, except for about one SKU in fifty, which starts under it so low-stock alerts show.
"""

from __future__ import annotations

import random

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.core.domain.regions import Region, provinces_in
from shopkeeper.core.services import ActorContext
from shopkeeper.demo.context import DemoContext
from shopkeeper.inventory import services as inventory_services


def _names(*regions: Region) -> list[str]:
    return [province.name for region in regions for province in provinces_in(region)]


# 华中 (Central) has no warehouse of its own: its orders go to the nearest region that can fill them.
WAREHOUSES = [
    inventory_services.WarehouseSpec("EAST-SH", "华东仓", Region.EAST, _names(Region.EAST), "上海市", 1),
    inventory_services.WarehouseSpec("SOUTH-GZ", "华南仓", Region.SOUTH, _names(Region.SOUTH), "广州市", 2),
    inventory_services.WarehouseSpec(
        "NORTH-BJ", "华北仓", Region.NORTH, _names(Region.NORTH, Region.NORTHEAST), "北京市", 3
    ),
    inventory_services.WarehouseSpec(
        "SOUTHWEST-CD", "西南仓", Region.SOUTHWEST, _names(Region.SOUTHWEST, Region.NORTHWEST), "成都市", 4
    ),
]
SHARE_WEIGHTS = (5, 3, 2, 1)  # how much of a SKU each warehouse tends to hold, East first
UNDER_SAFETY = 0.02


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    if parts == 1:
        return [total]
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def inventory_step(ctx: DemoContext) -> None:
    """Warehouses, then each SKU's quantity spread over them with its opening receipt."""
    rng = ctx.rng("inventory")
    actor = ActorContext.system()
    inventory_services.warehouses_ensure(specs=WAREHOUSES, actor=actor)
    codes = [spec.code for spec in WAREHOUSES]
    lines: list[inventory_services.OpeningLine] = []
    for sku in catalog_selectors.sku_refs():
        if sku.catalog_quantity <= 0:
            continue  # sold out everywhere: no stock line
        count = rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0]
        chosen = sorted(set(rng.choices(codes, weights=SHARE_WEIGHTS, k=count)), key=codes.index)
        under = rng.random() < UNDER_SAFETY
        for code, on_hand in zip(chosen, _split(rng, sku.catalog_quantity, len(chosen)), strict=True):
            safety = on_hand + rng.randint(3, 15) if under else min(20, on_hand // 4)
            lines.append(inventory_services.OpeningLine(code, sku.id, on_hand, safety))
            under = False  # one line per such SKU is enough to show the alert
    inventory_services.stock_open(lines=lines, actor=actor, reason="期初入库", reference="demo:opening", at=ctx.now)
