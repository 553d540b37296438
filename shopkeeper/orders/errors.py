"""Refusals of the orders app."""

from __future__ import annotations

from shopkeeper.core.errors import Conflict


class OrderStateError(Conflict):
    """The order's status does not allow this (e.g. cancelling a paid order): 409."""
