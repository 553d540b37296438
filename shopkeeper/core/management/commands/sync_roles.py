"""`shopkeeper sync_roles`: make the role groups match the permission map in code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shopkeeper.core.services import role_groups_sync


class Command(BaseCommand):
    help = "Make each department role's group hold exactly the permissions of core/roles.py."

    def handle(self, *args: Any, **options: Any) -> None:
        role_groups_sync()
        self.stdout.write(self.style.SUCCESS("Role groups match the permission map."))
