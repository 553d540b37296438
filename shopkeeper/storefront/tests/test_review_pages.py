"""Reviews on the storefront: the product page's average, star bars and newest reviews, the page of
all reviews with its "more reviews" step, hidden reviews left out, and query counts that stay put."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.catalog import services
from shopkeeper.catalog.models import Product, Review
from shopkeeper.catalog.selectors.reviews import PRODUCT_PAGE_REVIEWS, REVIEWS_PAGE_SIZE
from shopkeeper.catalog.tests import conftest as catalog_fixtures
from shopkeeper.catalog.tests.conftest import SYSTEM
from shopkeeper.core.models import User
from shopkeeper.storefront import panels

pytestmark = pytest.mark.django_db
catalog_base = catalog_fixtures.catalog_base  # the catalog's fixtures, shared with these pages
make_product = catalog_fixtures.make_product
ENGLISH = {"accept-language": "en"}
REVIEW_ID = re.compile(r'data-testid="review" data-review-id="(\d+)"')

MakeProduct = Callable[..., Product]


def post(product: Product, number: int, rating: int = 5, photos: int = 0, customer: User | None = None) -> Review:
    return services.review_post(
        actor=SYSTEM,
        line=services.DeliveredLine(
            order_line_key=f"order-line:{product.pk}-{number}",
            product_id=product.pk,
            sku_id=product.skus.order_by("pk").first().pk,  # type: ignore[union-attr]
            customer=customer,
            delivered_at=timezone.now() - timedelta(days=1),
        ),
        rating=rating,
        text=f"评价{number}号",
        photos=[f"/media/reviews/{product.pk}-{number}-{i}.jpg" for i in range(photos)],
    )


def review_ids(html: str) -> list[int]:
    return [int(found) for found in REVIEW_ID.findall(html)]


def test_product_page_shows_average_distribution_and_newest_reviews(client: Client, make_product: MakeProduct) -> None:
    product = make_product(listed=True)
    customer = User.objects.create_user(username="wang", display_name="王小明")
    first = post(product, 1, rating=5, customer=customer)
    second = post(product, 2, rating=4, photos=2)
    html = client.get(f"/product/{product.pk}/", headers=ENGLISH).content.decode()
    assert 'data-testid="rating-average">4.5<' in html
    assert "2 ratings" in html
    assert review_ids(html) == [second.pk, first.pk]
    assert "王**" in html
    assert "王小明" not in html
    assert "Anonymous customer" in html
    assert "颜色: 雾霾蓝 / 尺码: M" in html
    assert "★★★★☆" in html
    assert f'src="/media/reviews/{product.pk}-2-1.jpg"' in html
    bars = re.findall(r'<li data-stars="(\d)">.*?data-testid="star-count">(\d+)<', html)
    assert bars == [("5", "1"), ("4", "1"), ("3", "0"), ("2", "0"), ("1", "0")]
    assert 'data-testid="all-reviews"' not in html  # all of them are already on the page


def test_hidden_reviews_do_not_show_and_leave_the_average(client: Client, make_product: MakeProduct) -> None:
    product = make_product(listed=True)
    kept = post(product, 1, rating=5)
    spam = post(product, 2, rating=1)
    services.review_hide(actor=SYSTEM, review=spam, reason="广告")
    html = client.get(f"/product/{product.pk}/", headers=ENGLISH).content.decode()
    assert review_ids(html) == [kept.pk]
    assert 'data-testid="rating-average">5.0<' in html
    assert "1 rating" in html


def test_all_reviews_page_and_more_reviews_step(client: Client, make_product: MakeProduct) -> None:
    product = make_product(listed=True)
    posted = [post(product, number) for number in range(REVIEWS_PAGE_SIZE + 3)]
    newest_first = [review.pk for review in reversed(posted)]
    html = client.get(f"/product/{product.pk}/", headers=ENGLISH).content.decode()
    assert review_ids(html) == newest_first[:PRODUCT_PAGE_REVIEWS]
    assert f"See all {len(posted)} reviews" in html

    page = client.get(f"/product/{product.pk}/reviews/", headers=ENGLISH).content.decode()
    assert review_ids(page) == newest_first[:REVIEWS_PAGE_SIZE]
    assert f'href="/product/{product.pk}/reviews/?page=2"' in page
    assert "法式收腰连衣裙" in page

    more = client.get(f"/product/{product.pk}/reviews/?page=2", headers={**ENGLISH, "HX-Request": "true"})
    fragment = more.content.decode()
    assert review_ids(fragment) == newest_first[REVIEWS_PAGE_SIZE:]
    assert "<html" not in fragment
    assert 'id="more-reviews" hx-swap-oob="true"' in fragment
    assert 'data-testid="more-reviews"' not in fragment  # nothing after the last page

    plain = client.get(f"/product/{product.pk}/reviews/?page=2", headers=ENGLISH).content.decode()
    assert review_ids(plain) == newest_first[REVIEWS_PAGE_SIZE:]


def test_reviews_page_of_unlisted_product_is_404_and_empty_product_says_so(
    client: Client, make_product: MakeProduct
) -> None:
    draft = make_product()
    assert client.get(f"/product/{draft.pk}/reviews/").status_code == 404
    assert client.get("/product/999999/reviews/").status_code == 404
    listed = make_product(
        listed=True, title="新品上架", skus=[catalog_fixtures.sku("NEW-1", "59.00", "99.00")], spec_names=[]
    )
    page = client.get(f"/product/{listed.pk}/reviews/", headers=ENGLISH).content.decode()
    assert "No reviews yet." in page


def test_product_page_query_count_does_not_grow_with_reviews_and_photos(
    client: Client, make_product: MakeProduct
) -> None:
    few = make_product(listed=True)
    post(few, 1)
    many = make_product(
        listed=True, title="热卖款", skus=[catalog_fixtures.sku("HOT-1", "59.00", "99.00")], spec_names=[]
    )
    for number in range(30):
        post(many, number, rating=1 + number % 5, photos=9)
    counts = []
    for product in (few, many):
        for path in (f"/product/{product.pk}/", f"/product/{product.pk}/reviews/"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts.append(len(queries))
    # the page's own 8 queries, and at most one for each campaign panel (flash sale, presale, …)
    assert counts[0] == counts[2] <= 8 + len(panels.PRODUCT_PANELS), counts
    assert counts[1] == counts[3] <= 4, counts
