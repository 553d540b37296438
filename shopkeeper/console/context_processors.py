"""Puts the signed-in staff member's navigation into every console page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from shopkeeper.console.nav import build_nav
from shopkeeper.core.models import User


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not request.path.startswith("/console/"):
        return {}
    return {"console_nav": build_nav(user, request.path)}
