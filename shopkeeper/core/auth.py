"""How API callers prove who they are: the console session (with CSRF) or a personal token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shopkeeper.core.services import api_token_authenticate


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer skt_…` — a staff member's personal API token."""

    openapi_description = "A personal API token created in the console or with `shopkeeper token create`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        # Token callers are not a browser session, so CSRF does not apply to them.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # Django's own flag
        return user


class ConsoleSessionAuth(SessionAuth):
    """The console's login session; unsafe methods need the CSRF token (header X-CSRFToken)."""

    openapi_description = "The staff console's session cookie (with the X-CSRFToken header on writes)."


API_AUTH = [PersonalTokenAuth(), ConsoleSessionAuth()]
