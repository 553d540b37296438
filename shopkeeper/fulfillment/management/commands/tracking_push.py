"""`shopkeeper tracking_push <tracking number> <event>`: the sandbox carrier posts a signed
tracking event for a shipped parcel to this site's callback (a development tool)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.services import ActorContext
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.enums import TrackingKind


class Command(BaseCommand):
    help = "Make the sandbox carrier push a tracking event for a shipped parcel (a development tool)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tracking_no", help="the parcel's tracking number")
        parser.add_argument("event", choices=TrackingKind.values)
        parser.add_argument("--description", default="", help="the carrier's words (default: a standard text)")
        parser.add_argument("--bad-signature", action="store_true", help="send it with a broken signature")

    def handle(self, *args: Any, **options: Any) -> None:
        found = list(selectors.shipments_search(q=options["tracking_no"])[:2])
        if len(found) != 1 or not found[0].tracking_no:
            raise CommandError(f"No shipped parcel with tracking number {options['tracking_no']}")
        try:
            push = services.sandbox_push(
                shipment_id=found[0].pk,
                kind=options["event"],
                description=options["description"],
                tamper=options["bad_signature"],
                actor=ActorContext.system(),
            )
        except ShopkeeperError as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(f"Queued sandbox push {push.pk} to {push.url} (a worker posts it).")
