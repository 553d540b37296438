"""Data migration: the five common carriers with their tracking-number formats, and the role
groups' fulfilment permissions from core/roles.py."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def carriers(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from shopkeeper.fulfillment.services import carriers_seed

    carriers_seed(apps)


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
