"""The delivery retry schedule: seconds to wait after each failed attempt before the next one."""

from __future__ import annotations

from collections.abc import Sequence


def retry_schedule_parse(text: str) -> tuple[int, ...]:
    """ "2,5,15" → (2, 5, 15). Whole seconds ≥ 0; at least one entry; ValueError otherwise."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValueError("the schedule needs at least one number of seconds")
    seconds: list[int] = []
    for part in parts:
        if not part.isdigit():
            raise ValueError(f"{part!r} is not a whole number of seconds")
        seconds.append(int(part))
    return tuple(seconds)


def attempts_allowed(schedule: Sequence[int]) -> int:
    """The first attempt plus one retry per entry."""
    return 1 + len(schedule)


def retry_delay(schedule: Sequence[int], attempts_made: int) -> int | None:
    """Seconds before the next attempt after `attempts_made` failed ones; None when to give up."""
    if attempts_made < 1:
        raise ValueError("at least one attempt has been made before a retry")
    if attempts_made > len(schedule):
        return None
    return schedule[attempts_made - 1]
