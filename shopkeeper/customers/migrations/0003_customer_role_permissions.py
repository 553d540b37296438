"""Data migration: give the role groups the customers permissions of core/roles.py."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def sync(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from shopkeeper.core.services import role_groups_sync

    role_groups_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_customer_tier"),
        ("core", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
