from __future__ import annotations

from shopkeeper.core.domain.regions import PROVINCES, Region, province_named, provinces_in


def test_every_provincial_division_once() -> None:
    assert len(PROVINCES) == 34
    assert len({p.code for p in PROVINCES}) == 34
    assert len({p.name for p in PROVINCES}) == 34
    assert all(p.cities for p in PROVINCES)


def test_regions_hold_the_expected_provinces() -> None:
    east = {p.name for p in provinces_in(Region.EAST)}
    assert {"上海市", "江苏省", "浙江省"} <= east
    assert "广东省" in {p.name for p in provinces_in(Region.SOUTH)}


def test_short_names_resolve() -> None:
    assert province_named("浙江").name == "浙江省"  # type: ignore[union-attr]
    assert province_named("广西").name == "广西壮族自治区"  # type: ignore[union-attr]
    assert province_named("火星") is None
