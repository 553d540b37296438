"""`shopkeeper catalog_reindex`: rewrite every product's search document and repair the full-text index."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from shopkeeper.catalog.search import search_reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the product search index from the products as they are now. Safe to run at any time; "
        "use it after restoring a backup or editing products outside Shopkeeper."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = search_reindex_all()
        self.stdout.write(f"Indexed {count} products in {time.perf_counter() - started:.1f}s.")
