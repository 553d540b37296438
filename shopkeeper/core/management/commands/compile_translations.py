"""`shopkeeper compile_translations`: build .mo files from the .po files without GNU gettext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_dirs() -> list[Path]:
    """Where Django looks for our translations: LOCALE_PATHS, then `<app>/locale/` of each of our apps.

    Third-party apps (Django's own, ninja) ship compiled catalogues; only the apps inside the
    Shopkeeper package are compiled here.
    """
    package = Path(settings.PACKAGE_DIR).resolve()
    app_dirs = [Path(config.path).resolve() / "locale" for config in apps.get_app_configs()]
    found: list[Path] = []
    for candidate in [*(Path(path).resolve() for path in settings.LOCALE_PATHS), *app_dirs]:
        if candidate in found or not candidate.is_dir():
            continue
        if candidate in app_dirs and not candidate.is_relative_to(package):
            continue  # a third-party app's catalogue: shipped compiled
        found.append(candidate)
    return found


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/*.po of LOCALE_PATHS and of Shopkeeper's apps into .mo "
        "(pure Python, no gettext needed)."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for locale_dir in locale_dirs():
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                catalog = polib.pofile(str(po_path))
                if catalog.obsolete_entries() and options["verbosity"] > 1:
                    self.stdout.write(f"{po_path}: {len(catalog.obsolete_entries())} obsolete entries skipped")
                try:
                    catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                except OSError as exc:
                    raise CommandError(f"Cannot write {po_path.with_suffix('.mo')}: {exc}") from None
                if options["verbosity"] > 1:
                    self.stdout.write(f"{po_path}: {len(catalog.translated_entries())} message(s)")
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
