"""Data migration: give the role groups the promotion permissions of core/roles.py."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def sync(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from shopkeeper.core.services import role_groups_sync

    role_groups_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("promotions", "0001_initial"),
        ("core", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
