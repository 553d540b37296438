"""Review rules without a database: valid drafts, name masking, averages and the star distribution."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopkeeper.catalog.domain.reviews import (
    MASK,
    PHOTOS_MAX,
    TEXT_MAX_LENGTH,
    Problem,
    ReviewInvalid,
    average_rating,
    mask_name,
    percent_of,
    photo_url_allowed,
    review_draft,
    star_distribution,
)

GOOD_PHOTO = st.sampled_from(["https://img.example.com/a.jpg", "http://cdn.example.cn/r/1.png", "/media/reviews/1.jpg"])


class TestDraft:
    @given(rating=st.integers(1, 5), text=st.text(max_size=TEXT_MAX_LENGTH), photos=st.lists(GOOD_PHOTO, max_size=9))
    def test_any_rating_one_to_five_with_short_text_and_few_photos_is_accepted(
        self, rating: int, text: str, photos: list[str]
    ) -> None:
        draft = review_draft(rating=rating, text=text, photos=photos)
        assert draft.rating == rating
        assert draft.text == text.strip()
        assert list(draft.photos) == photos

    @given(rating=st.integers().filter(lambda n: not 1 <= n <= 5))
    def test_ratings_outside_one_to_five_are_refused(self, rating: int) -> None:
        with pytest.raises(ReviewInvalid) as caught:
            review_draft(rating=rating, text="", photos=[])
        assert caught.value.problems == {"rating": Problem.RATING_OUT_OF_RANGE}

    @pytest.mark.parametrize("rating", [4.5, "5", None, True, Decimal(4)])
    def test_a_rating_must_be_a_whole_number(self, rating: object) -> None:
        with pytest.raises(ReviewInvalid) as caught:
            review_draft(rating=rating, text="", photos=[])
        assert caught.value.problems == {"rating": Problem.RATING_NOT_WHOLE}

    @given(extra=st.integers(1, 50))
    def test_text_over_the_limit_is_refused(self, extra: int) -> None:
        with pytest.raises(ReviewInvalid) as caught:
            review_draft(rating=5, text="好" * (TEXT_MAX_LENGTH + extra), photos=[])
        assert caught.value.problems == {"text": Problem.TEXT_TOO_LONG}

    @given(photos=st.lists(GOOD_PHOTO, min_size=PHOTOS_MAX + 1, max_size=PHOTOS_MAX + 5))
    def test_more_than_nine_photos_are_refused(self, photos: list[str]) -> None:
        with pytest.raises(ReviewInvalid) as caught:
            review_draft(rating=5, text="", photos=photos)
        assert caught.value.problems == {"photos": Problem.PHOTOS_TOO_MANY}

    def test_every_bad_field_is_named_at_once(self) -> None:
        with pytest.raises(ReviewInvalid) as caught:
            review_draft(rating=0, text="x" * 501, photos="https://img.example.com/a.jpg")
        assert set(caught.value.problems) == {"rating", "text", "photos"}


class TestPhotoUrls:
    @pytest.mark.parametrize(
        "url",
        ["https://img.example.com/a.jpg", "http://img.example.com/a.jpg?x=1", "/media/reviews/2026/11/a.jpg"],
    )
    def test_web_addresses_and_media_files_are_allowed(self, url: str) -> None:
        assert photo_url_allowed(url)

    @pytest.mark.parametrize(
        "url",
        [
            "",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://example.com/a.jpg",
            "//evil.example.com/a.jpg",
            "/static/a.jpg",
            "/media/../settings.py",
            "/media/a b.jpg",
            "https://",
            " https://img.example.com/a.jpg",
            "https://img.example.com/" + "a" * 500,
        ],
    )
    def test_anything_else_is_refused(self, url: str) -> None:
        assert not photo_url_allowed(url)

    @given(st.text(max_size=60))
    def test_an_allowed_address_is_always_http_or_a_media_path(self, url: str) -> None:
        if photo_url_allowed(url):
            assert url.startswith(("http://", "https://", "/media/"))


class TestMaskName:
    @given(st.text(min_size=1).filter(lambda s: s.strip()))
    def test_only_the_first_character_shows_and_the_length_is_hidden(self, name: str) -> None:
        masked = mask_name(name)
        assert masked == name.strip()[0] + MASK
        assert len(masked) == 1 + len(MASK)

    def test_a_chinese_name(self) -> None:
        assert mask_name("王小明") == "王**"

    def test_no_name_gives_an_empty_label(self) -> None:
        assert mask_name("  ") == ""


class TestAverage:
    @given(ratings=st.lists(st.integers(1, 5), min_size=1, max_size=200))
    def test_the_average_stays_between_one_and_five_and_within_half_a_tenth(self, ratings: list[int]) -> None:
        average = average_rating(total=sum(ratings), count=len(ratings))
        assert average is not None
        assert Decimal(1) <= average <= Decimal(5)
        exact = Decimal(sum(ratings)) / Decimal(len(ratings))
        assert abs(average - exact) <= Decimal("0.05")
        assert average == average.quantize(Decimal("0.1"))

    def test_halves_round_up(self) -> None:
        assert average_rating(total=14, count=3) == Decimal("4.7")
        assert average_rating(total=93, count=20) == Decimal("4.7")  # 4.65
        assert average_rating(total=9, count=2) == Decimal("4.5")

    def test_no_ratings_no_average(self) -> None:
        assert average_rating(total=0, count=0) is None


class TestDistribution:
    @given(st.dictionaries(st.integers(1, 5), st.integers(0, 10_000)))
    def test_five_levels_from_five_down_summing_to_the_counts(self, counts: dict[int, int]) -> None:
        bars = star_distribution(counts)
        assert [stars for stars, _n in bars] == [5, 4, 3, 2, 1]
        assert sum(n for _stars, n in bars) == sum(counts.values())

    @given(part=st.integers(0, 10_000), extra=st.integers(0, 10_000))
    def test_percentages_stay_between_0_and_100(self, part: int, extra: int) -> None:
        assert 0 <= percent_of(part, part + extra) <= 100
        assert percent_of(part, 0) == 0
