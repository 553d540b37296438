"""System checks: say loudly when the sandbox gateway is switched on without DEBUG."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security)
def sandbox_gateway_in_production(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.SANDBOX_GATEWAY_ENABLED and not settings.DEBUG and not getattr(settings, "TESTING", False):
        return [
            Warning(
                "The sandbox payment gateway is enabled with DEBUG off: anyone can mark orders paid "
                "on its cashier page without paying.",
                hint="Unset SANDBOX_GATEWAY_ENABLED on production sites; use it on staging only.",
                id="payments.W001",
            )
        ]
    return []
