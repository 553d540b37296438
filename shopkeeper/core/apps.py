from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shopkeeper.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from shopkeeper.core import checks  # noqa: F401  (registers system checks)
