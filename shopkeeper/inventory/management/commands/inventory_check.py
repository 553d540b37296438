"""`shopkeeper inventory_check`: does every stock line equal the sum of its ledger? Exit 1 if not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shopkeeper.inventory import selectors


class Command(BaseCommand):
    help = "Check that each stock line's on hand and reserved equal the sums of its movement ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        found = selectors.ledger_imbalances()
        if not found:
            self.stdout.write("The stock ledger balances: every line equals the sum of its movements.")
            return
        for row in found:
            self.stdout.write(
                f"stock line {row.stock_id}: on hand {row.on_hand} (ledger {row.ledger_on_hand}), "
                f"reserved {row.reserved} (ledger {row.ledger_reserved}, active reservations {row.reservations})"
            )
        raise CommandError(f"{len(found)} stock line(s) do not match their ledger.")
