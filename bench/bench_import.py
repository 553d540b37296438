"""Product import speed: a 2,000-row sheet checked and written, against just parsing the file as the
baseline measured in the same run.

Builds a throwaway SQLite database in a temporary SHOPKEEPER_VAR_DIR (or uses DATABASE_URL when set),
creates the demo catalog's brands, categories and scenes, writes a 2,000-row .xlsx from the demo
product generator (one row per SKU, listed, with images) and times, in interleaved rounds:

* parse only (the baseline): open the .xlsx and read every row (`read_sheet`);
* validate: parse and check every row against the catalog, writing nothing;
* import, new products: the whole job as the worker runs it (`import_job_run`), creating everything;
* re-import unchanged: the same file again (every product matched, nothing to write);
* re-import, every price changed: every SKU's sale price +¥1 (updates plus price history).

The products are deleted after each round, so every round creates them anew. Prints a Markdown table.

    .venv/bin/python bench/bench_import.py [--rows 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Case:
    name: str
    samples: list[float] = field(default_factory=list)


def catalog_setup(run: str) -> dict[str, list[int]]:
    """The demo catalog's brands, category tree and scenes (names as the sheet spells them)."""
    from shopkeeper.catalog import services
    from shopkeeper.core.services import ActorContext
    from shopkeeper.demo.domain.catalog import LEAVES, category_paths

    actor = ActorContext.system()
    created: dict[str, list[int]] = {"brands": [], "categories": [], "scenes": []}
    by_path: dict[tuple[str, ...], Any] = {}
    for path, name_en in category_paths():
        category = services.category_create(
            actor=actor, name=path[-1], name_en=f"{name_en} {run}".strip(), parent=by_path.get(path[:-1])
        )
        by_path[path] = category
        created["categories"].insert(0, category.pk)  # children first when removing
    for brand in sorted({brand for leaf in LEAVES for brand in leaf.brands}):
        created["brands"].append(services.brand_create(actor=actor, name=brand, name_en=f"{run}-{brand}").pk)
    for scene in sorted({scene for leaf in LEAVES for scene in leaf.scenes}):
        created["scenes"].append(services.scene_create(actor=actor, name=scene, name_en=f"{run}-{scene}").pk)
    return created


def sheet_rows(row_count: int, run: str, price_step: int = 0) -> list[list[Any]]:
    """`row_count` SKU rows in the import's columns, from the demo product generator."""
    from shopkeeper.catalog.domain.import_rows import COLUMNS, LIST_SEPARATOR, SCENE_SEPARATOR, TIER_LABELS, Field
    from shopkeeper.demo.domain.catalog import demo_products

    rows: list[list[Any]] = []
    for index, product in enumerate(demo_products(random.Random(20261122), row_count, non_compliant=0)):
        for sku in product.skus:
            if len(rows) == row_count:
                return rows
            cells = {
                Field.PRODUCT_KEY: f"P{index}",
                Field.TITLE: product.title,
                Field.BRAND: product.brand,
                Field.CATEGORY: "/".join(product.category),
                Field.SCENES: SCENE_SEPARATOR.join(product.scenes),
                Field.TIER: TIER_LABELS[product.tier],
                Field.SELLING_POINTS: LIST_SEPARATOR.join(product.selling_points),
                Field.DESCRIPTION: product.description,
                Field.SPECS: LIST_SEPARATOR.join(f"{k}:{v}" for k, v in sku.spec_values.items()),
                Field.SKU_CODE: f"{run}-{sku.code}",
                Field.BARCODE: sku.barcode,
                Field.SALE_PRICE: Decimal(sku.sale_fen + price_step * 100) / 100,
                Field.LIST_PRICE: Decimal(sku.list_fen + price_step * 100) / 100,
                Field.COST_PRICE: Decimal(sku.cost_fen) / 100,
                Field.WEIGHT_G: sku.weight_g,
                Field.STOCK_QUANTITY: sku.stock,
                Field.MAIN_IMAGES: product.image,
                Field.DETAIL_IMAGES: "",
                Field.STATUS: "上架",
            }
            rows.append([cells[column.field] for column in COLUMNS])
    return rows


def xlsx(rows: list[list[Any]]) -> bytes:
    import openpyxl

    from shopkeeper.catalog.domain.import_rows import export_header

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("商品")
    sheet.append(export_header())
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])  # as Excel stores numbers
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="shopkeeper-bench-import-"))
    os.environ.update(SHOPKEEPER_VAR_DIR=str(var_dir), LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shopkeeper.catalog import services
    from shopkeeper.catalog.domain.import_rows import map_header, plan_import, sheet_sku_codes
    from shopkeeper.catalog.models import Brand, Category, ImportJob, Product, Scene
    from shopkeeper.catalog.services.imports import _catalog_facts, read_sheet
    from shopkeeper.core.enums import AuditChannel
    from shopkeeper.core.services import ActorContext

    own_database = "DATABASE_URL" not in os.environ
    run = f"B{random.randrange(16**4):04X}"
    actor = ActorContext(user=None, channel=AuditChannel.CLI)
    cases = [
        Case("parse only (baseline)"),
        Case("validate every row"),
        Case("import: create all"),
        Case("re-import unchanged"),
        Case("re-import: every price changed"),
    ]
    created: dict[str, list[int]] = {}
    product_count = 0
    write_share: list[float] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        created = catalog_setup(run)
        fresh = xlsx(sheet_rows(args.rows, run))
        repriced = xlsx(sheet_rows(args.rows, run, price_step=1))
        print(f"set-up: migrated, catalog and two {args.rows}-row sheets ({len(fresh) // 1024} KB) "
              f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip

        def validate() -> bool:
            sheet = read_sheet(fresh, "bench.xlsx")
            header = map_header(sheet)
            return plan_import(sheet, header, _catalog_facts(sheet_sku_codes(sheet, header))).ok

        def run_import(content: bytes, name: str) -> ImportJob:
            job = services.import_job_create(actor=actor, file_name=name, content=content, queue=False)
            job = services.import_job_run(job.pk)
            if job.status != "done":
                lines = "\n".join(
                    f"  row {e.row} {e.column}: {e.message}" for e in services.import_job_errors(job)[:10]
                )
                raise RuntimeError(f"import {name} {job.status}: {job.report.get('message', '')}\n{lines}")
            return job

        for round_number in range(args.rounds + 1):  # round 0 warms up caches and is not counted
            seconds = [
                timed(lambda: read_sheet(fresh, "bench.xlsx"))[0],
                timed(validate)[0],
            ]
            elapsed, job = timed(lambda: run_import(fresh, "new.xlsx"))
            seconds.append(elapsed)
            product_count = job.report["summary"]["created"]
            write_share.append(job.report["timings"]["write"] / elapsed)
            elapsed, job = timed(lambda: run_import(fresh, "again.xlsx"))
            assert job.report["summary"]["unchanged"] == product_count, job.report
            seconds.append(elapsed)
            elapsed, job = timed(lambda: run_import(repriced, "prices.xlsx"))
            assert job.report["summary"]["updated"] == product_count, job.report
            seconds.append(elapsed)
            if round_number:
                for case, value in zip(cases, seconds, strict=True):
                    case.samples.append(value)
            Product.objects.filter(skus__code__startswith=f"{run}-").delete()
    finally:
        if created and not own_database:
            Product.objects.filter(skus__code__startswith=f"{run}-").delete()
            for pk in created["categories"]:
                Category.objects.filter(pk=pk).delete()
            Brand.objects.filter(pk__in=created["brands"]).delete()
            Scene.objects.filter(pk__in=created["scenes"]).delete()
        vendor = f"{connection.vendor} {'(temporary file)' if own_database else '(DATABASE_URL)'}"
        connection.close()
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)

    baseline = statistics.median(cases[0].samples)
    print(f"\n## Product import, {args.rows} rows ({product_count} products), .xlsx\n")
    print(f"{vendor}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.platform()}; "
          f"median of {args.rounds} interleaved rounds after a warm-up; the write is "
          f"{statistics.median(write_share):.0%} of a create-all import.\n")  # fmt: skip
    print("| case | rows | median s | rows/s | vs parse only |")
    print("|---|---:|---:|---:|---:|")
    for case in cases:
        median = statistics.median(case.samples)
        print(f"| {case.name} | {args.rows} | {median:.2f} | {args.rows / median:,.0f} | {median / baseline:.1f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
