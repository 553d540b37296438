"""The `shopkeeper` console command: Django management with Shopkeeper's settings.

shopkeeper migrate | demo | run | worker | token | ...   (see `shopkeeper help`)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopkeeper.config.settings")
    from shopkeeper.config.env import EnvError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["shopkeeper", *(sys.argv[1:] if argv is None else argv)])
    except EnvError as exc:
        print(f"shopkeeper: refusing to start: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
