"""The in-process event bus: handlers run in order, once each, and can be removed."""

from __future__ import annotations

from dataclasses import dataclass

from shopkeeper.core import events


@dataclass(frozen=True)
class Rang:
    who: str


@dataclass(frozen=True)
class Other:
    who: str


def test_handlers_run_in_order_once_each_and_only_for_their_type() -> None:
    heard: list[str] = []

    def first(event: Rang) -> None:
        heard.append(f"first:{event.who}")

    def second(event: Rang) -> None:
        heard.append(f"second:{event.who}")

    events.subscribe(Rang, first)
    events.subscribe(Rang, second)
    events.subscribe(Rang, first)  # a second subscription of the same handler is ignored
    try:
        events.publish(Rang("王"))
        events.publish(Other("李"))
        assert heard == ["first:王", "second:王"]
        events.unsubscribe(Rang, first)
        events.publish(Rang("张"))
        assert heard[-1] == "second:张"
        assert len(heard) == 3
    finally:
        events.unsubscribe(Rang, first)
        events.unsubscribe(Rang, second)
    assert events.subscribers(Rang) == []
