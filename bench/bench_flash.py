"""Flash sale (秒杀) through HTTP: 2,000 attempts for 100 units from many customers at once, with
the Redis gate and with the database gate, against a production-style server.

Builds a throwaway shop the way `bench_checkout.py` does (SQLite in a temporary SHOPKEEPER_VAR_DIR,
or the database in DATABASE_URL, which should be a database of its own: the run's customers and
orders stay in it): 500 customers with a Shanghai address and a signed-in session each. Then, for
each gate, a fresh SKU with 200 units in stock, a live flash sale whose session runs now with a pool
of 100 and a limit of 1 per customer, and `gunicorn --workers N` (DEBUG off) started with or without
REDIS_URL. Every customer makes 4 attempts (`POST /api/v1/shop/flash/{item}/attempts`, each with
its own idempotency key), 2,000 in all, shuffled, from a bounded pool of loopback clients.

Afterwards it checks the database: flash orders for the SKU = the pool exactly (never more), no
customer with more orders or units than the limit, the item's taken units = the pool. The rate
limit per address is lifted for the run (every client is 127.0.0.1); the one per customer (5 in
10 s) stays on and is not reached by 4 attempts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_flash REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/bench_flash.py [--customers 500] [--attempts 2000] [--units 100]
        [--concurrency 32] [--workers 4] [--gates redis,db]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench_checkout import CSRF, Buyer, Shop, seed
from bench_storefront import HOST, ROOT, free_port, log_tail, percentile, server_env, start_gunicorn, stop


@dataclass
class Outcome:
    status: int
    millis: float
    code: str


def attempt_request(port: int, item_id: int, buyer: Buyer, key: str) -> Outcome:
    body = json.dumps({"address_id": buyer.address_id, "idempotency_key": key})
    headers = {
        "Content-Type": "application/json",
        "Cookie": f"sessionid={buyer.session_key}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Accept-Language": "zh-hans",
    }
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("POST", f"/api/v1/shop/flash/{item_id}/attempts", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        status = response.status
    finally:
        connection.close()
    millis = (time.perf_counter() - started) * 1000
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {}
    code = parsed.get("code", "") if isinstance(parsed, dict) else ""
    return Outcome(status=status, millis=millis, code=str(code))


def new_flash_item(shop: Shop, units: int, stock: int, limit: int, run: str, gate: str) -> tuple[int, int]:
    """A fresh SKU stocked with `stock` units and a live flash sale running now over it."""
    from django.utils import timezone

    from shopkeeper.catalog.models import Sku
    from shopkeeper.core.domain.money import Money
    from shopkeeper.core.services import ActorContext
    from shopkeeper.inventory import services as inventory
    from shopkeeper.promotions.flash import services as flash

    actor = ActorContext.system()
    sku = Sku.objects.create(
        product_id=shop.product_id, code=f"FLASH-{run}-{gate}", spec_values={"批次": f"flash-{gate}"},
        cost_price_fen=2000, list_price_fen=5900, sale_price_fen=5900, weight_g=300,
    )  # fmt: skip
    inventory.stock_receive(sku_id=sku.pk, warehouse_id=shop.warehouse_id, quantity=stock, actor=actor)
    now = timezone.now()
    sale = flash.flash_sale_save(actor=actor, name=f"压测秒杀 {run} {gate}")
    # The session runs from now: a draft sale takes items whenever its session starts, and going
    # live sets the pool aside in stock.
    session = flash.flash_session_save(
        actor=actor, sale_id=sale.pk, starts_at=now - timedelta(seconds=1), ends_at=now + timedelta(hours=2),
    )  # fmt: skip
    item = flash.flash_item_save(
        actor=actor, session_id=session.pk, sku_id=sku.pk, sale_price=Money(3900), pool=units,
        per_customer_limit=limit, now=now,
    )  # fmt: skip
    flash.flash_sale_set_status(actor=actor, sale_id=sale.pk, status="live")
    return item.pk, sku.pk


@dataclass
class Result:
    gate: str
    seconds: float
    outcomes: list[Outcome]
    orders: int
    units_taken: int
    most_per_customer: int
    limit_held: bool

    @property
    def rate(self) -> float:
        return len(self.outcomes) / self.seconds

    @property
    def latencies(self) -> list[float]:
        return [o.millis for o in self.outcomes]


def check(gate: str, item_id: int, sku_id: int, limit: int, outcomes: list[Outcome], seconds: float) -> Result:
    from django.db.models import Count, Max, Sum

    from shopkeeper.orders.models import OrderLine
    from shopkeeper.promotions.flash.models import FlashItem, FlashQuota

    lines = OrderLine.objects.filter(sku_id=sku_id, order__kind="flash")
    per_customer = lines.values("order__customer_id").annotate(units=Sum("quantity"), orders=Count("order_id"))
    most = max((max(row["units"], row["orders"]) for row in per_customer), default=0)
    quota_max = FlashQuota.objects.filter(item_id=item_id).aggregate(top=Max("taken"))["top"] or 0
    return Result(
        gate=gate,
        seconds=seconds,
        outcomes=outcomes,
        orders=lines.count(),
        units_taken=FlashItem.objects.get(pk=item_id).sold,
        most_per_customer=most,
        limit_held=most <= limit and quota_max <= limit,
    )


def run_gate(
    gate: str, args: argparse.Namespace, shop: Shop, base_env: dict[str, str], var_dir: Path, run: str
) -> Result:
    from django.db import connection

    item_id, sku_id = new_flash_item(shop, args.units, args.units * 2, args.limit, run, gate)
    env = dict(base_env)
    if gate == "db":
        env.pop("REDIS_URL", None)
    connection.close()
    port = free_port()
    log = var_dir / f"gunicorn-{gate}.log"
    server = start_gunicorn(env, port, log, args.workers)
    try:
        per_customer = max(1, args.attempts // len(shop.buyers))
        plan = [(buyer, f"{run}-{gate}-{n}") for buyer in shop.buyers for n in range(per_customer)][: args.attempts]
        random.Random(7).shuffle(plan)
        # Warm-up: every worker loads the app and opens its connections (the listing, no writes).
        for _ in range(args.workers * 3):
            connection_ = http.client.HTTPConnection(HOST, port, timeout=30)
            connection_.request("GET", "/api/v1/shop/flash")
            connection_.getresponse().read()
            connection_.close()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            outcomes = list(pool.map(lambda step: attempt_request(port, item_id, step[0], step[1]), plan))
        seconds = time.perf_counter() - started
    finally:
        stop(server)
    if not any(o.status == 201 for o in outcomes):
        print(f"no attempt admitted ({Counter(o.status for o in outcomes)})\n{log_tail(log)}", file=sys.stderr)
    return check(gate, item_id, sku_id, args.limit, outcomes, seconds)


def raw_gates(statements: int, concurrency: int, shop: Shop, run: str) -> dict[str, float]:
    """Admissions per second of each gate alone, `concurrency` threads, no HTTP and no order: the
    Lua script against a seeded item, and the database's conditional UPDATE (autocommit)."""
    import threading

    from django.db import connection, connections

    from shopkeeper.promotions.flash import gate
    from shopkeeper.promotions.flash.models import FlashItem

    item_id, _sku = new_flash_item(shop, 1, 2, 1, run, "raw")
    FlashItem.objects.filter(pk=item_id).update(pool=statements * 2)  # plenty: every call admits
    table = FlashItem._meta.db_table
    sql = f"UPDATE {table} SET sold = sold + 1 WHERE id = %s AND sold + 1 <= pool"  # noqa: S608
    per_thread = statements // concurrency
    rates: dict[str, float] = {}

    def timed(work: Any) -> float:
        barrier = threading.Barrier(concurrency)
        done: list[int] = []

        def worker(index: int) -> None:
            try:
                barrier.wait()
                done.append(work(index))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / (time.perf_counter() - started)

    def database(index: int) -> int:
        with connection.cursor() as cursor:
            for _ in range(per_thread):
                cursor.execute(sql, [item_id])
        return per_thread

    rates["db"] = timed(database)
    if gate.enabled():
        gate.seed(item_id=item_id, left=statements * 2, taken={}, ttl_seconds=3600, force=True)

        def lua(index: int) -> int:
            for n in range(per_thread):
                gate.admit(item_id=item_id, customer_id=index * per_thread + n + 1, quantity=1, limit=1)
            return per_thread

        rates["redis"] = timed(lua)
        gate.forget(item_id)
    return rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--limit", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 4; 1 on SQLite)")
    parser.add_argument(
        "--gates", default="", help="comma-separated: redis,db (default: redis when REDIS_URL is set, and db)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    gates = [g for g in (args.gates or ("redis,db" if os.environ.get("REDIS_URL") else "db")).split(",") if g]
    if "redis" in gates and not os.environ.get("REDIS_URL"):
        print("the redis gate needs REDIS_URL", file=sys.stderr)
        return 2

    var_dir = Path(tempfile.mkdtemp(prefix="shopkeeper-bench-flash-"))
    env = server_env(var_dir)
    env["FLASH_ATTEMPTS_PER_IP"] = str(10**7)  # every client is 127.0.0.1
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    own_database = "DATABASE_URL" not in os.environ
    if not args.workers:
        args.workers = 1 if connection.vendor == "sqlite" else 4
    run = secrets.token_hex(3)
    results: list[Result] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        shop = seed(args.customers, run)
        print(f"set-up: {args.customers} customers signed in in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for gate in gates:
            results.append(run_gate(gate, args, shop, env, var_dir, run))
        raw = raw_gates(args.attempts, 16, shop, run)
        load = os.getloadavg()
    finally:
        if args.keep:
            print(f"kept: {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    vendor = f"{connection.vendor} {'(temporary file)' if own_database else '(DATABASE_URL)'}"
    print(f"\n## Flash sale over HTTP: {args.attempts:,} attempts for {args.units} units, "
          f"{args.customers} customers, limit {args.limit}, gunicorn --workers {args.workers}\n")  # fmt: skip
    print(f"{vendor}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}; "
          f"{args.concurrency} concurrent clients on loopback; load average {load[0]:.1f} / {load[1]:.1f} "
          "(1 / 5 min) at the end.\n")  # fmt: skip
    names = {"redis": "Redis gate (Lua)", "db": "database gate"}
    print("| measure | " + " | ".join(names[r.gate] for r in results) + " |")
    print("|---|" + "---:|" * len(results))

    def row(label: str, values: list[str]) -> None:
        print(f"| {label} | " + " | ".join(values) + " |")

    row("attempts answered", [f"{len(r.outcomes):,}" for r in results])
    row("attempts per second", [f"{r.rate:,.0f}" for r in results])
    row(
        "latency p50 / p99 ms",
        [f"{percentile(r.latencies, 0.5):,.0f} / {percentile(r.latencies, 0.99):,.0f}" for r in results],
    )
    row("admitted (201, an order placed)", [str(sum(o.status == 201 for o in r.outcomes)) for r in results])
    row("refused: sold out / limit reached (409)", [
        f"{sum(o.code == 'conflict' and o.status == 409 for o in r.outcomes):,}" for r in results])  # fmt: skip
    row("rate limited (429)", [str(sum(o.status == 429 for o in r.outcomes)) for r in results])
    row("other answers (errors)", [str(sum(o.status not in (201, 200, 409, 429) for o in r.outcomes)) for r in results])
    row("**flash orders = units sold (must be the pool)**", [f"**{r.orders}**" for r in results])
    row("units taken on the item", [str(r.units_taken) for r in results])
    row("most units or orders of one customer (limit)", [f"{r.most_per_customer} ({args.limit})" for r in results])
    row(
        "the gate alone, admissions/s (16 threads, no HTTP)",
        [f"{raw[r.gate]:,.0f}" if r.gate in raw else "—" for r in results],
    )
    ok = all(r.orders == r.units_taken == args.units and r.limit_held for r in results)
    for r in results:
        assert r.orders == args.units, f"{r.gate}: {r.orders} flash orders for {args.units} units"
        assert r.units_taken == args.units, f"{r.gate}: item shows {r.units_taken} taken"
        assert r.limit_held, f"{r.gate}: a customer got more than the limit"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
