"""Fulfilment errors: what a warehouse user can act on."""

from __future__ import annotations

from shopkeeper.core.errors import Conflict


class ShipmentStateError(Conflict):
    """The shipment is not in a state that allows this (already shipped, not packed yet …)."""
