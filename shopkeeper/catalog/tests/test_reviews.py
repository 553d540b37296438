"""Review services: a delivered order line is reviewed once; staff hide and unhide with the rating kept right."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.models import Product, Review
from shopkeeper.catalog.selectors.storefront import product_rating
from shopkeeper.catalog.tests.conftest import SYSTEM, sku
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.errors import Conflict, NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext

MakeProduct = Callable[..., Product]
pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(db: None) -> User:
    return User.objects.create_user(username="wang_xiaoming", display_name="王小明")


@pytest.fixture
def product(make_product: MakeProduct) -> Product:
    return make_product(listed=True)


def line(product: Product, customer: User | None, key: str = "order-line:1", **changes: Any) -> services.DeliveredLine:
    values: dict[str, Any] = {
        "order_line_key": key,
        "product_id": product.pk,
        "sku_id": product.skus.order_by("position", "pk").first().pk,  # type: ignore[union-attr]
        "customer": customer,
        "delivered_at": timezone.now() - timedelta(days=2),
    }
    values.update(changes)
    return services.DeliveredLine(**values)


def post(product: Product, customer: User | None, key: str = "order-line:1", **fields: Any) -> Review:
    values: dict[str, Any] = {"rating": 5, "text": "面料很舒服，尺码标准", "photos": []}
    values.update(fields)
    return services.review_post(actor=SYSTEM, line=line(product, customer, key), **values)


def totals(product: Product) -> tuple[int, int]:
    fresh = Product.objects.get(pk=product.pk)
    return fresh.rating_count, fresh.rating_sum


class TestPosting:
    def test_a_delivered_line_is_reviewed_and_counted_in_the_rating(self, product: Product, customer: User) -> None:
        review = post(product, customer, rating=4, photos=["https://img.example.com/1.jpg", "/media/r/2.jpg"])
        assert review.author == customer
        assert review.author_label == "王**"
        assert review.spec_label == "颜色: 雾霾蓝 / 尺码: M"
        assert review.photos == ["https://img.example.com/1.jpg", "/media/r/2.jpg"]
        assert totals(product) == (1, 4)
        post(product, customer, "order-line:2", rating=5)
        rating = product_rating(Product.objects.get(pk=product.pk))
        assert (rating.count, str(rating.average)) == (2, "4.5")
        entry = AuditEntry.objects.get(action="review.post", object_id=str(review.pk))
        assert entry.after == {"product_id": product.pk, "order_line_key": "order-line:1", "rating": 4, "photos": 2}

    def test_the_order_lines_snapshot_names_the_variant(self, product: Product, customer: User) -> None:
        review = services.review_post(
            actor=SYSTEM,
            line=line(product, customer, spec_values={"颜色": "燕麦白", "尺码": "L"}),
            rating=5,
            text="",
            photos=[],
        )
        assert review.spec_label == "颜色: 燕麦白 / 尺码: L"

    def test_once_per_order_line(self, product: Product, customer: User) -> None:
        post(product, customer)
        with pytest.raises(Conflict, match="already been reviewed") as caught:
            post(product, customer, rating=1)
        assert caught.value.details["reason"] == "already_reviewed"
        assert Review.objects.count() == 1
        assert totals(product) == (1, 5)

    def test_a_line_not_delivered_cannot_be_reviewed(self, product: Product, customer: User) -> None:
        with pytest.raises(Conflict, match="not been delivered") as caught:
            services.review_post(
                actor=SYSTEM, line=line(product, customer, delivered_at=None), rating=5, text="", photos=[]
            )
        assert caught.value.details["reason"] == "not_delivered"
        assert not Review.objects.exists()

    def test_the_review_window_closes(self, product: Product, customer: User) -> None:
        late = timezone.now() - services.REVIEW_WINDOW - timedelta(hours=1)
        with pytest.raises(Conflict, match="days after delivery") as caught:
            services.review_post(
                actor=SYSTEM, line=line(product, customer, delivered_at=late), rating=5, text="", photos=[]
            )
        assert caught.value.details["reason"] == "window_closed"
        assert not Review.objects.exists()

    @pytest.mark.parametrize(
        ("fields", "bad"),
        [
            ({"rating": 0}, {"rating"}),
            ({"rating": 6}, {"rating"}),
            ({"rating": "5"}, {"rating"}),
            ({"text": "好" * 501}, {"text"}),
            ({"photos": [f"/media/r/{i}.jpg" for i in range(10)]}, {"photos"}),
            ({"photos": ["javascript:alert(1)"]}, {"photos"}),
            ({"rating": 9, "photos": ["ftp://x/y.jpg"]}, {"rating", "photos"}),
        ],
    )
    def test_bad_values_are_refused_and_nothing_is_written(
        self, product: Product, customer: User, fields: dict[str, Any], bad: set[str]
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            post(product, customer, **fields)
        assert set(caught.value.details) == bad
        assert not Review.objects.exists()
        assert totals(product) == (0, 0)
        assert not AuditEntry.objects.filter(action="review.post").exists()

    def test_an_unknown_product_or_a_sku_of_another_product_is_not_found(
        self, product: Product, customer: User, make_product: MakeProduct
    ) -> None:
        other = make_product(title="另一款", spec_names=[], skus=[sku("OTHER-1", "9.90", "19.90", "3.00")])
        with pytest.raises(NotFound):
            services.review_post(
                actor=SYSTEM, line=line(product, customer, product_id=999_999), rating=5, text="", photos=[]
            )
        with pytest.raises(NotFound):
            services.review_post(
                actor=SYSTEM,
                line=line(product, customer, sku_id=other.skus.get().pk),
                rating=5,
                text="",
                photos=[],
            )
        assert not Review.objects.exists()

    def test_a_customer_without_a_name_is_shown_as_anonymous(self, product: Product) -> None:
        assert post(product, None).author_label == ""


class TestModeration:
    @pytest.fixture
    def operator(self, make_staff: Callable[..., User]) -> ActorContext:
        return ActorContext(user=make_staff(Role.STORE_OPERATOR), channel=AuditChannel.CONSOLE)

    def test_hiding_needs_a_reason_is_audit_logged_and_leaves_the_totals_right(
        self, product: Product, customer: User, operator: ActorContext
    ) -> None:
        kept = post(product, customer, "order-line:1", rating=5)
        spam = post(product, customer, "order-line:2", rating=1, text="加微信领红包")
        assert totals(product) == (2, 6)
        with pytest.raises(ValidationFailed) as caught:
            services.review_hide(actor=operator, review=spam, reason="  ")
        assert "reason" in caught.value.details
        assert totals(product) == (2, 6)

        hidden = services.review_hide(actor=operator, review=spam, reason="广告引流")
        assert (hidden.is_hidden, hidden.hidden_reason, hidden.hidden_by) == (True, "广告引流", operator.user)
        assert totals(product) == (1, 5)
        entry = AuditEntry.objects.get(action="review.hide", object_id=str(spam.pk))
        assert entry.before == {"is_hidden": False, "hidden_reason": ""}
        assert entry.after == {"is_hidden": True, "hidden_reason": "广告引流"}
        assert entry.actor == operator.user
        page = selectors.product_reviews_public(product_id=product.pk, limit=10)
        assert [review.id for review in page.items] == [kept.pk]
        assert page.count == 1

        with pytest.raises(Conflict):
            services.review_hide(actor=operator, review=spam, reason="again")
        assert totals(product) == (1, 5)

        services.review_unhide(actor=operator, review=spam)
        assert totals(product) == (2, 6)
        assert AuditEntry.objects.filter(action="review.unhide", object_id=str(spam.pk)).exists()
        with pytest.raises(Conflict):
            services.review_unhide(actor=operator, review=spam)
        assert totals(product) == (2, 6)


class TestSelectors:
    def test_public_reviews_are_newest_first_and_paged_with_a_star_distribution(
        self, product: Product, customer: User
    ) -> None:
        for number, rating in enumerate([5, 5, 4, 1, 5], start=1):
            post(product, customer, f"order-line:{number}", rating=rating, text=f"review {number}")
        page = selectors.product_reviews_public(product_id=product.pk, limit=2, offset=0)
        assert page.count == 5
        assert [r.text for r in page.items] == ["review 5", "review 4"]
        assert [(bar.stars, bar.count, bar.percent) for bar in page.summary.stars] == [
            (5, 3, 60),
            (4, 1, 20),
            (3, 0, 0),
            (2, 0, 0),
            (1, 1, 20),
        ]
        assert str(page.summary.rating.average) == "4.0"
        later = selectors.product_reviews_public(product_id=product.pk, limit=2, offset=4)
        assert [r.text for r in later.items] == ["review 1"]

    def test_staff_filters(self, product: Product, customer: User, make_staff: Callable[..., User]) -> None:
        plain = post(product, customer, "order-line:1", rating=5)
        pictured = post(product, customer, "order-line:2", rating=2, photos=["/media/r/1.jpg"])
        actor = ActorContext(user=make_staff(Role.STORE_OPERATOR))
        services.review_hide(actor=actor, review=pictured, reason="无关图片")
        Review.objects.filter(pk=plain.pk).update(created_at=timezone.now() - timedelta(days=10))

        def ids(**filters: Any) -> list[int]:
            return [r.pk for r in selectors.review_list_staff(selectors.ReviewFilters(**filters))]

        assert ids() == [pictured.pk, plain.pk]
        assert ids(rating=5) == [plain.pk]
        assert ids(hidden=True) == [pictured.pk]
        assert ids(hidden=False) == [plain.pk]
        assert ids(has_photos=True) == [pictured.pk]
        assert ids(has_photos=False) == [plain.pk]
        assert ids(product_id=product.pk + 1000) == []
        today = timezone.localdate()
        assert ids(posted_from=today) == [pictured.pk]
        assert ids(posted_to=today - timedelta(days=5)) == [plain.pk]


def _post_in_thread(product_id: int, sku_id: int, results: list[object], barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=10)
        review = services.review_post(
            actor=SYSTEM,
            line=services.DeliveredLine(
                order_line_key="order-line:race",
                product_id=product_id,
                sku_id=sku_id,
                customer=None,
                delivered_at=timezone.now() - timedelta(days=1),
            ),
            rating=4,
            text="",
            photos=[],
        )
        results.append(review.pk)
    except ShopkeeperError as exc:
        results.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_two_posts_for_one_line_at_once_make_one_review(make_product: MakeProduct) -> None:
    product = make_product(listed=True)
    sku_id = product.skus.order_by("pk").first().pk  # type: ignore[union-attr]
    results: list[object] = []
    barrier = threading.Barrier(4)
    threads = [threading.Thread(target=_post_in_thread, args=(product.pk, sku_id, results, barrier)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert Review.objects.filter(order_line_key="order-line:race").count() == 1
    assert sum(isinstance(result, int) for result in results) == 1
    conflicts = [result for result in results if isinstance(result, Conflict)]
    assert len(conflicts) == 3, results
    assert all(conflict.details["reason"] == "already_reviewed" for conflict in conflicts)
    assert totals(product) == (1, 4)
