"""Product search over the `large` demo catalog (20,000 SPUs): the storefront's search selector
against a naive `title__icontains` scan as the baseline measured in the same run.

Builds a throwaway database (SQLite in a temporary SHOPKEEPER_VAR_DIR; or, when DATABASE_URL is
set, a schema of its own in that PostgreSQL database, dropped at the end; another DATABASE_URL must
have an empty catalog) and loads the demo generator's catalog of the `large` scale with the demo
seed through `products_bulk_load`, as `shopkeeper demo --scale large` does (search documents
included), then rewrites the search index as `shopkeeper catalog_reindex` does and checks it. On
PostgreSQL the catalog tables then get the VACUUM ANALYZE that autovacuum would run; SQLite is left
without statistics, as Shopkeeper leaves it, unless --analyze. Then it times, in interleaved rounds
after a warm-up, a fixed mix of shopper queries, each both ways on the first page (20 products, the
storefront's page size):

* search: `product_search_public` (jieba words → full-text index → ranked page with its total →
  the cards' products, brands and images), exactly what /search and /api/v1/shop/search run;
* naive scan (the baseline): listed products whose title contains every space-separated part of
  the query (`title__icontains`), counted, the best sellers of them loaded for cards the same way.

The prefix suggestions (`search_suggestions`) are timed against the naive scan's first 24 titles
(the three spare rows per suggestion that `search_suggest` asks for). Prints a Markdown table:
per query class the median and p95 time, the hits of each side, and the ratio of the medians.

    .venv/bin/python bench/bench_search.py [--products 20000] [--rounds 15] [--analyze] [--keep]
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 20  # shopkeeper.storefront.views.PAGE_SIZE
SUGGESTIONS = 8  # the search box's default
DEMO_SEED = 20261111  # `shopkeeper demo`'s default seed

# What shoppers type, by kind, drawn from the demo catalog's words. 香薰蜡烛 and 真丝 衬衫 are in
# the examples but the demo catalog sells neither, so they are among the queries that find nothing.
QUERY_MIX: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Chinese, one word", ("连衣裙", "保温杯", "面霜", "帐篷", "口红", "咖啡")),
    ("Chinese, 2+ words", ("法式 连衣裙", "纯棉 衬衫", "保湿面霜", "云南小粒 咖啡", "露营 月亮椅", "北欧风四件套")),
    ("one Han character", ("裙", "茶", "杯")),
    ("brand", ("拾光", "澄净", "山野", "云织")),
    ("category name", ("女装", "美妆护肤", "床上用品", "露营")),
    ("scene name", ("通勤穿搭", "周末露营", "送礼之选", "新手妈妈")),
    ("latin / English", ("Shiguang", "camping", "500ml", "PPSU", "tea and coffee", "running shoes")),
    ("no hit", ("xyzzy", "香薰蜡烛", "真丝 衬衫", "火箭发动机")),
)
SUGGEST_PREFIXES: tuple[str, ...] = ("连", "连衣", "保温", "月亮", "拾光", "shi", "法式 连")


@dataclass
class Side:
    """One way of answering a query class: its timings (ms), hits per query and SQL per call."""

    samples: list[float] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)


@dataclass
class QueryClass:
    name: str
    terms: Sequence[str]
    search: Callable[[str], int]  # returns the hits (the total, or how many suggestions)
    naive: Callable[[str], int]
    sides: dict[str, Side] = field(default_factory=lambda: {"search": Side(), "naive": Side()})


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


# --- the throwaway catalog ------------------------------------------------------------------------


@dataclass
class Built:
    product_ids: list[int]
    skus: int
    build_seconds: float
    reindex_seconds: float
    created: dict[str, list[int]]  # brands, categories (children first) and scenes this run added


def build_catalog(product_count: int) -> Built:
    """The demo catalog step's brands, categories, scenes and products, without the rest of the demo."""
    from django.utils import timezone

    from shopkeeper.catalog import services as catalog_services
    from shopkeeper.catalog.models import Brand, Category, Scene
    from shopkeeper.catalog.search import search_reindex_all
    from shopkeeper.demo.context import DemoContext
    from shopkeeper.demo.domain.catalog import BRANDS, SCENES, category_paths, demo_products
    from shopkeeper.demo.domain.scale import SCALES, Scale
    from shopkeeper.demo.steps import _bulk_products  # the demo step's own mapping to BulkProduct

    before = {
        "brands": set(Brand.objects.values_list("pk", flat=True)),
        "categories": set(Category.objects.values_list("pk", flat=True)),
        "scenes": set(Scene.objects.values_list("pk", flat=True)),
    }
    ctx = DemoContext(
        scale=Scale.LARGE, spec=SCALES[Scale.LARGE], seed=DEMO_SEED, now=timezone.now(), show_progress=False
    )
    skeleton = catalog_services.CatalogSkeleton(brands=BRANDS, categories=category_paths(), scenes=SCENES)
    started = time.perf_counter()
    result = catalog_services.products_bulk_load(
        skeleton=skeleton, products=_bulk_products(ctx, demo_products(ctx.rng("catalog"), product_count))
    )
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    search_reindex_all()  # what `shopkeeper catalog_reindex` runs
    reindex_seconds = time.perf_counter() - started
    created = {
        "brands": sorted(set(Brand.objects.values_list("pk", flat=True)) - before["brands"]),
        "categories": [
            pk
            for pk in Category.objects.order_by("-depth").values_list("pk", flat=True)
            if pk not in before["categories"]
        ],
        "scenes": sorted(set(Scene.objects.values_list("pk", flat=True)) - before["scenes"]),
    }
    return Built(result.product_ids, result.skus, build_seconds, reindex_seconds, created)


def own_schema(connection: Any) -> str:
    """On PostgreSQL, a schema of its own in the DATABASE_URL database (dropped at the end): the
    run migrates and loads its catalog there and never touches the shop's own tables."""
    if connection.vendor != "postgresql":
        return ""
    schema = f"bench_search_{secrets.token_hex(3)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    connection.close()
    connection.settings_dict.setdefault("OPTIONS", {})["options"] = f"-c search_path={schema}"
    return schema


def remove_catalog(built: Built) -> None:
    """Take out what the run added to a database it does not own (DATABASE_URL)."""
    from shopkeeper.catalog.models import Brand, Category, Product, Scene

    ids = built.product_ids
    for start in range(0, len(ids), 2000):
        Product.objects.filter(pk__in=ids[start : start + 2000]).delete()
    for pk in built.created["categories"]:  # children first
        Category.objects.filter(pk=pk).delete()
    Brand.objects.filter(pk__in=built.created["brands"]).delete()
    Scene.objects.filter(pk__in=built.created["scenes"]).delete()


def check_index(product_count: int, *, analyze: bool) -> None:
    """Every product has its search document and the full-text index agrees with the documents.
    PostgreSQL then gets the VACUUM ANALYZE that autovacuum would run (the reindex rewrote every
    document); SQLite is left as Shopkeeper leaves it, without statistics, unless `analyze`."""
    from django.db import connection

    from shopkeeper.catalog.models import Product, ProductSearchDocument

    documents = ProductSearchDocument.objects.filter(product__in=Product.objects.all()).count()
    if documents != Product.objects.count() or documents < product_count:
        raise RuntimeError(f"{documents} search documents for {Product.objects.count()} products")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO catalog_search_fts(catalog_search_fts) VALUES ('integrity-check')")
            if analyze:
                cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "VACUUM ANALYZE catalog_productsearchdocument, catalog_product, catalog_productimage, catalog_brand"
            )


# --- the two ways of answering ------------------------------------------------------------------


def search_way(query: str) -> int:
    from shopkeeper.catalog.selectors import storefront as shop
    from shopkeeper.catalog.selectors.storefront import product_cards

    page = shop.product_search_public(query, limit=PAGE_SIZE)
    product_cards(page.products)  # what the page renders from them (no query)
    return page.total


def _naive_matches(query: str) -> Any:
    from shopkeeper.catalog.selectors.storefront import listed_products

    queryset = listed_products()
    for part in query.split():
        queryset = queryset.filter(title__icontains=part)
    return queryset


def naive_way(query: str) -> int:
    from django.db.models import Prefetch

    from shopkeeper.catalog.enums import ImageKind
    from shopkeeper.catalog.models import ProductImage
    from shopkeeper.catalog.selectors.storefront import product_cards

    matches = _naive_matches(query)
    total: int = matches.count()
    images = Prefetch("images", queryset=ProductImage.objects.filter(kind=ImageKind.MAIN).order_by("position", "pk"))
    page = matches.select_related("brand").prefetch_related(images).defer("description")
    product_cards(page.order_by("-sales_count", "-pk")[:PAGE_SIZE])
    return total


def suggest_way(prefix: str) -> int:
    from shopkeeper.catalog.selectors import storefront as shop

    return len(shop.search_suggestions(prefix, limit=SUGGESTIONS))


def naive_suggest_way(prefix: str) -> int:
    titles = list(_naive_matches(prefix).order_by("-sales_count", "-pk").values_list("title", flat=True)[:24])
    return len(dict.fromkeys(titles))


# --- the run ------------------------------------------------------------------------------------


def measure(classes: Sequence[QueryClass], rounds: int) -> None:
    """A warm-up round (recording hits and SQL per call), then `rounds` interleaved rounds; within a
    round every query runs both ways back to back, which one first alternating from round to round."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for query_class in classes:
        for term in query_class.terms:
            for name, way in (("search", query_class.search), ("naive", query_class.naive)):
                with CaptureQueriesContext(connection) as captured:
                    query_class.sides[name].hits[term] = way(term)
                query_class.sides[name].queries[term] = len(captured)
    for round_number in range(rounds):
        for query_class in classes:
            for term in query_class.terms:
                order = [("search", query_class.search), ("naive", query_class.naive)]
                for name, way in order if round_number % 2 == 0 else order[::-1]:
                    started = time.perf_counter()
                    way(term)
                    query_class.sides[name].samples.append((time.perf_counter() - started) * 1000)


def table(classes: Sequence[QueryClass]) -> list[str]:
    lines = [
        "| query class | queries | calls | search median ms | search p95 ms | SQL per search | search hits "
        "| naive median ms | naive p95 ms | naive hits | search vs naive |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---|---:|",
    ]

    def row(name: str, terms: str, search: Side, naive: Side) -> str:
        s_median, n_median = statistics.median(search.samples), statistics.median(naive.samples)
        sql = sorted(set(search.queries.values()))
        sql_range = str(sql[0]) if len(sql) == 1 else f"{sql[0]}–{sql[-1]}"
        hits = " / ".join(f"{search.hits[t]:,}" for t in search.hits) if terms else ""
        naive_hits = " / ".join(f"{naive.hits[t]:,}" for t in naive.hits) if terms else ""
        return (
            f"| {name} | {terms} | {len(search.samples)} | {s_median:.1f} | {percentile(search.samples, 0.95):.1f} "
            f"| {sql_range} | {hits} "
            f"| {n_median:.1f} | {percentile(naive.samples, 0.95):.1f} | {naive_hits} | {s_median / n_median:.2f}× |"
        )

    everything = {"search": Side(), "naive": Side()}
    for query_class in classes:
        search, naive = query_class.sides["search"], query_class.sides["naive"]
        lines.append(row(query_class.name, ", ".join(query_class.terms), search, naive))
        if query_class.search is search_way:
            for name, side in (("search", search), ("naive", naive)):
                everything[name].samples += side.samples
                everything[name].queries.update({f"{query_class.name}:{k}": v for k, v in side.queries.items()})
    lines.append(row("**all searches** (not suggestions)", "", everything["search"], everything["naive"]))
    return lines


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
    parser.add_argument("--products", type=int, default=20000, help="SPUs of the demo catalog (large: 20000)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--analyze", action="store_true", help="ANALYZE the SQLite database before measuring")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder or the rows in DATABASE_URL")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    var_dir = Path(tempfile.mkdtemp(prefix="shopkeeper-bench-search-"))
    os.environ.update(SHOPKEEPER_VAR_DIR=str(var_dir), LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shopkeeper.catalog.models import Product

    own_database = "DATABASE_URL" not in os.environ
    schema = own_schema(connection) if not own_database else ""
    built: Built | None = None
    classes = [QueryClass(name, terms, search_way, naive_way) for name, terms in QUERY_MIX]
    classes.append(QueryClass("prefix suggestions", SUGGEST_PREFIXES, suggest_way, naive_suggest_way))
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        if Product.objects.exists():
            print("bench_search needs a database with an empty catalog (the demo products' SKU codes are "
                  "fixed); create one, e.g. `createdb bench_search`.", file=sys.stderr)  # fmt: skip
            return 2
        built = build_catalog(args.products)
        check_index(args.products, analyze=args.analyze)
        print(f"set-up: migrated, {len(built.product_ids)} products ({built.skus} SKUs) loaded in "
              f"{built.build_seconds:.1f} s, reindexed in {built.reindex_seconds:.1f} s, "
              f"{time.perf_counter() - started:.1f} s in all", file=sys.stderr)  # fmt: skip
        listed = Product.objects.filter(status="listed").count()
        started = time.perf_counter()
        measure(classes, args.rounds)
        print(f"measured in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    finally:
        if built is not None and not own_database and not schema and not args.keep:
            remove_catalog(built)
        vendor = f"{connection.vendor} {'(temporary file)' if own_database else '(DATABASE_URL)'}"
        if connection.vendor == "sqlite":
            vendor += ", ANALYZEd" if args.analyze else ", no ANALYZE statistics (as Shopkeeper leaves it)"
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                vendor = f"PostgreSQL {cursor.fetchone()[0].split()[0]} (DATABASE_URL), after VACUUM ANALYZE"
                if schema and not args.keep:
                    cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        connection.close()
        if args.keep:
            print(f"kept: SHOPKEEPER_VAR_DIR={var_dir}" + (f", schema {schema}" if schema else ""), file=sys.stderr)
        else:
            shutil.rmtree(var_dir, ignore_errors=True)

    scale = "`large` " if args.products == 20000 else ""
    print(f"\n## Product search, demo catalog {scale}({len(built.product_ids):,} SPUs, {listed:,} listed, "
          f"{built.skus:,} SKUs)\n")  # fmt: skip
    print(f"{vendor}; Python {platform.python_version()}; code at {revision()}; {os.cpu_count()} CPUs "
          f"(shared, noisy; load average {load:.1f} at the start); "
          f"{platform.platform()}; catalog loaded in {built.build_seconds:.0f} s and reindexed in "
          f"{built.reindex_seconds:.0f} s; first page of {PAGE_SIZE}; every query {args.rounds} interleaved "
          f"rounds each way after a warm-up; hits are each query's total, in the order listed.\n")  # fmt: skip
    for line in table(classes):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
