"""The rules of a customer's address book, without the database.

An address names a province exactly as `core.domain.regions.PROVINCES` does (a short form such as
浙江 is accepted and written out in full), one of that province's cities, a district in the
shopper's own words and the street detail. A book holds at most `MAX_ADDRESSES`, exactly one of
them the default once it holds any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shopkeeper.core.domain.regions import PROVINCES, province_named
from shopkeeper.customers.domain.mobile import mobile_normalize

MAX_ADDRESSES = 20
RECIPIENT_MAX_LENGTH = 32
DISTRICT_MAX_LENGTH = 32
DETAIL_MAX_LENGTH = 120


class Problem(StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    INVALID = "invalid"  # not a mobile number
    UNKNOWN = "unknown"  # not a province we know / not a city of the chosen province


@dataclass(frozen=True)
class AddressDraft:
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    detail: str

    def fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


FIELDS: tuple[str, ...] = ("recipient", "mobile", "province", "city", "district", "detail")
MAX_LENGTHS: dict[str, int] = {
    "recipient": RECIPIENT_MAX_LENGTH,
    "district": DISTRICT_MAX_LENGTH,
    "detail": DETAIL_MAX_LENGTH,
}


def province_names() -> list[str]:
    return [province.name for province in PROVINCES]


def cities_of(province: str) -> tuple[str, ...]:
    """The cities of a province (official or short name); empty for a name we do not know."""
    found = province_named(province.strip()) if province.strip() else None
    return found.cities if found is not None else ()


def address_clean(draft: AddressDraft) -> tuple[AddressDraft, dict[str, Problem]]:
    """The draft as it is stored (trimmed, mobile as 11 digits, province in full) and what is wrong with it.

    The problems map a field name to what is wrong; an empty map means the address can be saved.
    """
    cleaned = replace(
        draft,
        recipient=" ".join(draft.recipient.split()),
        mobile=draft.mobile.strip(),
        province=draft.province.strip(),
        city=draft.city.strip(),
        district=draft.district.strip(),
        detail=" ".join(draft.detail.split()),
    )
    problems: dict[str, Problem] = {}
    for name in FIELDS:
        if not getattr(cleaned, name):
            problems[name] = Problem.REQUIRED
        elif len(getattr(cleaned, name)) > MAX_LENGTHS.get(name, 10**6):
            problems[name] = Problem.TOO_LONG
    if "mobile" not in problems:
        mobile = mobile_normalize(cleaned.mobile)
        if mobile is None:
            problems["mobile"] = Problem.INVALID
        else:
            cleaned = replace(cleaned, mobile=mobile)
    if "province" not in problems:
        province = province_named(cleaned.province)
        if province is None:
            problems["province"] = Problem.UNKNOWN
        else:
            cleaned = replace(cleaned, province=province.name)
            if "city" not in problems and cleaned.city not in province.cities:
                problems["city"] = Problem.UNKNOWN
    return cleaned, problems


@dataclass(frozen=True)
class BookEntry:
    """What the default rules need to know about an address already in the book."""

    id: int
    created_at: datetime
    is_default: bool


def default_after_delete(remaining: Sequence[BookEntry]) -> int | None:
    """Which address becomes the default when the default one is deleted: the newest remaining."""
    if not remaining:
        return None
    if any(entry.is_default for entry in remaining):
        return next(entry.id for entry in remaining if entry.is_default)
    return max(remaining, key=lambda entry: (entry.created_at, entry.id)).id


def becomes_default(*, book_size: int, asked: bool) -> bool:
    """A new address is the default when the shopper asks, or when it is the first in the book."""
    return asked or book_size == 0
