"""Storefront throughput: the product page and the product list API served by gunicorn, against
/healthz as the baseline measured in the same run.

Builds a throwaway database (SQLite in a temporary SHOPKEEPER_VAR_DIR, or DATABASE_URL when set)
with ~2,000 listed products, starts `gunicorn --workers 2` on a free loopback port with production
settings (DEBUG off), drives it with a bounded thread pool of plain http.client requests, prints a
Markdown table and stops gunicorn.

    .venv/bin/python bench/bench_storefront.py [--products 2000] [--requests 2000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

ADJECTIVES = ["法式", "复古", "简约", "韩版", "宽松", "修身", "高腰", "轻薄", "加厚", "通勤", "百搭", "国风"]
MATERIALS = ["纯棉", "真丝", "羊绒", "亚麻", "醋酸", "莫代尔", "天丝", "羊毛"]
SUFFIXES = ["2025新款", "春夏款", "秋冬款", "小个子", "显瘦", "大码", "送礼", "家用"]
CATEGORIES: dict[tuple[str, str], list[tuple[str, str, list[str]]]] = {
    ("服饰", "apparel"): [
        ("连衣裙", "dresses", ["连衣裙", "吊带裙", "衬衫裙"]),
        ("上衣", "tops", ["衬衫", "T恤", "针织开衫", "卫衣"]),
        ("外套", "coats", ["风衣", "羊绒大衣", "牛仔外套", "羽绒服"]),
    ],
    ("家居", "home"): [
        ("床品", "bedding", ["四件套", "蚕丝被", "乳胶枕"]),
        ("香薰", "fragrance", ["香薰蜡烛", "扩香石", "无火香薰"]),
        ("收纳", "storage", ["收纳盒", "衣物收纳袋", "桌面置物架"]),
    ],
    ("美妆", "beauty"): [
        ("护肤", "skincare", ["精华液", "保湿面霜", "洁面乳"]),
        ("彩妆", "makeup", ["口红", "气垫粉底", "眼影盘"]),
    ],
    ("食品", "food"): [
        ("咖啡茶饮", "coffee-tea", ["挂耳咖啡", "冷萃咖啡液", "乌龙茶"]),
        ("零食", "snacks", ["每日坚果", "牛肉干", "手工曲奇"]),
    ],
}
BRANDS = [("拾光", "Shiguang"), ("栖木", "Qimu"), ("山茶集", "Camellia"), ("白鹿", "Bailu"), ("半亩", "Banmu")]
SCENES = [("通勤穿搭", "office"), ("周末露营", "camping"), ("居家好物", "home-living"), ("送礼推荐", "gifts")]
COLOURS = ["雾霾蓝", "燕麦白", "樱花粉", "墨黑", "驼色"]
SIZES = ["S", "M", "L", "XL"]


# --- the throwaway shop -------------------------------------------------------------------------


def server_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SHOPKEEPER_VAR_DIR=str(var_dir),
        DEBUG="false",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        LOG_LEVEL="WARNING",
        # Never share cache entries with a shop using the same Redis (REDIS_URL).
        CACHE_KEY_PREFIX=f"{env.get('CACHE_KEY_PREFIX', 'sk')}-bench-{secrets.token_hex(3)}",
    )
    env.pop("SHOPKEEPER_TESTING", None)
    return env


@dataclass
class Seeded:
    product_ids: list[int]
    category_slugs: list[str]
    created: dict[str, list[int]] = field(default_factory=dict)


def seed(product_count: int, run: str) -> Seeded:
    """Bulk-insert brands, a two-level category tree, scenes and listed products with SKUs and images."""
    from django.utils import timezone

    from shopkeeper.catalog.enums import ImageKind, ProductStatus, ProductTier
    from shopkeeper.catalog.models import Brand, Category, Product, ProductImage, Scene, Sku

    rng = random.Random(20250618)
    brands = Brand.objects.bulk_create(
        Brand(name=f"{name}{run}", name_en=f"{en} {run}", slug=f"{en.lower()}-{run}") for name, en in BRANDS
    )
    scenes = Scene.objects.bulk_create(
        Scene(name=f"{name}{run}", name_en=slug, slug=f"{slug}-{run}", position=i)
        for i, (name, slug) in enumerate(SCENES)
    )
    leaves: list[tuple[Category, list[str]]] = []
    roots: list[Category] = []
    for position, ((root_name, root_slug), children) in enumerate(CATEGORIES.items()):
        root = Category.objects.create(name=root_name, slug=f"{root_slug}-{run}", position=position)
        root.path = f"{root.pk}/"
        root.save(update_fields=["path"])
        roots.append(root)
        for child_position, (name, slug, nouns) in enumerate(children):
            child = Category.objects.create(
                name=name, slug=f"{slug}-{run}", parent=root, depth=1, position=child_position
            )
            child.path = f"{root.path}{child.pk}/"
            child.save(update_fields=["path"])
            leaves.append((child, nouns))

    now = timezone.now()
    products: list[Product] = []
    for n in range(product_count):
        category, nouns = leaves[n % len(leaves)]
        ratings = rng.randint(0, 400)
        title = f"{rng.choice(ADJECTIVES)}{rng.choice(MATERIALS)}{rng.choice(nouns)} {rng.choice(SUFFIXES)}"
        products.append(
            Product(
                title=title,
                brand=brands[n % len(brands)],
                category=category,
                status=ProductStatus.LISTED,
                tier=rng.choice(ProductTier.values),
                spec_names=["颜色", "尺码"],
                selling_points=["面料柔软亲肤", "做工细致", "七天无理由退换"],
                description=f"{title}，精选{rng.choice(MATERIALS)}面料，日常通勤与周末出行都合适。",
                listed_at=now - timedelta(minutes=n),
                sales_count=rng.randint(0, 20_000),
                rating_count=ratings,
                rating_sum=ratings * rng.randint(3, 5),
            )
        )
    products = Product.objects.bulk_create(products, batch_size=500)
    skus: list[Sku] = []
    images: list[ProductImage] = []
    links: list[Any] = []
    for product in products:
        base = rng.randrange(2900, 99900, 100)
        colours, sizes = rng.sample(COLOURS, 2), rng.sample(SIZES, rng.randint(1, 3))
        prices = []
        for position, (colour, size) in enumerate((c, s) for c in colours for s in sizes):
            price = base + position * 1000
            prices.append(price)
            skus.append(
                Sku(
                    product=product,
                    code=f"B{run}-{product.pk}-{position}",
                    spec_values={"颜色": colour, "尺码": size},
                    sale_price_fen=price,
                    list_price_fen=price * 3 // 2,
                    cost_price_fen=price // 3,
                    stock_quantity=rng.randint(0, 300),
                    position=position,
                )
            )
        product.min_price_fen, product.max_price_fen = min(prices), max(prices)
        images += [
            ProductImage(product=product, kind=ImageKind.MAIN, url=f"/media/bench/{product.pk}-{i}.jpg", position=i)
            for i in range(3)
        ] + [
            ProductImage(product=product, kind=ImageKind.DETAIL, url=f"/media/bench/{product.pk}-d{i}.jpg", position=i)
            for i in range(4)
        ]
        links.append(Product.scenes.through(product_id=product.pk, scene_id=scenes[product.pk % len(scenes)].pk))
    Sku.objects.bulk_create(skus, batch_size=1000)
    ProductImage.objects.bulk_create(images, batch_size=1000)
    Product.scenes.through.objects.bulk_create(links, batch_size=1000)
    Product.objects.bulk_update(products, ["min_price_fen", "max_price_fen"], batch_size=500)
    return Seeded(
        product_ids=[product.pk for product in products],
        category_slugs=[root.slug for root in roots] + [leaf.slug for leaf, _nouns in leaves],
        created={
            "products": [p.pk for p in products],
            "categories": [leaf.pk for leaf, _n in leaves] + [r.pk for r in roots],
            "brands": [b.pk for b in brands],
            "scenes": [s.pk for s in scenes],
        },
    )


def unseed(seeded: Seeded) -> None:
    """Remove what the run added to a database it does not own (DATABASE_URL)."""
    from shopkeeper.catalog.models import Brand, Category, Product, Scene

    Product.objects.filter(pk__in=seeded.created["products"]).delete()
    for pk in seeded.created["categories"]:  # leaves first, then roots
        Category.objects.filter(pk=pk).delete()
    Brand.objects.filter(pk__in=seeded.created["brands"]).delete()
    Scene.objects.filter(pk__in=seeded.created["scenes"]).delete()


# --- gunicorn and the load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str) -> tuple[int, float]:
    """One request on a fresh connection (gunicorn's sync workers close after each answer)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "zh-hans"})
        response = connection.getresponse()
        response.read()
        status = response.status
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start_gunicorn(env: dict[str, str], port: int, log: Path, workers: int = 2) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "shopkeeper.config.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    # Its log goes to a file: a pipe nobody reads fills up (64 KiB of tracebacks) and blocks the server.
    with log.open("ab") as log_file:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log_tail(log)}")
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Sample:
    seconds: float
    latencies: list[float]
    failures: int


def drive(port: int, paths: Sequence[str], concurrency: int) -> Sample:
    """Send every path once with `concurrency` threads; the number of requests is fixed."""
    lock = threading.Lock()
    position = 0
    latencies: list[float] = []
    failures = 0

    def worker() -> None:
        nonlocal position, failures
        mine: list[float] = []
        bad = 0
        while True:
            with lock:
                if position >= len(paths):
                    break
                path = paths[position]
                position += 1
            try:
                status, millis = get(port, path)
            except OSError:
                bad += 1
                continue
            mine.append(millis)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Sample(seconds=time.perf_counter() - started, latencies=latencies, failures=failures)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Case:
    name: str
    paths: Callable[[int], list[str]]  # the paths of one round, given its size
    samples: list[Sample] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(len(s.latencies) / s.seconds for s in self.samples)

    @property
    def latencies(self) -> list[float]:
        return [millis for sample in self.samples for millis in sample.latencies]

    @property
    def failures(self) -> int:
        return sum(sample.failures for sample in self.samples)


def revision() -> str:
    """The commit the code ran at, and whether the work tree differed from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "shopkeeper"], cwd=ROOT, capture_output=True)
    except OSError:
        return "unknown"
    if head.returncode:
        return "unknown"
    return head.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=2000, help="per case, over all rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--max-seconds", type=float, default=240, help="start no round that would end the load later than this"
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops gunicorn

    load = os.getloadavg()[0]
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
    run = secrets.token_hex(3)
    server: subprocess.Popen[bytes] | None = None
    seeded: Seeded | None = None
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        seeded = seed(args.products, run)
        connection.close()
        print(f"set-up: {args.products} products seeded, migrated, static collected in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip

        port = free_port()
        server_log = var_dir / "gunicorn.log"
        server = start_gunicorn(env, port, server_log)
        rng = random.Random(7)
        ids, slugs = seeded.product_ids, seeded.category_slugs
        sorts = ["sales", "price_asc", "price_desc", "newest"]

        def list_path(i: int) -> str:
            query = f"limit=20&offset={rng.randrange(0, 200, 20)}&sort={sorts[i % len(sorts)]}"
            if i % 2:
                query += f"&category={rng.choice(slugs)}"
            if i % 5 == 0:
                query += "&min_price=50&max_price=500"
            return f"/api/v1/shop/products?{query}"

        cases = [
            Case("/healthz (baseline)", lambda size: ["/healthz"] * size),
            Case("product page /product/<id>/", lambda size: [f"/product/{rng.choice(ids)}/" for _ in range(size)]),
            Case("product list API /api/v1/shop/products", lambda size: [list_path(i) for i in range(size)]),
        ]
        for case in cases:  # warm-up: worker processes, connections, template and URL caches
            if drive(port, case.paths(max(20, args.concurrency * 10)), args.concurrency).failures:
                print(f"{case.name}: requests failed in the warm-up; the server's log ends:\n{log_tail(server_log)}",
                      file=sys.stderr)  # fmt: skip
                return 1
        per_round = max(1, args.requests // args.rounds)
        load_started = time.monotonic()
        rounds_done = 0
        for _round in range(args.rounds):
            elapsed = time.monotonic() - load_started
            if rounds_done and elapsed + elapsed / rounds_done > args.max_seconds:
                print(f"stopped after {rounds_done} of {args.rounds} rounds: the load is bounded to "
                      f"{args.max_seconds:.0f} s (--max-seconds)", file=sys.stderr)  # fmt: skip
                break
            round_started = time.monotonic()
            for case in cases:  # interleaved, so a busy moment of the machine hits every case
                case.samples.append(drive(port, case.paths(per_round), args.concurrency))
            rounds_done += 1
            print(f"round {rounds_done}: {time.monotonic() - round_started:.0f} s", file=sys.stderr)
    finally:
        if server is not None:
            stop(server)
        if seeded is not None and not own_database:
            unseed(seeded)
        if args.keep:
            print(f"kept: {var_dir} (gunicorn.log is the server's log)", file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    baseline = cases[0]
    base_p50 = statistics.median(baseline.latencies)
    vendor = f"{connection.vendor} {'(temporary file)' if own_database else '(DATABASE_URL)'}"
    print(f"\n## Storefront under gunicorn (2 sync workers), {args.products} listed products\n")
    print(f"{vendor}; Python {platform.python_version()}; code at {revision()}; {os.cpu_count()} CPUs "
          f"(shared, noisy; load average {load:.1f} at the start); {platform.platform()}; "
          f"{args.concurrency} concurrent clients on loopback; {per_round * rounds_done} requests per case "
          f"in {rounds_done} interleaved rounds after a warm-up.\n")  # fmt: skip
    print("| case | requests | median req/s | p50 ms | p99 ms | throughput vs baseline | p50 vs baseline |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    failures = 0
    for case in cases:
        latencies = case.latencies
        p50 = statistics.median(latencies)
        failures += case.failures
        print(
            f"| {case.name} | {len(latencies)} | {case.rate:.0f} | {p50:.1f} | {percentile(latencies, 0.99):.1f} "
            f"| {case.rate / baseline.rate:.2f}× | {p50 / base_p50:.2f}× |"
        )
    if failures:
        print(f"\n{failures} request(s) failed or did not answer 200 (--keep keeps the server's log)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
