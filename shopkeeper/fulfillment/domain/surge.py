"""The surge drill: can the warehouse ship `factor` × the usual orders within the dispatch deadline?

Pure simulation, one warehouse at a time, one step per day. Each day the day's orders (the real
count of that day times the factor) join the queue, the warehouse ships up to its capacity, oldest
first (every order has the same dispatch window, so oldest first is earliest deadline first), and
what is left is the backlog. An order that arrives on day d must ship by the end of day
d + ⌊deadline hours / 24⌋; one shipped later is late. After the drill's days the queue is worked
down with no new orders (the "drain" days) so every order's fate is known.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_DRAIN_DAYS = 366


@dataclass(frozen=True)
class SurgeDay:
    index: int  # 0 = the first day of the drill
    arrivals: int
    shipped: int
    backlog: int  # orders still waiting at the end of the day
    late: int  # orders shipped this day after their deadline
    overdue: int  # orders waiting at the end of the day whose deadline has passed
    drain: bool = False  # a day after the drill's window (no new orders)


@dataclass(frozen=True)
class SurgeResult:
    capacity: int
    deadline_days: int
    days: tuple[SurgeDay, ...]

    @property
    def arrivals(self) -> int:
        return sum(day.arrivals for day in self.days)

    @property
    def shipped(self) -> int:
        return sum(day.shipped for day in self.days)

    @property
    def late(self) -> int:
        return sum(day.late for day in self.days)

    @property
    def max_backlog(self) -> int:
        return max((day.backlog for day in self.days if not day.drain), default=0)

    @property
    def unshipped(self) -> int:
        """Orders still waiting after the drain days ran out (only with an absurd backlog)."""
        return self.days[-1].backlog if self.days else 0

    @property
    def on_time(self) -> bool:
        """Every order ships within its deadline."""
        return self.late == 0 and self.unshipped == 0


def scaled(count: int, factor_percent: int) -> int:
    """`count` × factor (in percent, 300 = 3×), rounded half up, in whole orders."""
    if count < 0 or factor_percent < 0:
        raise ValueError("counts and factors are not negative")
    return (count * factor_percent + 50) // 100


def deadline_days(hours: int) -> int:
    if hours < 1:
        raise ValueError("the dispatch deadline is at least one hour")
    return hours // 24


def simulate(
    arrivals: Sequence[int],
    *,
    capacity: int,
    deadline_hours: int,
    factor_percent: int = 300,
    max_drain_days: int = MAX_DRAIN_DAYS,
) -> SurgeResult:
    """Run the queue day by day over `arrivals` (the real daily counts) multiplied by the factor."""
    if capacity < 1:
        raise ValueError("capacity is at least one order a day")
    window = deadline_days(deadline_hours)
    waiting: deque[list[int]] = deque()  # [arrival day, orders], oldest first
    backlog = 0
    days: list[SurgeDay] = []
    index = 0
    planned = [scaled(count, factor_percent) for count in arrivals]
    while index < len(planned) or (backlog and index < len(planned) + max_drain_days):
        drain = index >= len(planned)
        new = 0 if drain else planned[index]
        if new:
            waiting.append([index, new])
            backlog += new
        room = capacity
        late = 0
        shipped = 0
        while room and waiting:
            cohort = waiting[0]
            take = min(room, cohort[1])
            if index > cohort[0] + window:
                late += take
            cohort[1] -= take
            room -= take
            shipped += take
            if cohort[1] == 0:
                waiting.popleft()
        backlog -= shipped
        overdue = sum(count for day, count in waiting if index >= day + window)
        days.append(
            SurgeDay(
                index=index, arrivals=new, shipped=shipped, backlog=backlog, late=late, overdue=overdue, drain=drain
            )
        )
        index += 1
    return SurgeResult(capacity=capacity, deadline_days=window, days=tuple(days))


@dataclass(frozen=True)
class SurgeReport:
    """The drill over several warehouses: each one's result, and the shop's verdict."""

    factor_percent: int
    deadline_hours: int
    results: Mapping[int, SurgeResult]  # by warehouse id

    @property
    def on_time(self) -> bool:
        return all(result.on_time for result in self.results.values())

    @property
    def late(self) -> int:
        return sum(result.late for result in self.results.values())

    @property
    def arrivals(self) -> int:
        return sum(result.arrivals for result in self.results.values())

    @property
    def max_backlog(self) -> int:
        return max((result.max_backlog for result in self.results.values()), default=0)


def drill(
    arrivals: Mapping[int, Sequence[int]],
    capacities: Mapping[int, int],
    *,
    deadline_hours: int,
    factor_percent: int = 300,
) -> SurgeReport:
    """Simulate every warehouse of `arrivals` against its capacity."""
    return SurgeReport(
        factor_percent=factor_percent,
        deadline_hours=deadline_hours,
        results={
            warehouse_id: simulate(
                series, capacity=capacities[warehouse_id], deadline_hours=deadline_hours, factor_percent=factor_percent
            )
            for warehouse_id, series in sorted(arrivals.items())
        },
    )


def factor_percent(text: str) -> int:
    """ "3" → 300, "2.5" → 250, "1.25" → 125 (whole percent); ValueError outside 0.1–100."""
    value = text.strip()
    whole, _dot, fraction = value.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        raise ValueError(f"not a factor: {text!r}")
    percent = int(whole) * 100 + int((fraction + "00")[:2])
    if not 10 <= percent <= 10_000:
        raise ValueError(f"factor out of range: {text!r}")
    return percent
