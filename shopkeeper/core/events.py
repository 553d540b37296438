"""Domain events: how one app tells others that something happened, without importing them.

An app defines its events as frozen dataclasses in its own `events.py` and publishes them from
its services; another app subscribes a handler in its `AppConfig.ready()`. `publish` calls the
handlers at once, inside the publisher's transaction, so a handler's writes commit or roll back
with the change that caused them (an order turns paid in the same transaction that records the
payment). A handler that talks to the outside world (messages, webhooks) should itself queue a
task with `transaction.on_commit`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
Handler = Callable[[Any], None]

_handlers: defaultdict[type[Any], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` whenever an event of exactly `event_type` is published (once per handler)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def publish(event: object) -> None:
    """Run every handler subscribed to the event's type, in subscription order."""
    for handler in list(_handlers[type(event)]):
        handler(event)


def subscribers(event_type: type[Any]) -> list[Handler]:
    return list(_handlers[event_type])
