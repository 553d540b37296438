"""`shopkeeper compile_translations`: build .mo files from the .po files without GNU gettext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po into .mo (pure Python, no gettext needed)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                catalog = polib.pofile(str(po_path))
                if catalog.obsolete_entries() and options["verbosity"] > 1:
                    self.stdout.write(f"{po_path}: {len(catalog.obsolete_entries())} obsolete entries skipped")
                try:
                    catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                except OSError as exc:
                    raise CommandError(f"Cannot write {po_path.with_suffix('.mo')}: {exc}") from None
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
