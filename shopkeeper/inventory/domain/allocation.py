"""Which warehouses ship an order: pure code, given the order's lines, the shipping province and
what each warehouse has available.

The rule, in order of preference:

1. **One warehouse that serves the province** (lists it in its provinces) and can fill every line.
2. Otherwise **one warehouse of the nearest region** that can fill every line. "Nearest" follows
   `REGION_PROXIMITY`: for each region of the shipping province, the regions in the order a parcel
   reaches them fastest by road from that region's hubs. East China (华东), for example, looks at
   East → Central → North → South → Southwest → Northeast → Northwest.
3. Otherwise **split** across warehouses, only because no single one can fill the order: the
   smallest number of warehouses that together can; among sets of that size, the one whose
   warehouses come first in proximity order. Each SKU is taken from the nearest warehouse of the
   set first.

Between warehouses of equal proximity the lower `position`, then the lower id, comes first, so the
answer never depends on the order the warehouses are given in.

Hong Kong, Macao and Taiwan (港澳台) are cross-border: only a warehouse that lists the province
ships there; there is no regional fallback. A province no warehouse can reach is not deliverable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from shopkeeper.core.domain.regions import Province, Region, province_named

E, S, N, C, SW, NW, NE = (
    Region.EAST,
    Region.SOUTH,
    Region.NORTH,
    Region.CENTRAL,
    Region.SOUTHWEST,
    Region.NORTHWEST,
    Region.NORTHEAST,
)

# For a parcel going to a province of the key region: warehouse regions, nearest first.
REGION_PROXIMITY: dict[Region, tuple[Region, ...]] = {
    Region.EAST: (E, C, N, S, SW, NE, NW),
    Region.CENTRAL: (C, E, N, S, SW, NW, NE),
    Region.NORTH: (N, NE, C, E, NW, SW, S),
    Region.SOUTH: (S, C, E, SW, N, NW, NE),
    Region.SOUTHWEST: (SW, C, S, NW, E, N, NE),
    Region.NORTHWEST: (NW, SW, N, C, E, NE, S),
    Region.NORTHEAST: (NE, N, E, C, NW, S, SW),
}

# Above this many useful warehouses the exact smallest-split search (which tries subsets) gives way
# to a greedy cover. Real shops run a handful of regional warehouses.
EXACT_SPLIT_LIMIT = 14


@dataclass(frozen=True)
class Line:
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class WarehouseStock:
    """One warehouse as allocation sees it: where it is, whom it serves and its available units."""

    warehouse_id: int
    region: Region
    provinces: frozenset[str]
    available: Mapping[int, int]  # sku_id → units on hand minus reserved
    position: int = 0

    def units(self, sku_id: int) -> int:
        return max(self.available.get(sku_id, 0), 0)

    def can_fill(self, lines: Iterable[Line]) -> bool:
        return all(self.units(line.sku_id) >= line.quantity for line in lines)


@dataclass(frozen=True)
class Pick:
    warehouse_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Shortage:
    sku_id: int
    requested: int
    available: int  # over every warehouse that can reach the province


class NotDeliverable(Exception):
    """No warehouse reaches the province (or the province is not one we know)."""

    def __init__(self, province: str) -> None:
        super().__init__(f"No warehouse delivers to {province!r}")
        self.province = province


class CannotFill(Exception):
    """The warehouses that reach the province hold too few units of some SKUs, even together."""

    def __init__(self, shortages: Sequence[Shortage]) -> None:
        super().__init__(", ".join(f"SKU {s.sku_id}: {s.available} of {s.requested}" for s in shortages))
        self.shortages = list(shortages)


def merge_lines(lines: Iterable[Line]) -> list[Line]:
    """One line per SKU (quantities added up), in SKU order; quantities must be whole and above zero."""
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.quantity <= 0:
            raise ValueError(f"SKU {line.sku_id}: the quantity must be above zero, not {line.quantity}")
        totals[line.sku_id] += line.quantity
    return [Line(sku_id, quantity) for sku_id, quantity in sorted(totals.items())]


def region_order(region: Region) -> tuple[Region, ...]:
    """Warehouse regions nearest first for a parcel to `region`; empty for cross-border regions."""
    return REGION_PROXIMITY.get(region, ())


def _rank(warehouse: WarehouseStock, province: Province) -> tuple[int, int, int, int] | None:
    if province.name in warehouse.provinces:
        return (0, 0, warehouse.position, warehouse.warehouse_id)
    order = region_order(province.region)
    if warehouse.region in order:
        return (1, order.index(warehouse.region), warehouse.position, warehouse.warehouse_id)
    return None


def resolve_province(name: str) -> Province:
    found = province_named(name.strip())
    if found is None:
        raise NotDeliverable(name)
    return found


def ranked_warehouses(warehouses: Iterable[WarehouseStock], province: str) -> list[WarehouseStock]:
    """The warehouses that reach the province, best first; NotDeliverable when there are none."""
    target = resolve_province(province)
    keyed = [(rank, warehouse) for warehouse in warehouses if (rank := _rank(warehouse, target)) is not None]
    if not keyed:
        raise NotDeliverable(province)
    return [warehouse for _rank_key, warehouse in sorted(keyed, key=lambda pair: pair[0])]


def _covers(warehouses: Sequence[WarehouseStock], lines: Sequence[Line]) -> bool:
    return all(sum(w.units(line.sku_id) for w in warehouses) >= line.quantity for line in lines)


def _fill(warehouses: Sequence[WarehouseStock], lines: Sequence[Line]) -> list[Pick]:
    """Take each SKU from the first warehouses of the (ranked) set until the line is full."""
    picks: dict[tuple[int, int], int] = {}
    for line in lines:
        remaining = line.quantity
        for index, warehouse in enumerate(warehouses):
            take = min(warehouse.units(line.sku_id), remaining)
            if take > 0:
                picks[(index, line.sku_id)] = take
                remaining -= take
            if remaining == 0:
                break
    return [
        Pick(warehouse_id=warehouses[index].warehouse_id, sku_id=sku_id, quantity=quantity)
        for (index, sku_id), quantity in sorted(picks.items())
    ]


def _greedy_cover(useful: Sequence[WarehouseStock], lines: Sequence[Line]) -> list[WarehouseStock]:
    """Many warehouses: repeatedly add the one that supplies most of what is still missing."""
    chosen: list[WarehouseStock] = []
    missing = {line.sku_id: line.quantity for line in lines}
    while any(missing.values()):
        best = max(
            (w for w in useful if w not in chosen),
            key=lambda w: (sum(min(w.units(sku), left) for sku, left in missing.items()), -useful.index(w)),
        )
        chosen.append(best)
        for sku in missing:
            missing[sku] = max(missing[sku] - best.units(sku), 0)
    return sorted(chosen, key=useful.index)


def allocate(lines: Iterable[Line], warehouses: Iterable[WarehouseStock], province: str) -> list[Pick]:
    """Where each unit of the order ships from (see the module's rule); raises NotDeliverable or CannotFill."""
    wanted = merge_lines(lines)
    candidates = ranked_warehouses(warehouses, province)
    shortages = [
        Shortage(sku_id=line.sku_id, requested=line.quantity, available=total)
        for line in wanted
        if (total := sum(w.units(line.sku_id) for w in candidates)) < line.quantity
    ]
    if shortages:
        raise CannotFill(shortages)
    if not wanted:
        return []
    for warehouse in candidates:
        if warehouse.can_fill(wanted):
            return _fill([warehouse], wanted)
    useful = [w for w in candidates if any(w.units(line.sku_id) > 0 for line in wanted)]
    if len(useful) > EXACT_SPLIT_LIMIT:
        return _fill(_greedy_cover(useful, wanted), wanted)
    for size in range(2, len(useful) + 1):
        # combinations() walks subsets in rank order, so the first that covers is the nearest smallest set.
        for subset in combinations(useful, size):
            if _covers(subset, wanted):
                return _fill(subset, wanted)
    raise AssertionError("unreachable: the candidates together cover every line")  # pragma: no cover
