"""`shopkeeper worker`: a Celery worker (with the scheduler, unless --no-beat)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shopkeeper.core.management.commands.run import worker_command


class Command(BaseCommand):
    help = "Run a background worker for Shopkeeper's Celery tasks."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--no-beat", action="store_true", help="Run no scheduler (run exactly one beat per site)")
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        command = worker_command(
            concurrency=options["concurrency"], beat=not options["no_beat"], loglevel=options["loglevel"]
        )
        # Become the Celery process (no wrapper left behind): a process manager's SIGTERM then
        # reaches Celery itself, which finishes its tasks and exits, instead of orphaning it.
        os.execv(command[0], command)  # noqa: S606  (our own interpreter and arguments)
