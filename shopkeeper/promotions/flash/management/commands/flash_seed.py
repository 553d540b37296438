"""`shopkeeper flash_seed [--force] [--sale ID]`: copy live flash-sale sessions' pools and the
customers' counts from the database into the Redis gate (the beat task does it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shopkeeper.promotions.flash import gate, services


class Command(BaseCommand):
    help = "Seed the flash-sale Redis gate from the database (sessions running or starting within 15 minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="overwrite items already in Redis")
        parser.add_argument("--sale", type=int, default=None, help="only this flash sale")

    def handle(self, *args: Any, **options: Any) -> None:
        if not gate.enabled():
            self.stdout.write("REDIS_URL is not set: the database is the gate, nothing to seed.")
            return
        written = services.flash_gate_seed(force=options["force"], sale_id=options["sale"])
        self.stdout.write(f"seeded {written} flash-sale item(s)")
