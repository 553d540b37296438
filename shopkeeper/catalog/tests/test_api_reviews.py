"""Reviews through HTTP: the shop's public review list with its rating, and the staff moderation endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.catalog import services
from shopkeeper.catalog.models import Product, Review
from shopkeeper.catalog.tests.conftest import SYSTEM
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db

MakeProduct = Callable[..., Product]


def review(product: Product, number: int, rating: int = 5, photos: int = 0, customer: User | None = None) -> Review:
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
        text=f"第{number}条评价",
        photos=[f"/media/reviews/{number}-{i}.jpg" for i in range(photos)],
    )


@pytest.fixture
def product(make_product: MakeProduct) -> Product:
    return make_product(listed=True)


class TestShopReviews:
    def test_visible_reviews_newest_first_with_rating_and_stars(self, anonymous_api: Any, product: Product) -> None:
        customer = User.objects.create_user(username="li", display_name="李雷")
        review(product, 1, rating=5, customer=customer)
        review(product, 2, rating=4, photos=2)
        hidden = review(product, 3, rating=1)
        services.review_hide(actor=SYSTEM, review=hidden, reason="广告")
        body = anonymous_api.get(f"shop/products/{product.pk}/reviews").json()
        assert body["rating"] == {"count": 2, "average": "4.5"}
        assert body["count"] == 2
        assert [(bar["stars"], bar["count"], bar["percent"]) for bar in body["stars"]] == [
            (5, 1, 50),
            (4, 1, 50),
            (3, 0, 0),
            (2, 0, 0),
            (1, 0, 0),
        ]
        first, second = body["items"]
        assert (first["text"], first["rating"], first["author"]) == ("第2条评价", 4, "")
        assert first["photos"] == ["/media/reviews/2-0.jpg", "/media/reviews/2-1.jpg"]
        assert first["spec"] == "颜色: 雾霾蓝 / 尺码: M"
        assert (second["author"], second["photos"]) == ("李**", [])
        assert not {"order_line_key", "is_hidden"} & set(first)

    def test_paging(self, anonymous_api: Any, product: Product) -> None:
        for number in range(5):
            review(product, number)
        body = anonymous_api.get(f"shop/products/{product.pk}/reviews", limit=2, offset=4).json()
        assert body["count"] == 5
        assert [item["text"] for item in body["items"]] == ["第0条评价"]
        assert anonymous_api.get(f"shop/products/{product.pk}/reviews", limit=101).status_code == 422

    def test_query_count_does_not_grow_with_reviews_and_photos(self, anonymous_api: Any, product: Product) -> None:
        review(product, 0)
        with CaptureQueriesContext(connection) as few:
            assert anonymous_api.get(f"shop/products/{product.pk}/reviews").status_code == 200
        for number in range(1, 25):
            review(product, number, rating=1 + number % 5, photos=9)
        with CaptureQueriesContext(connection) as many:
            body = anonymous_api.get(f"shop/products/{product.pk}/reviews").json()
        assert len(body["items"]) == 20
        assert len(many) == len(few) <= 4, [q["sql"] for q in many.captured_queries]


class TestModerationApi:
    def test_list_filters_hide_and_unhide(
        self, api_as: Callable[[User], Any], make_staff: Callable[..., User], product: Product
    ) -> None:
        api = api_as(make_staff(Role.CS_SUPERVISOR))
        plain = review(product, 1, rating=5)
        pictured = review(product, 2, rating=2, photos=1)
        body = api.get("catalog/reviews").json()
        assert body["count"] == 2
        assert [item["id"] for item in body["items"]] == [pictured.pk, plain.pk]
        assert body["items"][0]["order_line_key"] == pictured.order_line_key
        assert body["items"][0]["product_title"] == product.title
        assert [item["id"] for item in api.get("catalog/reviews", rating=5).json()["items"]] == [plain.pk]
        assert [item["id"] for item in api.get("catalog/reviews", has_photos="true").json()["items"]] == [pictured.pk]

        refused = api.post(f"catalog/reviews/{pictured.pk}/hide", {"reason": "   "})
        assert refused.status_code == 422
        assert refused.json()["code"] == "validation_error"
        assert not Review.objects.get(pk=pictured.pk).is_hidden

        hidden = api.post(f"catalog/reviews/{pictured.pk}/hide", {"reason": "图片与商品无关"})
        assert hidden.status_code == 200, hidden.content
        assert hidden.json()["is_hidden"] is True
        assert hidden.json()["hidden_reason"] == "图片与商品无关"
        assert hidden.json()["hidden_by"] == "cs_supervisor_user"
        assert Product.objects.get(pk=product.pk).rating_count == 1
        assert AuditEntry.objects.filter(action="review.hide", channel="api").exists()
        assert [item["id"] for item in api.get("catalog/reviews", hidden="true").json()["items"]] == [pictured.pk]
        again = api.post(f"catalog/reviews/{pictured.pk}/hide", {"reason": "again"})
        assert again.status_code == 409

        shown = api.post(f"catalog/reviews/{pictured.pk}/unhide")
        assert shown.status_code == 200
        assert shown.json()["is_hidden"] is False
        assert Product.objects.get(pk=product.pk).rating_count == 2
        assert api.post(f"catalog/reviews/{pictured.pk}/unhide").status_code == 409
        assert api.post("catalog/reviews/999999/unhide").status_code == 404

    @pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.CS_AGENT, Role.MARKETING])
    def test_roles_without_the_permission_get_403(
        self, role: Role, api_as: Callable[[User], Any], make_staff: Callable[..., User], product: Product
    ) -> None:
        target = review(product, 1)
        api = api_as(make_staff(role))
        assert api.get("catalog/reviews").status_code == 403
        assert api.post(f"catalog/reviews/{target.pk}/hide", {"reason": "x"}).status_code == 403
        assert not Review.objects.get(pk=target.pk).is_hidden

    def test_store_operator_may_moderate_and_strangers_are_401(
        self, api_as: Callable[[User], Any], anonymous_api: Any, make_staff: Callable[..., User]
    ) -> None:
        assert api_as(make_staff(Role.STORE_OPERATOR)).get("catalog/reviews").status_code == 200
        assert anonymous_api.get("catalog/reviews").status_code == 401
