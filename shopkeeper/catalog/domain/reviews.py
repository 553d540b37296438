"""Product reviews without the database: what a valid review is, how a reviewer's name is masked,
and how ratings are averaged and counted by stars."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

RATING_MIN = 1
RATING_MAX = 5
TEXT_MAX_LENGTH = 500
PHOTOS_MAX = 9
PHOTO_URL_MAX_LENGTH = 500
MASK = "**"

_MEDIA_PATH = re.compile(r"^/media/[^\s?#\\]+$")


class Problem:
    """Why a field of a review draft is refused; the services turn these into translated messages."""

    RATING_NOT_WHOLE = "rating_not_whole"
    RATING_OUT_OF_RANGE = "rating_out_of_range"
    TEXT_NOT_TEXT = "text_not_text"
    TEXT_TOO_LONG = "text_too_long"
    PHOTOS_NOT_LIST = "photos_not_list"
    PHOTOS_TOO_MANY = "photos_too_many"
    PHOTO_URL = "photo_url"


@dataclass(frozen=True)
class ReviewDraft:
    """A review's values once checked: text stripped, photos as given (order kept)."""

    rating: int
    text: str
    photos: tuple[str, ...]


class ReviewInvalid(ValueError):
    """One or more fields of a draft are refused; `problems` maps each field to its `Problem`."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {problem}" for name, problem in problems.items()))
        self.problems = dict(problems)


def photo_url_allowed(url: str) -> bool:
    """A web address (http or https, with a host) or a file under /media/; nothing that could run script."""
    if not url or len(url) > PHOTO_URL_MAX_LENGTH or url != url.strip():
        return False
    if url.startswith("/"):
        return bool(_MEDIA_PATH.match(url)) and ".." not in url.split("/")
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not any(ch.isspace() for ch in url)


def review_draft(*, rating: object, text: object, photos: object) -> ReviewDraft:
    """Check a customer's rating, text and photos together; raise `ReviewInvalid` naming every bad field."""
    problems: dict[str, str] = {}
    if isinstance(rating, bool) or not isinstance(rating, int):
        problems["rating"] = Problem.RATING_NOT_WHOLE
    elif not RATING_MIN <= rating <= RATING_MAX:
        problems["rating"] = Problem.RATING_OUT_OF_RANGE
    clean_text = ""
    if not isinstance(text, str):
        problems["text"] = Problem.TEXT_NOT_TEXT
    else:
        clean_text = text.strip()
        if len(clean_text) > TEXT_MAX_LENGTH:
            problems["text"] = Problem.TEXT_TOO_LONG
    clean_photos: tuple[str, ...] = ()
    if isinstance(photos, str) or not isinstance(photos, Sequence):
        problems["photos"] = Problem.PHOTOS_NOT_LIST
    elif len(photos) > PHOTOS_MAX:
        problems["photos"] = Problem.PHOTOS_TOO_MANY
    elif not all(isinstance(url, str) and photo_url_allowed(url) for url in photos):
        problems["photos"] = Problem.PHOTO_URL
    else:
        clean_photos = tuple(str(url) for url in photos)
    if problems:
        raise ReviewInvalid(problems)
    assert isinstance(rating, int)  # checked above; narrows the type for mypy
    return ReviewDraft(rating=rating, text=clean_text, photos=clean_photos)


def mask_name(name: str) -> str:
    """How a reviewer appears to other shoppers: the first character and two stars ("王小明" → "王**").

    The mask has the same length whatever the name, so it does not give the name's length away.
    An empty name gives an empty label (the page then says "anonymous").
    """
    name = name.strip()
    return f"{name[0]}{MASK}" if name else ""


def average_rating(*, total: int, count: int) -> Decimal | None:
    """The average on the 1–5 scale, rounded half up to one decimal (4.65 → 4.7); None without ratings."""
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def star_distribution(counts: Mapping[int, int]) -> list[tuple[int, int]]:
    """(stars, how many) from 5 stars down to 1, every level present, unknown levels ignored."""
    return [(stars, max(0, int(counts.get(stars, 0)))) for stars in range(RATING_MAX, RATING_MIN - 1, -1)]


def percent_of(part: int, whole: int) -> int:
    """A whole-number percentage for a bar's width (0 when there is nothing to divide)."""
    if whole <= 0:
        return 0
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
