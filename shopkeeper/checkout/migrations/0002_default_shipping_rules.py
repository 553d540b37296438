"""Data migration: the shop's starting shipping fees (editable in the console).

¥8 to the regions with a regional warehouse nearby, ¥12 further out, ¥25 to Hong Kong, Macao
and Taiwan; free over ¥99 except to HMT.
"""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

RULES = [
    ("", 800, 9900),
    ("east", 800, 9900),
    ("south", 800, 9900),
    ("north", 800, 9900),
    ("central", 800, 9900),
    ("southwest", 1200, 9900),
    ("northwest", 1200, 9900),
    ("northeast", 1200, 9900),
    ("hmt", 2500, None),
]


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rule = apps.get_model("checkout", "ShippingRule")
    for region, fee, free_over in RULES:
        rule.objects.get_or_create(region=region, defaults={"fee_fen": fee, "free_over_fen": free_over})


class Migration(migrations.Migration):
    dependencies = [("checkout", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
