"""`shopkeeper catalog_export PATH`: write products to an .xlsx or .csv that imports back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.catalog.services.imports import export_products
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.services import ActorContext


class Command(BaseCommand):
    help = "Export products, one row per active SKU, in the import's columns (filters as in the product list)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["xlsx", "csv"], help="Default: from the file name, else xlsx")
        parser.add_argument("--status", choices=["draft", "listed", "delisted"])
        parser.add_argument("--tier", choices=["traffic", "profit", "long_tail"])
        parser.add_argument("--category-id", type=int, help="This category and everything under it")
        parser.add_argument("--brand-id", type=int)
        parser.add_argument("--scene-id", type=int)
        parser.add_argument("--query", help="Title words, or an exact SKU code or barcode")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        fmt = options["format"] or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
        filters = {
            name: options[name]
            for name in ("status", "tier", "category_id", "brand_id", "scene_id", "query")
            if options[name] is not None
        }
        try:
            content = export_products(
                queryset_or_filters=filters, fmt=fmt, actor=ActorContext(user=None, channel=AuditChannel.CLI)
            )
        except ShopkeeperError as exc:
            raise CommandError(exc.message) from None
        path.write_bytes(content)
        self.stdout.write(f"Wrote {path} ({fmt}, {len(content)} bytes)")
