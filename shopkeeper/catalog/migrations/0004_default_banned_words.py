"""Data migration: a new shop starts with the common advertising-law banned words (极限词).

The platform admin maintains the list afterwards (console or API); this only adds words that are
not there yet, so it never undoes an admin's edits.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from shopkeeper.catalog.domain.compliance import DEFAULT_BANNED_WORDS

    banned_word = apps.get_model("catalog", "BannedWord")
    existing = {word.lower() for word in banned_word.objects.values_list("word", flat=True)}
    banned_word.objects.bulk_create(
        [
            banned_word(word=word, kind=kind, note="默认词库 (default list)")
            for word, kind in DEFAULT_BANNED_WORDS
            if word.lower() not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search_index"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
