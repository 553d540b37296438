"""Concurrent checkout through HTTP: many buyers for fewer units of one SKU, against the raw rate
of the stock decrement statement alone, measured in the same run on the same database.

Builds a throwaway shop (SQLite in a temporary SHOPKEEPER_VAR_DIR, or the database in DATABASE_URL,
which should be a database of its own: the run's buyers and orders stay in it — the claim is about
PostgreSQL), starts `gunicorn --workers N` with production settings (DEBUG
off), gives every buyer a signed-in session and a cart holding one unit, then in each round lets
them all POST /api/v1/shop/checkout at once from a bounded pool of loopback clients. A round uses
a fresh SKU stocked with `--units`; afterwards the script counts orders per SKU (oversold units
must be 0), checks that reserved units equal the orders and that the stock ledger balances.

The baseline: the same number of client threads running only the conditional UPDATE that
reserves a unit (`reserved = reserved + 1 WHERE on_hand - reserved >= 1`, one statement per
transaction) against a stock row with plenty of units.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_checkout .venv/bin/python bench/bench_checkout.py
    [--buyers 500] [--units 200] [--rounds 3] [--concurrency 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_storefront import HOST, ROOT, free_port, log_tail, percentile, server_env, start_gunicorn, stop

CSRF = "benchcheckout" + "x" * 19  # a 32-character CSRF secret, sent as cookie and header


# --- the throwaway shop -------------------------------------------------------------------------


@dataclass
class Buyer:
    user_id: int
    address_id: int
    session_key: str


@dataclass
class Shop:
    warehouse_id: int
    buyers: list[Buyer]
    product_id: int = 0
    skus: list[int] = field(default_factory=list)


def seed(buyers: int, run: str) -> Shop:
    """Buyers with an address and a signed-in session, one warehouse serving Shanghai, one product."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from shopkeeper.catalog.enums import ProductStatus
    from shopkeeper.catalog.models import Brand, Category, Product
    from shopkeeper.core.models import User
    from shopkeeper.core.services import ActorContext
    from shopkeeper.customers import selectors as customer_reads
    from shopkeeper.customers import services as customer_services
    from shopkeeper.inventory import services as stock

    actor = ActorContext.system()
    warehouse = stock.warehouse_create(
        actor=actor, code=f"B{run}".upper(), name=f"华东仓{run}", region="east", provinces=["上海市"]
    )
    mobiles = [f"19{secrets.randbelow(10**9):09d}" for _ in range(buyers)]
    customer_services.customers_bulk_load(
        customers=[
            customer_services.BulkCustomer(
                mobile=mobile,
                name="买家",
                nickname="",
                registered_at=timezone.now(),
                channel="bench",
                addresses=[
                    customer_services.BulkAddress(
                        recipient="买家",
                        mobile=mobile,
                        province="上海市",
                        city="上海市",
                        district="徐汇区",
                        detail="漕溪北路 88 号",
                    )
                ],
            )
            for mobile in mobiles
        ],
        password_hash=make_password(None),
    )
    found: list[Buyer] = []
    by_user = {s.user_id: s for s in customer_reads.shoppers_with_default_address()}
    for user in User.objects.filter(username__in=mobiles):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        address = customer_reads.address_default(user)
        assert address is not None
        assert user.pk in by_user
        found.append(Buyer(user_id=user.pk, address_id=address.pk, session_key=str(session.session_key)))
    brand = Brand.objects.create(name=f"拾光{run}", name_en=f"Shiguang {run}", slug=f"shiguang-{run}")
    category = Category.objects.create(name=f"保温杯{run}", name_en="tumblers", slug=f"tumblers-{run}", depth=0)
    category.path = f"{category.pk}/"
    category.save(update_fields=["path"])
    product = Product.objects.create(
        title=f"316不锈钢保温杯 {run}", brand=brand, category=category, status=ProductStatus.LISTED,
        spec_names=["批次"], min_price_fen=5900, max_price_fen=5900,
    )  # fmt: skip
    return Shop(warehouse_id=warehouse.pk, buyers=found, product_id=product.pk)


def new_round_sku(shop: Shop, units: int, round_number: int, run: str) -> int:
    """A fresh SKU with `units` in stock, and every buyer's cart holding exactly one of it."""
    from shopkeeper.catalog.models import Sku
    from shopkeeper.checkout import services as checkout
    from shopkeeper.checkout.models import CartLine
    from shopkeeper.core.models import User
    from shopkeeper.core.services import ActorContext
    from shopkeeper.inventory import services as stock

    sku = Sku.objects.create(
        product_id=shop.product_id, code=f"BENCH-{run}-{round_number}", spec_values={"批次": str(round_number)},
        cost_price_fen=2000, list_price_fen=5900, sale_price_fen=5900, weight_g=300,
    )  # fmt: skip
    stock.stock_receive(sku_id=sku.pk, warehouse_id=shop.warehouse_id, quantity=units, actor=ActorContext.system())
    users = {user.pk: user for user in User.objects.filter(pk__in=[b.user_id for b in shop.buyers])}
    for buyer in shop.buyers:
        cart = checkout.cart_for_customer(users[buyer.user_id])
        CartLine.objects.filter(cart=cart).delete()
        CartLine.objects.create(cart=cart, sku_id=sku.pk, quantity=1)
    shop.skus.append(sku.pk)
    return sku.pk


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    millis: float
    body: dict[str, Any]


def checkout_request(port: int, buyer: Buyer, key: str) -> Outcome:
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
        connection.request("POST", "/api/v1/shop/checkout", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        status = response.status
    finally:
        connection.close()
    millis = (time.perf_counter() - started) * 1000
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = {"raw": raw[:200].decode(errors="replace")}
    return Outcome(status=status, millis=millis, body=parsed if isinstance(parsed, dict) else {})


def rush(port: int, buyers: Sequence[Buyer], concurrency: int, key: str) -> tuple[list[Outcome], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        outcomes = list(pool.map(lambda buyer: checkout_request(port, buyer, key), buyers))
    return outcomes, time.perf_counter() - started


def raw_decrements(statements: int, concurrency: int, warehouse_id: int, product_id: int, run: str) -> float:
    """Statements per second of the bare conditional UPDATE, `concurrency` threads, autocommit."""
    from django.db import connection, connections

    from shopkeeper.catalog.models import Sku
    from shopkeeper.inventory.models import Stock

    sku = Sku.objects.create(
        product_id=product_id, code=f"BENCH-{run}-raw", spec_values={"批次": "raw"},
        cost_price_fen=2000, list_price_fen=5900, sale_price_fen=5900,
    )  # fmt: skip
    stock = Stock.objects.create(warehouse_id=warehouse_id, sku=sku, on_hand=statements * 2, reserved=0)
    table = Stock._meta.db_table
    sql = f"UPDATE {table} SET reserved = reserved + 1 WHERE id = %s AND on_hand - reserved >= 1"  # noqa: S608
    per_thread = statements // concurrency
    barrier = threading.Barrier(concurrency)
    done: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            with connection.cursor() as cursor:
                for _ in range(per_thread):
                    cursor.execute(sql, [stock.pk])
                    done.append(cursor.rowcount)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    Stock.objects.filter(pk=stock.pk).delete()  # a bench row outside the ledger: leave no trace
    Sku.objects.filter(pk=sku.pk).delete()
    return sum(done) / elapsed


@dataclass
class RoundResult:
    seconds: float
    placed: int
    refused: int
    errors: int
    latencies: list[float]
    oversold: int
    reserved_ok: bool


def check_round(sku_id: int, units: int, outcomes: Sequence[Outcome], seconds: float) -> RoundResult:
    from shopkeeper.inventory import selectors as stock_reads
    from shopkeeper.inventory.models import Stock
    from shopkeeper.orders.models import OrderLine

    placed = sum(o.status == 201 for o in outcomes)
    refused = sum(o.status in (409, 422) for o in outcomes)
    in_db = OrderLine.objects.filter(sku_id=sku_id).count()
    reserved = sum(Stock.objects.filter(sku_id=sku_id).values_list("reserved", flat=True))
    return RoundResult(
        seconds=seconds,
        placed=placed,
        refused=refused,
        errors=len(outcomes) - placed - refused,
        latencies=[o.millis for o in outcomes],
        oversold=max(in_db - units, 0),
        reserved_ok=reserved == in_db == placed and not stock_reads.ledger_imbalances(),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buyers", type=int, default=500)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 4; 1 on SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    var_dir = Path(tempfile.mkdtemp(prefix="shopkeeper-bench-"))
    env = server_env(var_dir)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    own_database = "DATABASE_URL" not in os.environ
    if not args.workers:  # SQLite lets one writer in at a time: more processes only queue on its lock
        args.workers = 1 if connection.vendor == "sqlite" else 4
    run = secrets.token_hex(3)
    server: subprocess.Popen[bytes] | None = None
    shop: Shop | None = None
    results: list[RoundResult] = []
    raw_rates: list[float] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        shop = seed(args.buyers, run)
        print(f"set-up: {args.buyers} buyers signed in, migrated in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)  # fmt: skip
        connection.close()
        port = free_port()
        server_log = var_dir / "gunicorn.log"
        server = start_gunicorn(env, port, server_log, args.workers)
        # Warm-up: every worker loads the app and opens its connection; a round that sells nothing.
        warm = shop.buyers[: args.concurrency * 2]
        rush(port, warm, args.concurrency, key=f"warm-{run}")
        for round_number in range(1, args.rounds + 1):
            sku_id = new_round_sku(shop, args.units, round_number, run)
            connection.close()
            outcomes, seconds = rush(port, shop.buyers, args.concurrency, key=f"{run}-{round_number}")
            if not any(o.status == 201 for o in outcomes):
                print(f"no order placed; first answers: {[o.body for o in outcomes[:3]]}\n{log_tail(server_log)}",
                      file=sys.stderr)  # fmt: skip
                return 1
            results.append(check_round(sku_id, args.units, outcomes, seconds))
            raw_rates.append(raw_decrements(args.buyers * 4, args.concurrency, shop.warehouse_id, shop.product_id,
                                            f"{run}{round_number}"))  # fmt: skip
    finally:
        if server is not None:
            stop(server)
        if args.keep:
            print(f"kept: {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    orders_per_s = statistics.median(r.placed / r.seconds for r in results)
    answers_per_s = statistics.median(len(r.latencies) / r.seconds for r in results)
    latencies = [m for r in results for m in r.latencies]
    raw = statistics.median(raw_rates)
    oversold = sum(r.oversold for r in results)
    vendor = f"{connection.vendor} {'(temporary file)' if own_database else '(DATABASE_URL)'}"
    print(f"\n## Concurrent checkout over HTTP: {args.buyers} buyers for {args.units} units, gunicorn --workers "
          f"{args.workers}\n")  # fmt: skip
    print(f"{vendor}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}; "
          f"{args.concurrency} concurrent clients on loopback; median of {args.rounds} rounds after a warm-up; "
          f"a fresh SKU each round.\n")  # fmt: skip
    print("| measure | value |")
    print("|---|---:|")
    rows: list[tuple[str, Callable[[], str]]] = [
        ("orders placed per round (must equal the units)", lambda: " / ".join(str(r.placed) for r in results)),
        ("refused as sold out per round", lambda: " / ".join(str(r.refused) for r in results)),
        ("other answers (errors)", lambda: str(sum(r.errors for r in results))),
        ("**oversold units**", lambda: f"**{oversold}**"),
        ("reserved = orders, ledger balanced", lambda: "yes" if all(r.reserved_ok for r in results) else "**NO**"),
        ("completed orders per second (median)", lambda: f"{orders_per_s:,.0f}"),
        ("checkout answers per second (placed + refused)", lambda: f"{answers_per_s:,.0f}"),
        (
            "checkout latency p50 / p99 ms",
            lambda: f"{percentile(latencies, 0.5):,.0f} / {percentile(latencies, 0.99):,.0f}",
        ),
        ("raw conditional UPDATE alone, statements/s (baseline)", lambda: f"{raw:,.0f}"),
        ("orders per second as a share of the raw statement", lambda: f"{orders_per_s / raw:.1%}"),
    ]
    for name, value in rows:
        print(f"| {name} | {value()} |")
    return 0 if oversold == 0 and all(r.reserved_ok and r.placed == args.units for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
