"""System checks: warn loudly when running on the development secret key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=False)
def development_secret_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Warning(
                "SECRET_KEY is the built-in development key. Anyone can forge sessions with it.",
                hint="Set SECRET_KEY (50+ random characters) and DEBUG=false before deploying.",
                id="shopkeeper.W001",
            )
        ]
    return []
