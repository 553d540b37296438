"""`shopkeeper surge_drill --days 14 --factor 3`: replay the last days' orders × factor against
each warehouse's daily capacity; print the backlog per day and the verdict. Exit 1 if late."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopkeeper.fulfillment import selectors


class Command(BaseCommand):
    help = "Simulate a surge: the last N days of orders × factor against each warehouse's capacity."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=14, help="how many past days to replay (1–90, default 14)")
        parser.add_argument("--factor", default="3", help="the surge factor, e.g. 3 or 2.5 (default 3)")
        parser.add_argument("--deadline-hours", type=int, default=None, help="default: FULFILMENT_DISPATCH_HOURS")
        parser.add_argument("--check", action="store_true", help="exit with an error when an order would ship late")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if not 1 <= days <= 90:
            raise CommandError("--days: 1 to 90")
        try:
            percent = selectors.factor_percent(str(options["factor"]))
        except ValueError as exc:
            raise CommandError(f"--factor: {exc}") from None
        hours = options["deadline_hours"]
        if hours is not None and hours < 1:
            raise CommandError("--deadline-hours: at least 1")
        report = selectors.surge_drill(days=days, factor_percent=percent, deadline_hours=hours)
        self.stdout.write(
            f"Surge drill: the last {days} days × {report.factor}, dispatch deadline {report.deadline_hours} h"
        )
        for warehouse in report.warehouses:
            result = warehouse.result
            self.stdout.write(f"\n{warehouse.name} ({warehouse.code}), capacity {warehouse.capacity} orders a day")
            self.stdout.write(f"{'day':<12}{'arrivals':>10}{'shipped':>10}{'backlog':>10}{'late':>8}{'overdue':>9}")
            for day, row in warehouse.dated:
                label = f"{day:%m-%d}" + (" after" if row.drain else "")
                self.stdout.write(
                    f"{label:<12}{row.arrivals:>10}{row.shipped:>10}{row.backlog:>10}{row.late:>8}{row.overdue:>9}"
                )
            verdict = "on time" if result.on_time else f"{result.late + result.unshipped} late"
            self.stdout.write(f"largest backlog {result.max_backlog}; {verdict}")
        if report.on_time:
            self.stdout.write(f"\nVerdict: every order ships within its deadline at {report.factor}×.")
        else:
            self.stdout.write(f"\nVerdict: {report.late} order(s) would ship late at {report.factor}×.")
            if options["check"]:
                raise CommandError("Some orders would ship late.")
