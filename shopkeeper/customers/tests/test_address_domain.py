"""Address-book rules without the database: what a valid address is, and which one is the default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.core.domain.regions import PROVINCES, Province
from shopkeeper.customers.domain.addresses import (
    DETAIL_MAX_LENGTH,
    AddressDraft,
    BookEntry,
    Problem,
    address_clean,
    becomes_default,
    cities_of,
    default_after_delete,
)

GOOD = AddressDraft(
    recipient="李小美",
    mobile="138 0013 8000",
    province="浙江省",
    city="杭州市",
    district="西湖区",
    detail="文三路 90 号 东部软件园 3 号楼",
)


def draft(**changes: str) -> AddressDraft:
    return AddressDraft(**{**GOOD.__dict__, **changes})


def test_a_good_address_is_stored_tidied() -> None:
    cleaned, problems = address_clean(draft(recipient="  李  小美 ", detail=" 文三路  90 号 "))
    assert problems == {}
    assert cleaned.mobile == "13800138000"
    assert cleaned.recipient == "李 小美"
    assert cleaned.detail == "文三路 90 号"


def test_a_short_province_name_is_written_out() -> None:
    cleaned, problems = address_clean(draft(province="浙江"))
    assert problems == {}
    assert cleaned.province == "浙江省"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"recipient": " "}, {"recipient": Problem.REQUIRED}),
        ({"mobile": "12345"}, {"mobile": Problem.INVALID}),
        ({"province": "火星"}, {"province": Problem.UNKNOWN}),
        ({"city": "南京市"}, {"city": Problem.UNKNOWN}),  # a city, but of 江苏省
        ({"district": ""}, {"district": Problem.REQUIRED}),
        ({"detail": "路" * (DETAIL_MAX_LENGTH + 1)}, {"detail": Problem.TOO_LONG}),
        ({"recipient": "", "city": "", "detail": ""}, dict.fromkeys(("recipient", "city", "detail"), Problem.REQUIRED)),
    ],
)
def test_each_problem_is_named_on_its_field(changes: dict[str, str], expected: dict[str, Problem]) -> None:
    assert address_clean(draft(**changes))[1] == expected


def test_detail_of_exactly_the_limit_is_fine() -> None:
    assert address_clean(draft(detail="路" * DETAIL_MAX_LENGTH))[1] == {}


@given(st.sampled_from(PROVINCES).flatmap(lambda p: st.tuples(st.just(p.name), st.sampled_from(p.cities))))
def test_every_city_of_every_province_is_accepted(place: tuple[str, str]) -> None:
    province, city = place
    assert address_clean(draft(province=province, city=city))[1] == {}
    assert city in cities_of(province)


@given(st.sampled_from(PROVINCES), st.sampled_from(PROVINCES))
def test_a_city_of_another_province_is_refused(chosen: Province, other: Province) -> None:
    for city in set(other.cities) - set(chosen.cities):
        assert address_clean(draft(province=chosen.name, city=city))[1] == {"city": Problem.UNKNOWN}


def test_cities_of_an_unknown_province_are_none() -> None:
    assert cities_of("") == ()
    assert cities_of("火星") == ()
    assert cities_of("上海市") == ("上海市",)


T0 = datetime(2026, 11, 1, tzinfo=UTC)
ENTRIES = st.lists(
    st.builds(
        BookEntry,
        id=st.integers(min_value=1, max_value=10**6),
        created_at=st.integers(min_value=0, max_value=10**6).map(lambda s: T0 + timedelta(seconds=s)),
        is_default=st.just(False),
    ),
    max_size=19,
    unique_by=lambda entry: entry.id,
)


@given(ENTRIES)
def test_after_deleting_the_default_the_newest_remaining_takes_over(remaining: list[BookEntry]) -> None:
    chosen = default_after_delete(remaining)
    if not remaining:
        assert chosen is None
        return
    newest = max(remaining, key=lambda entry: (entry.created_at, entry.id))
    assert chosen == newest.id


def test_an_existing_default_stays() -> None:
    kept = BookEntry(id=1, created_at=T0, is_default=True)
    newer = BookEntry(id=2, created_at=T0 + timedelta(days=1), is_default=False)
    assert default_after_delete([kept, newer]) == 1


def test_the_first_address_becomes_the_default() -> None:
    assert becomes_default(book_size=0, asked=False)
    assert becomes_default(book_size=3, asked=True)
    assert not becomes_default(book_size=3, asked=False)
