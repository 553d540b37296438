"""The pure promotions engine: pricing a 20-line cart against 200 active promotions and 5 coupons,
and the campaign simulator's carts per second on one core.

No database: a deterministic synthetic catalog (400 SKUs over 40 categories and 20 brands, with
costs) and a deterministic rule set built from a seeded random generator:

* 200 promotions: 120 item level (percent off, fixed off, 2nd item half price, buy X get Y,
  bundles, member prices; scoped to a category, a brand, a few products or the whole store; a
  third of them stacking, a third with a margin floor), 50 order level (spend ladders, repeating
  reductions, gifts) and 30 free-shipping rules;
* 5 coupons (amount off with a threshold, percent off with a cap, free shipping).

Cases, interleaved round by round after a warm-up, each the median time per cart:

* **pipeline, no promotions** (the baseline): `pricing.domain.pipeline.price_cart` on the same cart;
* **engine, no rules**: `price_promoted` with an empty rule set (the engine's own overhead);
* **engine, 200 promotions + 5 coupons**: `price_promoted` with every rule running (target ≤ 2 ms);
* **simulator**: `simulate` over 2,000 past-style carts (1–6 lines) through a 12-rule campaign, and
  through the full 205-rule set: carts per second on one core (target ≥ 5,000/s for the campaign).

Prints a Markdown table and a line naming the machine.

    .venv/bin/python bench/bench_promotions.py [--rounds 15] [--carts 2000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shopkeeper.core.domain.money import Money  # noqa: E402
from shopkeeper.pricing.domain.pipeline import LineInput, ShippingRate, ShippingTable, Wording, price_cart  # noqa: E402
from shopkeeper.promotions.domain.base import CartItem, Gift, Rule, Scope, Shopper  # noqa: E402
from shopkeeper.promotions.domain.engine import price_promoted  # noqa: E402
from shopkeeper.promotions.domain.rules import (  # noqa: E402
    Bundle,
    BuyXGetY,
    CouponDiscount,
    FixedOff,
    Floor,
    FreeShipping,
    GiftWithPurchase,
    MemberPrice,
    NthItem,
    PercentOff,
    SpendTier,
    Tier,
)
from shopkeeper.promotions.domain.simulator import Projection, SimCart, simulate  # noqa: E402

SEED = 20261212
SKUS = 400
CATEGORIES = 40
BRANDS = 20
SHIPPING = ShippingTable(
    default=ShippingRate(Money(1000), free_over=Money(9900)), regions={"xinjiang": ShippingRate(Money(2500))}
)
WORDING = Wording()


class Common(TypedDict):
    rule_id: str
    label: str
    scope: Scope
    stacks: bool
    floor: Floor


def catalog(rng: random.Random) -> dict[int, tuple[CartItem, Money]]:
    found: dict[int, tuple[CartItem, Money]] = {}
    for sku in range(1, SKUS + 1):
        price = rng.randrange(990, 59_900, 10)
        category = 1 + sku % CATEGORIES
        item = CartItem(
            key=f"SKU{sku:04d}",
            sku_id=sku,
            product_id=(sku + 1) // 2,
            brand_id=1 + rng.randrange(BRANDS),
            category_ids=frozenset({category, 100 + category // 10}),  # the category and its parent
            scene_ids=frozenset({rng.randrange(8)}),
            cost=Money(price * rng.randrange(35, 70) // 100),
        )
        found[sku] = (item, Money(price))
    return found


def yuan(n: int) -> Money:
    return Money(n * 100)


def promotions(rng: random.Random) -> list[Rule]:
    rules: list[Rule] = []

    def scope() -> Scope:
        pick = rng.randrange(10)
        if pick == 0:
            return Scope()
        if pick < 5:
            return Scope(category_ids=frozenset({1 + rng.randrange(CATEGORIES)}))
        if pick < 8:
            return Scope(brand_ids=frozenset({1 + rng.randrange(BRANDS)}))
        return Scope(product_ids=frozenset(rng.randrange(1, SKUS // 2) for _ in range(5)))

    def common(index: int) -> Common:
        return Common(
            rule_id=f"promo:{index:03d}",
            label=f"促销{index}",
            scope=scope(),
            stacks=rng.random() < 0.33,
            floor=Floor(min_margin_percent=10) if rng.random() < 0.33 else Floor(),
        )

    for index in range(120):
        c = common(index)
        kind = index % 6
        if kind == 0:
            rules.append(PercentOff(percent_off=rng.choice((5, 10, 15, 20)), **c))
        elif kind == 1:
            rules.append(FixedOff(off_per_unit=yuan(rng.choice((5, 10, 20))), **c))
        elif kind == 2:
            rules.append(NthItem(n=2, percent_off=50, **c))
        elif kind == 3:
            rules.append(BuyXGetY(buy=rng.choice((1, 2)), get=1, **c))
        elif kind == 4:
            skus = tuple(sorted(rng.sample(range(1, SKUS + 1), 2)))
            rules.append(Bundle(sku_ids=skus, price=yuan(rng.randrange(50, 300)), **c))
        else:
            prices = {"gold": {s: yuan(rng.randrange(5, 300)) for s in rng.sample(range(1, SKUS + 1), 30)}}
            rules.append(MemberPrice(prices=prices, **c))
    for index in range(120, 170):
        c = common(index)
        kind = index % 3
        if kind == 0:
            low = rng.randrange(100, 300)
            rules.append(SpendTier(tiers=(Tier(yuan(low), yuan(low // 10)), Tier(yuan(low * 3), yuan(low // 2))), **c))
        elif kind == 1:
            rules.append(
                SpendTier(repeat_every=yuan(100), repeat_off=yuan(rng.choice((5, 10, 15))), repeat_cap=yuan(200), **c)
            )
        else:
            gift = Gift(sku_id=1 + rng.randrange(SKUS), quantity=1, label=f"赠品{index}")
            rules.append(GiftWithPurchase(threshold=yuan(rng.randrange(100, 800)), gift=gift, **c))
    for index in range(170, 200):
        c = common(index)
        rules.append(FreeShipping(over=yuan(rng.randrange(39, 199)), min_items=rng.choice((None, 2, 3)), **c))
    return rules


def coupons() -> list[Rule]:
    return [
        CouponDiscount(rule_id="coupon:1", label="满100减20", kind="amount", amount=yuan(20), threshold=yuan(100)),
        CouponDiscount(rule_id="coupon:2", label="满300减50", kind="amount", amount=yuan(50), threshold=yuan(300)),
        CouponDiscount(rule_id="coupon:3", label="9折券", kind="percent", percent_off=10, cap=yuan(80)),
        CouponDiscount(rule_id="coupon:4", label="免邮券", kind="free_shipping"),
        CouponDiscount(
            rule_id="coupon:5",
            label="品牌券",
            kind="amount",
            amount=yuan(30),
            threshold=yuan(150),
            scope=Scope(brand_ids=frozenset({3})),
        ),
    ]


def campaign() -> list[Rule]:
    """A realistic proposed campaign for the simulator: 12 rules."""
    return [
        SpendTier(
            rule_id="c:01", label="满200减30 满500减100", tiers=(Tier(yuan(200), yuan(30)), Tier(yuan(500), yuan(100)))
        ),
        SpendTier(
            rule_id="c:02",
            label="每满100减10",
            repeat_every=yuan(100),
            repeat_off=yuan(10),
            repeat_cap=yuan(50),
            scope=Scope(category_ids=frozenset({101})),
        ),
        PercentOff(rule_id="c:03", label="8折", percent_off=20, scope=Scope(category_ids=frozenset({5})), stacks=True),
        PercentOff(rule_id="c:04", label="9折", percent_off=10, scope=Scope(brand_ids=frozenset({7}))),
        NthItem(rule_id="c:05", label="第二件半价", n=2, percent_off=50, scope=Scope(category_ids=frozenset({12}))),
        BuyXGetY(
            rule_id="c:06",
            label="买一送一",
            buy=1,
            get=1,
            scope=Scope(category_ids=frozenset({20})),
            floor=Floor(min_margin_percent=5),
        ),
        FixedOff(
            rule_id="c:07", label="直降10元", off_per_unit=yuan(10), scope=Scope(brand_ids=frozenset({2})), stacks=True
        ),
        GiftWithPurchase(
            rule_id="c:08", label="满300赠", threshold=yuan(300), gift=Gift(sku_id=1, quantity=1, label="帆布袋")
        ),
        FreeShipping(rule_id="c:09", label="满59包邮", over=yuan(59)),
        FreeShipping(rule_id="c:10", label="3件包邮", min_items=3),
        CouponDiscount(rule_id="c:11", label="满100减20", kind="amount", amount=yuan(20), threshold=yuan(100)),
        CouponDiscount(rule_id="c:12", label="9折券", kind="percent", percent_off=10, cap=yuan(50)),
    ]


def cart_of(rng: random.Random, skus: dict[int, tuple[CartItem, Money]], lines: int) -> SimCart:
    chosen = rng.sample(sorted(skus), lines)
    found = []
    items = {}
    for sku in chosen:
        item, price = skus[sku]
        found.append(
            LineInput(
                key=item.key, sku_id=sku, title=f"商品{sku}", unit_price=price, quantity=rng.choice((1, 1, 1, 2, 3))
            )
        )
        items[item.key] = item
    return SimCart(
        lines=tuple(found),
        items=items,
        region=rng.choice((None, "xinjiang")),
        shopper=Shopper(customer_id=1, tier=rng.choice((None, "gold"))),
    )


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--carts", type=int, default=2000)
    parser.add_argument("--per-round", type=int, default=20, help="carts priced per case per round")
    args = parser.parse_args()
    rng = random.Random(SEED)
    skus = catalog(rng)
    rules = promotions(rng) + coupons()
    carts = [cart_of(rng, skus, 20) for _ in range(args.per_round)]
    past = [cart_of(rng, skus, rng.randint(1, 6)) for _ in range(args.carts)]
    proposed = campaign()

    def pipeline(cart: SimCart) -> object:
        return price_cart(cart.lines, shipping=SHIPPING, region=cart.region, wording=WORDING)

    def engine_with(rule_set: list[Rule]) -> Callable[[SimCart], object]:
        def run(cart: SimCart) -> object:
            return price_promoted(
                cart.lines,
                items=cart.items,
                rules=rule_set,
                shipping=SHIPPING,
                region=cart.region,
                shopper=cart.shopper,
                wording=WORDING,
            )

        return run

    cases: list[tuple[str, Callable[[SimCart], object]]] = [
        ("pipeline, no promotions (baseline)", pipeline),
        ("engine, no rules", engine_with([])),
        ("engine, 200 promotions + 5 coupons", engine_with(rules)),
    ]
    applied = [
        len(
            price_promoted(
                c.lines,
                items=c.items,
                rules=rules,
                shipping=SHIPPING,
                region=c.region,
                shopper=c.shopper,
                wording=WORDING,
            ).applied
        )
        for c in carts
    ]
    wall: dict[str, list[float]] = {name: [] for name, _ in cases}
    cpu: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _name, run in cases:  # warm-up
        for cart in carts[:3]:
            run(cart)
    for round_ in range(args.rounds):
        order = cases if round_ % 2 == 0 else list(reversed(cases))
        for name, run in order:
            for cart in carts:
                start, start_cpu = time.perf_counter(), time.process_time()
                run(cart)
                cpu[name].append(time.process_time() - start_cpu)
                wall[name].append(time.perf_counter() - start)

    def carts_per_second(rule_set: list[Rule]) -> tuple[float, float, Projection]:
        wall_times, cpu_times = [], []
        projection = simulate(past[:50], rule_set, SHIPPING)  # warm-up
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            projection = simulate(past, rule_set, SHIPPING)
            cpu_times.append(time.process_time() - start_cpu)
            wall_times.append(time.perf_counter() - start)
        return len(past) / statistics.median(wall_times), len(past) / statistics.median(cpu_times), projection

    simulated = {
        "no rules (baseline)": (0, *carts_per_second([])),
        "12-rule campaign": (12, *carts_per_second(proposed)),
        "all 200 promotions + 5 coupons": (205, *carts_per_second(rules)),
    }

    base_wall = statistics.median(wall[cases[0][0]])
    base_cpu = statistics.median(cpu[cases[0][0]])
    print(
        "| case | cart | rules | carts timed | median ms per cart (wall) | p95 ms (wall) "
        "| median ms per cart (CPU) | vs pipeline (CPU) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, _ in cases:
        values = sorted(wall[name])
        rule_count = 205 if "200" in name else 0
        p95 = values[max(0, int(len(values) * 0.95) - 1)] * 1000
        cpu_median = statistics.median(cpu[name])
        print(
            f"| {name} | 20 lines | {rule_count} | {len(values)} | {median_ms(values):.3f} | {p95:.3f} | "
            f"{cpu_median * 1000:.3f} | {cpu_median / base_cpu:.1f}× |"
        )
    print()
    print(
        "| simulator | carts (1–6 lines) | rules | carts/s (wall, median of 3) | carts/s (CPU, median of 3) "
        "| vs no rules (CPU) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    base_rate = simulated["no rules (baseline)"][2]
    for name, (count, wall_rate, cpu_rate, _) in simulated.items():
        ratio = "1.0×" if not count else f"{base_rate / cpu_rate:.1f}× slower"
        print(f"| {name} | {len(past)} | {count} | {wall_rate:,.0f} | {cpu_rate:,.0f} | {ratio} |")
    print()
    projection = simulated["12-rule campaign"][3]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(
        f"Python {platform.python_version()}; code at {commit} plus the working tree; {os.cpu_count()} CPUs "
        f"(shared, noisy; load average {os.getloadavg()[0]:.1f} at the end); {platform.platform()}; one process, "
        f"one core; {args.rounds} interleaved rounds of {len(carts)} carts per case after a warm-up (pipeline "
        f"baseline {base_wall * 1000:.3f} ms wall); rules that changed a 20-line cart's price: median "
        f"{statistics.median(applied):.0f}; the campaign's projection: {projection.orders} orders, GMV "
        f"{projection.gmv}, discount cost {projection.discount_cost}, margin {projection.margin}."
    )


if __name__ == "__main__":
    main()
