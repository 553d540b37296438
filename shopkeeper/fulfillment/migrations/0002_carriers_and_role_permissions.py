"""Data migration: the five common carriers with their tracking-number formats, and the role
groups' fulfilment permissions from core/roles.py."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

CARRIERS = [
    ("SF", "顺丰速运", r"^SF\d{12}$"),
    ("ZTO", "中通快递", r"^\d{12,15}$"),
    ("YTO", "圆通速递", r"^YT\d{13}$"),
    ("JD", "京东物流", r"^JD[A-Z0-9]{13}$"),
    ("EMS", "中国邮政 EMS", r"^[A-Z]{2}\d{9}CN$"),
]


def carriers(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    carrier = apps.get_model("fulfillment", "Carrier")
    for position, (code, name, pattern) in enumerate(CARRIERS):
        carrier.objects.get_or_create(
            code=code, defaults={"name": name, "tracking_pattern": pattern, "position": position}
        )


def sync(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from shopkeeper.core.services import role_groups_sync

    role_groups_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0001_initial"),
        ("core", "0002_role_groups"),
    ]

    operations = [
        migrations.RunPython(carriers, migrations.RunPython.noop),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
