"""Presale errors (the kernel's error kinds, named for what went wrong)."""

from __future__ import annotations

from shopkeeper.core.errors import Conflict


class PresaleClosed(Conflict):
    """The presale is paused, not started or over: no deposit can be taken now."""


class PresaleLimitReached(Conflict):
    """The customer already holds as many units as the presale allows per customer."""
