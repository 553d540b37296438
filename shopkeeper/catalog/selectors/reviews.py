"""Review reads: a listed product's visible reviews for shoppers (newest first, with the rating and
its star distribution) and the staff's filtered review list for moderation. Each runs a fixed
number of queries whatever the number of reviews and photos."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog.domain.reviews import RATING_MAX, percent_of, star_distribution
from shopkeeper.catalog.models import Review
from shopkeeper.catalog.selectors.storefront import Rating, listed_products
from shopkeeper.core.errors import NotFound

PRODUCT_PAGE_REVIEWS = 5  # how many reviews the product page shows before "all reviews"
REVIEWS_PAGE_SIZE = 10


@dataclass(frozen=True)
class StarCount:
    """One bar of the distribution: how many visible reviews gave this many stars."""

    stars: int
    count: int
    percent: int


@dataclass(frozen=True)
class RatingSummary:
    """The product's rating (from its running totals) and its visible reviews counted by stars, 5 → 1."""

    rating: Rating
    stars: list[StarCount]

    @property
    def review_count(self) -> int:
        return sum(bar.count for bar in self.stars)


def review_photos(review: Review) -> list[str]:
    """The review's photo addresses, whatever the stored JSON holds."""
    return [str(url) for url in review.photos] if isinstance(review.photos, list) else []


def _visible(product_id: int) -> QuerySet[Review]:
    return Review.objects.filter(product_id=product_id, is_hidden=False)


def rating_stars(*, product_id: int) -> list[StarCount]:
    """The visible reviews of a product counted by stars, 5 → 1, every level present (one query)."""
    counts = {
        int(row["rating"]): int(row["n"])
        for row in _visible(product_id).order_by().values("rating").annotate(n=Count("pk"))
    }
    bars = star_distribution(counts)
    total = sum(count for _stars, count in bars)
    return [StarCount(stars=stars, count=count, percent=percent_of(count, total)) for stars, count in bars]


def rating_summary(*, rating: Rating, product_id: int) -> RatingSummary:
    """The summary for a product whose rating is already loaded (one query; none without ratings)."""
    if rating.count <= 0:
        return RatingSummary(rating=rating, stars=[StarCount(stars, 0, 0) for stars, _n in star_distribution({})])
    return RatingSummary(rating=rating, stars=rating_stars(product_id=product_id))


@dataclass(frozen=True)
class PublicReview:
    """A review as shoppers see it: no order line, no author id, no moderation fields."""

    id: int
    author: str  # masked, e.g. "王**"; empty when the customer had no name
    rating: int
    text: str
    photos: list[str]
    spec: str
    created_at: datetime

    @property
    def stars(self) -> str:
        return "★" * self.rating + "☆" * (RATING_MAX - self.rating)


def reviews_newest(*, product_id: int, limit: int, offset: int = 0) -> list[PublicReview]:
    """Visible reviews of a product, newest first (one query; photos are stored on the review)."""
    reviews = _visible(product_id).order_by("-created_at", "-pk")[offset : offset + limit]
    return [
        PublicReview(
            id=review.pk,
            author=review.author_label,
            rating=review.rating,
            text=review.text,
            photos=review_photos(review),
            spec=review.spec_label,
            created_at=review.created_at,
        )
        for review in reviews
    ]


@dataclass(frozen=True)
class ReviewPage:
    product_title: str
    summary: RatingSummary
    items: list[PublicReview]
    count: int  # visible reviews in all


def product_reviews_public(*, product_id: int, limit: int, offset: int = 0) -> ReviewPage:
    """A listed product's rating, star distribution and a page of its visible reviews (3 queries).

    Drafts, delisted and unknown products are not found.
    """
    found = listed_products().filter(pk=product_id).values_list("title", "rating_count", "rating_sum").first()
    if found is None:
        raise NotFound(_("No product with id %(id)s") % {"id": product_id}, details={"id": product_id})
    title, rating_count, rating_sum = found
    summary = rating_summary(rating=Rating(count=rating_count, total=rating_sum), product_id=product_id)
    count = summary.review_count
    items = reviews_newest(product_id=product_id, limit=limit, offset=offset) if count > offset else []
    return ReviewPage(product_title=title, summary=summary, items=items, count=count)


# --- staff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFilters:
    """The moderation list's filters; dates are the shop's local calendar days, both ends included."""

    product_id: int | None = None
    rating: int | None = None
    hidden: bool | None = None
    has_photos: bool | None = None
    posted_from: date | None = None
    posted_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def review_list_staff(filters: ReviewFilters) -> QuerySet[Review]:
    """Every review matching the filters, hidden ones included, newest first, with product and SKU joined."""
    queryset = Review.objects.select_related("product", "sku", "hidden_by")
    if filters.product_id is not None:
        queryset = queryset.filter(product_id=filters.product_id)
    if filters.rating is not None:
        queryset = queryset.filter(rating=filters.rating)
    if filters.hidden is not None:
        queryset = queryset.filter(is_hidden=filters.hidden)
    if filters.has_photos is True:
        queryset = queryset.exclude(photos=[])
    elif filters.has_photos is False:
        queryset = queryset.filter(photos=[])
    if filters.posted_from is not None:
        queryset = queryset.filter(created_at__gte=_day_start(filters.posted_from))
    if filters.posted_to is not None:
        queryset = queryset.filter(created_at__lt=_day_start(filters.posted_to) + timedelta(days=1))
    return queryset.order_by("-created_at", "-pk")


def review_get(*, review_id: int) -> Review:
    found = Review.objects.select_related("product", "sku", "hidden_by").filter(pk=review_id).first()
    if found is None:
        raise NotFound(_("No review with id %(id)s") % {"id": review_id}, details={"id": review_id})
    return found


def reviewed_line_keys(keys: Iterable[str]) -> set[str]:
    """Which of these order lines have been reviewed already (one query)."""
    wanted = list(keys)
    if not wanted:
        return set()
    return set(Review.objects.filter(order_line_key__in=wanted).values_list("order_line_key", flat=True))
