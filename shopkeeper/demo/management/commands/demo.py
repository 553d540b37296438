"""`shopkeeper demo --scale small|medium|large --seed N [--if-empty]`"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.services import ActorContext
from shopkeeper.demo.domain.scale import Scale
from shopkeeper.demo.services import demo_load, demo_loaded
from shopkeeper.demo.steps import DEMO_PASSWORD
from shopkeeper.demo.steps_customers import DEMO_CUSTOMER_MOBILE


class Command(BaseCommand):
    help = "Load deterministic, realistic Chinese demo data (staff logins per role, and more as domains land)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=[s.value for s in Scale], default=Scale.SMALL.value)
        parser.add_argument("--seed", type=int, default=20261111)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if demo data was loaded before.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and (existing := demo_loaded()) is not None:
            self.stdout.write(f"Demo data already loaded: {existing}")
            return
        try:
            dataset = demo_load(
                scale=Scale(options["scale"]),
                seed=options["seed"],
                actor=ActorContext(user=None, channel=AuditChannel.CLI),
                show_progress=not options["no_progress"],
            )
        except ShopkeeperError as exc:
            raise CommandError(exc.message) from None
        counts = ", ".join(f"{key} {value}" for key, value in sorted(dataset.counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Loaded demo data ({dataset}) in {dataset.seconds}s: {counts}"))
        self.stdout.write(f"Every role's demo login is its role name with password {DEMO_PASSWORD!r}.")
        self.stdout.write(
            f"The demo customer signs in on the storefront with {DEMO_CUSTOMER_MOBILE} and the same password."
        )
