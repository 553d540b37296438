from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "shopkeeper.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from shopkeeper.payments import checks  # noqa: F401  (registers the system checks)
        from shopkeeper.payments.gateways import gateway_register
        from shopkeeper.payments.gateways.sandbox import SandboxGateway

        gateway_register(SandboxGateway())
