"""`shopkeeper campaign_simulate --days 30 --promotion 3 --promotion 5`: replay the orders of the
last N days through the chosen promotions (drafts too) and print the projection."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.promotions import selectors


class Command(BaseCommand):
    help = "Replay past orders through proposed promotions: projected GMV, discount cost, margin, tier reach."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Replay the orders placed in the last N days")
        parser.add_argument(
            "--promotion", type=int, action="append", required=True, dest="promotions", help="A promotion id (repeat)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if not 1 <= days <= 366:
            raise CommandError("--days must be between 1 and 366")
        try:
            result = selectors.campaign_simulate(days=days, promotion_ids=options["promotions"])
        except ShopkeeperError as refused:
            raise CommandError(refused.message) from refused
        write = self.stdout.write
        since, until = timezone.localtime(result.since), timezone.localtime(result.until)
        write(f"Replayed {result.orders} orders placed {since:%Y-%m-%d %H:%M} – {until:%Y-%m-%d %H:%M}")
        if result.sampled_every > 1:
            write(
                f"  an even sample: one order in {result.sampled_every} of the {result.orders_in_period} placed; "
                f"for the whole period about GMV {result.period_gmv}, discount cost {result.period_discount_cost}, "
                f"margin {result.period_margin}"
            )
        for promotion in result.promotions:
            write(f"  promotion {promotion.pk}: {promotion.name} ({selectors.promotion_label(promotion)})")
        write(f"GMV at list price   {result.gmv_before}")
        write(f"Projected GMV       {result.gmv}")
        write(f"Discount cost       {result.discount_cost}")
        write(f"Cost of goods       {result.cost_of_goods}")
        write(f"Margin              {result.margin} ({result.margin_percent}%)")
        for tier in result.tiers:
            write(f"Reach {tier.label}: {tier.orders} orders ({tier.share_percent}%)")
        for use in result.uses:
            write(f"Applied {use.label}: {use.orders} orders, {use.discount} off")
