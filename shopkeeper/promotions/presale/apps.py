from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresaleConfig(AppConfig):
    name = "shopkeeper.promotions.presale"
    label = "presale"
    verbose_name = _("Presales")

    def ready(self) -> None:
        from shopkeeper.promotions.presale import tasks  # noqa: F401  (registered with the worker)
