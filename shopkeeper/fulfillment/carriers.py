"""Carrier integrations (`TrackingCarrier`) and the sandbox carrier's HTTP side.

The shop ships with one integration, the **sandbox carrier**: it plays every carrier of the
carrier table on a development or staging site, signs its notifications with
FULFILMENT_SANDBOX_CARRIER_SECRET and posts them to SITE_URL/fulfillment/carriers/<code>/notify/.
A real carrier's integration implements the same protocol and is registered in INTEGRATIONS.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from shopkeeper.core.errors import NotFound
from shopkeeper.fulfillment.domain.tracking import BadNotice, TrackingCarrier, TrackingNotice, parse_notice, verified

USER_AGENT = "Shopkeeper-Sandbox-Carrier/1"


def sandbox_enabled() -> bool:
    return bool(settings.FULFILMENT_SANDBOX_CARRIER_ENABLED)


def sandbox_secret() -> str:
    return str(settings.FULFILMENT_SANDBOX_CARRIER_SECRET)


@dataclass(frozen=True)
class SandboxCarrier:
    """Plays carrier `code`: its notices are signed with the sandbox secret."""

    code: str

    def read_notice(self, params: Mapping[str, str]) -> TrackingNotice:
        if not verified(params, sandbox_secret()):
            raise BadNotice("bad signature")
        return parse_notice(params)


# Real integrations by carrier code (none ship with the shop yet); the sandbox answers the rest.
INTEGRATIONS: dict[str, Callable[[str], TrackingCarrier]] = {}


def tracking_carrier(code: str) -> TrackingCarrier:
    from shopkeeper.fulfillment.models import Carrier

    code = code.strip().upper()
    if not Carrier.objects.filter(code=code).exists():
        raise NotFound(_("No such carrier."), details={"carrier": code[:16]})
    if code in INTEGRATIONS:
        return INTEGRATIONS[code](code)
    if sandbox_enabled():
        return SandboxCarrier(code=code)
    raise NotFound(_("No tracking integration for this carrier."), details={"carrier": code})


def notify_url(code: str) -> str:
    return f"{settings.SITE_URL}{reverse('fulfillment:carrier_notify', args=[code])}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@dataclass(frozen=True)
class HttpAnswer:
    status: int | None
    body: str
    error: str = ""


def notification_post(url: str, params: dict[str, str]) -> HttpAnswer:
    """POST the notice form-encoded, as a carrier's push does; never raises for network trouble."""
    if urlparse(url).scheme not in {"http", "https"}:
        return HttpAnswer(status=None, body="", error=f"not an http(s) URL: {url}")
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=urlencode(params).encode("utf-8"),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": USER_AGENT},
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=float(settings.FULFILMENT_SANDBOX_TIMEOUT_SECONDS)) as response:
            return HttpAnswer(status=response.status, body=response.read(2048).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        body = exc.read(2048).decode("utf-8", "replace") if exc.fp is not None else ""
        return HttpAnswer(status=exc.code, body=body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return HttpAnswer(status=None, body="", error=f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300])
