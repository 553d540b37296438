"""Catalog facts that come from past orders (demo data, a move from another system): units sold
per product and reviews posted after delivery, written in bulk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Sum

from shopkeeper.catalog.domain.reviews import mask_name, review_draft
from shopkeeper.catalog.models import Product, Review
from shopkeeper.catalog.services.reviews import spec_label


@dataclass(frozen=True)
class PastReview:
    order_line_key: str
    product_id: int
    sku_id: int | None
    author_id: int | None
    author_name: str
    rating: int
    text: str
    posted_at: datetime
    photos: Sequence[str] = field(default_factory=tuple)
    spec_values: Mapping[str, str] | None = None


def products_sales_set(units: Mapping[int, int]) -> None:
    """Set each product's units sold (what "N sold" and best-seller sorting read)."""
    with transaction.atomic():
        for product_id, count in units.items():
            Product.objects.filter(pk=product_id).update(sales_count=max(count, 0))


def products_sales_add(units: Mapping[int, int]) -> None:
    """Count units just sold (an order paid) into each product's units sold, in the caller's transaction."""
    for product_id in sorted(units):  # a fixed order: concurrent payments lock product rows alike
        Product.objects.filter(pk=product_id).update(sales_count=F("sales_count") + units[product_id])


def reviews_bulk_load(reviews: Sequence[PastReview], *, batch_size: int = 1000) -> int:
    """Write past reviews (each checked like a posted one) and recount the products' ratings."""
    spec_names = dict(
        Product.objects.filter(pk__in={review.product_id for review in reviews}).values_list("pk", "spec_names")
    )
    rows: list[Review] = []
    for review in reviews:
        draft = review_draft(rating=review.rating, text=review.text, photos=list(review.photos))
        names = spec_names.get(review.product_id)
        rows.append(
            Review(
                product_id=review.product_id,
                sku_id=review.sku_id,
                author_id=review.author_id,
                author_label=mask_name(review.author_name) if review.author_name else "",
                order_line_key=review.order_line_key,
                rating=draft.rating,
                text=draft.text,
                photos=list(draft.photos),
                spec_label=spec_label(review.spec_values, names if isinstance(names, list) else ()),
            )
        )
    with transaction.atomic():
        created = Review.objects.bulk_create(rows, batch_size=batch_size)
        # created_at is auto_now_add: set the real posting times afterwards, product by product.
        for row, review in zip(created, reviews, strict=True):
            row.created_at = review.posted_at
        Review.objects.bulk_update(created, ["created_at"], batch_size=batch_size)
        totals = (
            Review.objects.filter(product_id__in={review.product_id for review in reviews}, is_hidden=False)
            .values("product_id")
            .annotate(n=Count("id"), total=Sum("rating"))
        )
        for total in totals:
            Product.objects.filter(pk=total["product_id"]).update(rating_count=total["n"], rating_sum=total["total"])
    return len(created)
