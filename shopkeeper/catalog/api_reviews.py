"""Staff endpoints for review moderation: list reviews with filters, hide one (with a reason), unhide it.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.models import Review
from shopkeeper.catalog.services.reviews import HIDE_REASON_MAX_LENGTH
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import MODERATE_REVIEWS
from shopkeeper.core.services import ActorContext

router = Router(tags=["reviews (staff)"])


class ReviewOut(Schema):
    id: int
    product_id: int
    product_title: str
    sku_id: int | None
    sku_code: str | None
    order_line_key: str
    author: str = Field(..., description='The masked name shoppers see, e.g. "王**"')
    rating: int
    text: str
    photos: list[str]
    spec: str
    is_hidden: bool
    hidden_reason: str
    hidden_by: str | None
    hidden_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_product_title(obj: Review) -> str:
        return obj.product.title

    @staticmethod
    def resolve_sku_code(obj: Review) -> str | None:
        return obj.sku.code if obj.sku else None

    @staticmethod
    def resolve_author(obj: Review) -> str:
        return obj.author_label

    @staticmethod
    def resolve_photos(obj: Review) -> list[str]:
        return selectors.review_photos(obj)

    @staticmethod
    def resolve_spec(obj: Review) -> str:
        return obj.spec_label

    @staticmethod
    def resolve_hidden_by(obj: Review) -> str | None:
        return obj.hidden_by.get_username() if obj.hidden_by else None


class ReviewListFilters(Schema):
    product_id: int | None = Field(None, ge=1)
    rating: int | None = Field(None, ge=1, le=5)
    hidden: bool | None = Field(None, description="true: hidden only; false: visible only")
    has_photos: bool | None = None
    posted_from: date | None = Field(None, description="First day (shop time), inclusive")
    posted_to: date | None = Field(None, description="Last day (shop time), inclusive")


class HideIn(Schema):
    reason: str = Field(..., max_length=HIDE_REASON_MAX_LENGTH, description="Why shoppers should not see it")


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


@router.get(
    "/reviews",
    response=list[ReviewOut],
    summary="Product reviews, hidden ones included, newest first",
    description="Filters combine (AND). Answers `{items, count}`; page with `limit` and `offset`.",
)
@requires(MODERATE_REVIEWS, api=True)
@paginate(LimitOffsetPagination)
def review_list(request: HttpRequest, filters: Query[ReviewListFilters]) -> QuerySet[Review]:
    return selectors.review_list_staff(selectors.ReviewFilters(**filters.dict()))


@router.get("/reviews/{review_id}", response=ReviewOut, summary="One review")
@requires(MODERATE_REVIEWS, api=True)
def review_detail(request: HttpRequest, review_id: int) -> Review:
    return selectors.review_get(review_id=review_id)


@router.post(
    "/reviews/{review_id}/hide",
    response=ReviewOut,
    summary="Hide a review from shoppers, with a reason",
    description="The review leaves the product's rating. Hiding a hidden review is a 409.",
)
@requires(MODERATE_REVIEWS, api=True)
def review_hide(request: HttpRequest, review_id: int, body: HideIn) -> Review:
    review = selectors.review_get(review_id=review_id)
    services.review_hide(actor=_actor(request), review=review, reason=body.reason)
    return selectors.review_get(review_id=review_id)


@router.post(
    "/reviews/{review_id}/unhide",
    response=ReviewOut,
    summary="Show a hidden review again",
    description="The review counts in the product's rating again. Unhiding a visible review is a 409.",
)
@requires(MODERATE_REVIEWS, api=True)
def review_unhide(request: HttpRequest, review_id: int) -> Review:
    review = selectors.review_get(review_id=review_id)
    services.review_unhide(actor=_actor(request), review=review)
    return selectors.review_get(review_id=review_id)
