"""Carrier tracking, the pure part: event kinds, tracking-number formats, signing and checking
the carrier's pushed notifications (HMAC-SHA256 over the sorted parameters).

A `TrackingCarrier` is what a carrier integration offers the shop (the sandbox carrier is one):
it checks and reads a pushed notification, and says how to answer it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

SIGN_FIELD = "sign"
ANSWER_OK = "success"


class TrackingKind(StrEnum):
    COLLECTED = "collected"  # 已揽收
    IN_TRANSIT = "in_transit"  # 运输中
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派送中
    DELIVERED = "delivered"  # 已签收
    EXCEPTION = "exception"  # 异常


@dataclass(frozen=True)
class TrackingNotice:
    """One tracking event as the carrier reported it."""

    event_id: str
    tracking_no: str
    kind: TrackingKind
    occurred_at: datetime
    location: str
    description: str


class BadNotice(ValueError):
    """The notification is not signed by the carrier, or cannot be read."""


class TrackingCarrier(Protocol):
    @property
    def code(self) -> str: ...

    def read_notice(self, params: Mapping[str, str]) -> TrackingNotice:
        """Check the signature and read the notice, or raise BadNotice."""
        ...


def tracking_number_ok(pattern: str, number: str) -> bool:
    """Does the whole number match the carrier's format (a regular expression)?"""
    try:
        return re.fullmatch(pattern, number) is not None
    except re.error:
        return False


def pattern_problem(pattern: str) -> str | None:
    """Why a tracking-number format cannot be used, or None."""
    if not pattern:
        return "empty"
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    return None


def signature(params: Mapping[str, str], secret: str) -> str:
    """HMAC-SHA256 (hex) of `k=v` pairs sorted by key, joined by `&`, without the sign field."""
    message = "&".join(f"{key}={params[key]}" for key in sorted(params) if key != SIGN_FIELD)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed(params: Mapping[str, str], secret: str) -> dict[str, str]:
    body = {key: value for key, value in params.items() if key != SIGN_FIELD}
    return {**body, SIGN_FIELD: signature(body, secret)}


def verified(params: Mapping[str, str], secret: str) -> bool:
    given = params.get(SIGN_FIELD, "")
    return bool(given) and hmac.compare_digest(given, signature(params, secret))


def notice_params(notice: TrackingNotice) -> dict[str, str]:
    return {
        "event_id": notice.event_id,
        "tracking_no": notice.tracking_no,
        "kind": notice.kind.value,
        "occurred_at": notice.occurred_at.isoformat(),
        "location": notice.location,
        "description": notice.description,
    }


def parse_notice(params: Mapping[str, str]) -> TrackingNotice:
    """Read the notice's fields (the signature must have been checked); BadNotice if malformed."""
    try:
        kind = TrackingKind(params["kind"])
        occurred_at = datetime.fromisoformat(params["occurred_at"])
        event_id = params["event_id"].strip()
        tracking_no = params["tracking_no"].strip()
    except (KeyError, ValueError) as exc:
        raise BadNotice(f"unreadable notice: {exc}") from None
    if not event_id or not tracking_no or occurred_at.tzinfo is None:
        raise BadNotice("event_id, tracking_no and an aware occurred_at are required")
    return TrackingNotice(
        event_id=event_id[:64],
        tracking_no=tracking_no[:40],
        kind=kind,
        occurred_at=occurred_at,
        location=params.get("location", "")[:100],
        description=params.get("description", "")[:200],
    )
