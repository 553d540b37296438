"""Allocation as pure code: the serving warehouse first, then the nearest region, then the smallest
split; quantities always add up and never exceed what a warehouse has. No database."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkeeper.core.domain.regions import PROVINCES, Region
from shopkeeper.inventory.domain.allocation import (
    REGION_PROXIMITY,
    CannotFill,
    Line,
    NotDeliverable,
    Pick,
    WarehouseStock,
    allocate,
    merge_lines,
    ranked_warehouses,
    region_order,
)

EAST_PROVINCES = frozenset({"上海市", "江苏省", "浙江省", "安徽省"})


def warehouse(
    warehouse_id: int,
    region: Region,
    stock: dict[int, int],
    provinces: frozenset[str] = frozenset(),
    position: int = 0,
) -> WarehouseStock:
    return WarehouseStock(
        warehouse_id=warehouse_id, region=region, provinces=provinces, available=stock, position=position
    )


class TestRegionOrder:
    def test_every_mainland_region_lists_every_mainland_region_once_itself_first(self) -> None:
        mainland = set(Region) - {Region.HMT}
        assert set(REGION_PROXIMITY) == mainland
        for region, order in REGION_PROXIMITY.items():
            assert order[0] is region
            assert sorted(order) == sorted(mainland)

    def test_east_looks_at_central_then_north_then_south(self) -> None:
        assert region_order(Region.EAST)[:4] == (Region.EAST, Region.CENTRAL, Region.NORTH, Region.SOUTH)

    def test_cross_border_has_no_regional_fallback(self) -> None:
        assert region_order(Region.HMT) == ()

    def test_every_mainland_province_is_reached_by_every_mainland_warehouse(self) -> None:
        everywhere = [warehouse(index, region, {}) for index, region in enumerate(REGION_PROXIMITY)]
        for province in PROVINCES:
            if province.region is not Region.HMT:
                assert len(ranked_warehouses(everywhere, province.name)) == len(REGION_PROXIMITY)


class TestChoosingWarehouses:
    def test_the_warehouse_serving_the_province_ships_the_whole_order(self) -> None:
        east = warehouse(1, Region.EAST, {10: 5, 11: 5}, EAST_PROVINCES)
        south = warehouse(2, Region.SOUTH, {10: 50, 11: 50})
        picks = allocate([Line(10, 2), Line(11, 1)], [south, east], "上海市")
        assert picks == [Pick(1, 10, 2), Pick(1, 11, 1)]

    def test_short_province_names_are_understood(self) -> None:
        east = warehouse(1, Region.EAST, {10: 5}, EAST_PROVINCES)
        assert allocate([Line(10, 1)], [east], "浙江") == [Pick(1, 10, 1)]

    def test_when_the_serving_warehouse_cannot_fill_it_the_nearest_region_does(self) -> None:
        east = warehouse(1, Region.EAST, {10: 1}, EAST_PROVINCES)
        north = warehouse(2, Region.NORTH, {10: 9})
        central = warehouse(3, Region.CENTRAL, {10: 9})
        south = warehouse(4, Region.SOUTH, {10: 9})
        assert allocate([Line(10, 3)], [east, north, south, central], "上海市") == [Pick(3, 10, 3)]

    def test_a_warehouse_that_serves_the_province_beats_one_of_its_own_region(self) -> None:
        guangzhou = warehouse(1, Region.SOUTH, {10: 9}, frozenset({"广东省"}))
        shanghai_serving_guangdong = warehouse(2, Region.EAST, {10: 9}, frozenset({"广东省", "上海市"}))
        picks = allocate([Line(10, 1)], [guangzhou, shanghai_serving_guangdong], "广东省")
        assert picks == [Pick(1, 10, 1)]  # both serve it: the lower id breaks the tie
        assert allocate([Line(10, 1)], [warehouse(1, Region.SOUTH, {10: 9}), shanghai_serving_guangdong], "广东省") == [
            Pick(2, 10, 1)
        ]

    def test_equal_warehouses_go_by_position_then_id(self) -> None:
        first = warehouse(7, Region.NORTH, {10: 9}, position=1)
        second = warehouse(3, Region.NORTH, {10: 9}, position=2)
        assert allocate([Line(10, 1)], [second, first], "北京市") == [Pick(7, 10, 1)]

    def test_split_only_when_no_single_warehouse_can_fill_the_order(self) -> None:
        east = warehouse(1, Region.EAST, {10: 2, 11: 0}, EAST_PROVINCES)
        central = warehouse(2, Region.CENTRAL, {10: 0, 11: 3})
        north = warehouse(3, Region.NORTH, {10: 2, 11: 3})
        # North alone can fill it, so it ships from one warehouse even though East serves the province.
        assert allocate([Line(10, 2), Line(11, 3)], [east, central, north], "上海市") == [
            Pick(3, 10, 2),
            Pick(3, 11, 3),
        ]
        north_short = warehouse(3, Region.NORTH, {10: 1, 11: 1})
        picks = allocate([Line(10, 2), Line(11, 3)], [east, central, north_short], "上海市")
        assert picks == [Pick(1, 10, 2), Pick(2, 11, 3)]

    def test_a_split_uses_the_fewest_warehouses(self) -> None:
        # Greedy by proximity would take East, Central and North; South and Southwest together suffice.
        east = warehouse(1, Region.EAST, {10: 1}, EAST_PROVINCES)
        central = warehouse(2, Region.CENTRAL, {11: 1})
        north = warehouse(3, Region.NORTH, {12: 1})
        south = warehouse(4, Region.SOUTH, {10: 1, 11: 1})
        southwest = warehouse(5, Region.SOUTHWEST, {11: 1, 12: 1})
        picks = allocate([Line(10, 1), Line(11, 1), Line(12, 1)], [east, central, north, south, southwest], "上海市")
        assert {pick.warehouse_id for pick in picks} in ({1, 5}, {4, 3}, {4, 5})
        assert len({pick.warehouse_id for pick in picks}) == 2

    def test_lines_of_the_same_sku_are_added_up(self) -> None:
        assert merge_lines([Line(11, 1), Line(10, 2), Line(11, 3)]) == [Line(10, 2), Line(11, 4)]
        with pytest.raises(ValueError, match="above zero"):
            merge_lines([Line(10, 0)])


class TestRefusals:
    def test_too_few_units_anywhere_names_each_short_sku(self) -> None:
        east = warehouse(1, Region.EAST, {10: 2, 11: 9}, EAST_PROVINCES)
        north = warehouse(2, Region.NORTH, {10: 1})
        with pytest.raises(CannotFill) as refused:
            allocate([Line(10, 5), Line(11, 1)], [east, north], "上海市")
        assert [(s.sku_id, s.requested, s.available) for s in refused.value.shortages] == [(10, 5, 3)]

    def test_unknown_province_is_not_deliverable(self) -> None:
        with pytest.raises(NotDeliverable):
            allocate([Line(10, 1)], [warehouse(1, Region.EAST, {10: 9})], "火星")

    def test_hong_kong_needs_a_warehouse_that_lists_it(self) -> None:
        mainland = warehouse(1, Region.SOUTH, {10: 9}, frozenset({"广东省"}))
        with pytest.raises(NotDeliverable):
            allocate([Line(10, 1)], [mainland], "香港特别行政区")
        cross_border = warehouse(2, Region.SOUTH, {10: 9}, frozenset({"广东省", "香港特别行政区"}))
        assert allocate([Line(10, 1)], [mainland, cross_border], "香港") == [Pick(2, 10, 1)]

    def test_no_warehouse_at_all_is_not_deliverable(self) -> None:
        with pytest.raises(NotDeliverable):
            allocate([Line(10, 1)], [], "上海市")


# --- properties -----------------------------------------------------------------------------

SKUS = [10, 11, 12, 13]
PROVINCE_CHOICES = ["上海市", "浙江省", "广东省", "北京市", "四川省", "黑龙江省", "新疆维吾尔自治区", "香港特别行政区"]


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Line], list[WarehouseStock], str]:
    count = draw(st.integers(1, 6))
    ids = draw(st.lists(st.integers(1, 1000), min_size=count, max_size=count, unique=True))
    warehouses = [
        WarehouseStock(
            warehouse_id=warehouse_id,
            region=draw(st.sampled_from(list(Region))),
            provinces=frozenset(draw(st.lists(st.sampled_from(PROVINCE_CHOICES), max_size=3))),
            available={sku: draw(st.integers(-2, 8)) for sku in draw(st.lists(st.sampled_from(SKUS), unique=True))},
            position=draw(st.integers(0, 3)),
        )
        for warehouse_id in ids
    ]
    skus = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=4, unique=True))
    lines = [Line(sku, draw(st.integers(1, 12))) for sku in skus]
    return lines, warehouses, draw(st.sampled_from(PROVINCE_CHOICES))


def _answer(lines: list[Line], warehouses: list[WarehouseStock], province: str) -> list[Pick] | str:
    try:
        return allocate(lines, warehouses, province)
    except NotDeliverable:
        return "not deliverable"
    except CannotFill:
        return "cannot fill"


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_allocation_properties(world: tuple[list[Line], list[WarehouseStock], str]) -> None:
    lines, warehouses, province = world
    answer = _answer(lines, warehouses, province)
    by_id = {w.warehouse_id: w for w in warehouses}

    # Deterministic, whatever order the warehouses come in.
    shuffled = list(warehouses)
    random.Random(len(lines)).shuffle(shuffled)  # noqa: S311  (a shuffle, not a secret)
    assert _answer(lines, shuffled, province) == answer
    assert _answer(lines, list(reversed(warehouses)), province) == answer

    if answer == "not deliverable":
        return
    reachable = ranked_warehouses(warehouses, province)
    total = {line.sku_id: sum(w.units(line.sku_id) for w in reachable) for line in lines}
    if answer == "cannot fill":
        assert any(total[line.sku_id] < line.quantity for line in lines)
        return
    assert isinstance(answer, list)

    # Quantities add up to what was asked, per SKU, and never exceed a warehouse's available units.
    for line in lines:
        assert sum(p.quantity for p in answer if p.sku_id == line.sku_id) == line.quantity
    for pick in answer:
        assert pick.quantity > 0
        assert pick.quantity <= by_id[pick.warehouse_id].units(pick.sku_id)
        assert by_id[pick.warehouse_id] in reachable
    assert len({(p.warehouse_id, p.sku_id) for p in answer}) == len(answer)

    # One warehouse whenever one can fill it all: the best-ranked such warehouse.
    used = {p.warehouse_id for p in answer}
    single = [w for w in reachable if w.can_fill(lines)]
    if single:
        assert used == {single[0].warehouse_id}
        return

    # Otherwise the fewest warehouses that can (brute force over every subset).
    def covers(subset: tuple[WarehouseStock, ...]) -> bool:
        return all(sum(w.units(line.sku_id) for w in subset) >= line.quantity for line in lines)

    fewest = next(size for size in range(1, len(reachable) + 1) if any(map(covers, combinations(reachable, size))))
    assert len(used) == fewest
