"""Review moderation in the console: the filtered list, hiding with a reason, showing again, and 403
for roles without the moderation permission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.catalog import services
from shopkeeper.catalog.models import Product, Review
from shopkeeper.catalog.tests import conftest as catalog_fixtures
from shopkeeper.catalog.tests.conftest import SYSTEM
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db
catalog_base = catalog_fixtures.catalog_base  # the catalog's fixtures, shared with its own tests
make_product = catalog_fixtures.make_product


@pytest.fixture
def as_role(make_staff: Callable[..., User], client: Client) -> Callable[[Role], Client]:
    def sign_in(role: Role) -> Client:
        client.force_login(make_staff(role, username=f"{role.value}_x"))
        client.cookies["django_language"] = "en"
        return client

    return sign_in


@pytest.fixture
def product(make_product: Callable[..., Product]) -> Product:
    return make_product(listed=True)


def post(product: Product, number: int, rating: int = 5, photos: int = 0) -> Review:
    return services.review_post(
        actor=SYSTEM,
        line=services.DeliveredLine(
            order_line_key=f"order-line:{number}",
            product_id=product.pk,
            sku_id=None,
            customer=None,
            delivered_at=timezone.now() - timedelta(days=1),
        ),
        rating=rating,
        text=f"评价{number}",
        photos=[f"/media/reviews/{number}-{i}.jpg" for i in range(photos)],
    )


def rows(response: object) -> list[int]:
    return [review.pk for review in response.context["page"].object_list]  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", [Role.STORE_OPERATOR, Role.CS_SUPERVISOR])
def test_moderators_see_the_list_and_the_menu_entry(
    role: Role, as_role: Callable[[Role], Client], product: Product
) -> None:
    post(product, 1, photos=2)
    response = as_role(role).get("/console/catalog/reviews/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="review-row"' in html
    assert "评价1" in html
    assert "/media/reviews/1-1.jpg" in html
    labels = [link.label for section in response.context["console_nav"] for link in section.links]
    assert "Reviews" in labels


def test_the_empty_list_says_so(as_role: Callable[[Role], Client]) -> None:
    html = as_role(Role.STORE_OPERATOR).get("/console/catalog/reviews/").content.decode()
    assert 'data-testid="no-reviews"' in html


@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.WAREHOUSE, Role.OPERATIONS_DIRECTOR, Role.PLATFORM_ADMIN])
def test_roles_without_the_permission_get_403_and_nothing_changes(
    role: Role, as_role: Callable[[Role], Client], product: Product
) -> None:
    review = post(product, 1)
    client = as_role(role)
    assert client.get("/console/catalog/reviews/").status_code == 403
    assert client.post(f"/console/catalog/reviews/{review.pk}/hide/", {"reason": "spam"}).status_code == 403
    assert client.post(f"/console/catalog/reviews/{review.pk}/unhide/").status_code == 403
    assert not Review.objects.get(pk=review.pk).is_hidden


def test_signed_out_visitors_go_to_the_login(client: Client) -> None:
    response = client.get("/console/catalog/reviews/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_filters(as_role: Callable[[Role], Client], product: Product) -> None:
    five = post(product, 1, rating=5)
    pictured = post(product, 2, rating=2, photos=1)
    client = as_role(Role.STORE_OPERATOR)
    assert rows(client.get("/console/catalog/reviews/")) == [pictured.pk, five.pk]
    assert rows(client.get("/console/catalog/reviews/", {"rating": "5"})) == [five.pk]
    assert rows(client.get("/console/catalog/reviews/", {"photos": "1"})) == [pictured.pk]
    assert rows(client.get("/console/catalog/reviews/", {"hidden": "1"})) == []
    assert rows(client.get("/console/catalog/reviews/", {"product": str(product.pk)})) == [pictured.pk, five.pk]
    today = timezone.localdate().isoformat()
    assert rows(client.get("/console/catalog/reviews/", {"posted_from": today, "posted_to": today})) == [
        pictured.pk,
        five.pk,
    ]


def test_hide_needs_a_reason_then_unhide(as_role: Callable[[Role], Client], product: Product) -> None:
    review = post(product, 1, rating=1)
    client = as_role(Role.CS_SUPERVISOR)
    refused = client.post(f"/console/catalog/reviews/{review.pk}/hide/", {"reason": ""})
    assert refused.status_code == 422
    assert 'data-testid="hide-form"' in refused.content.decode()
    assert not Review.objects.get(pk=review.pk).is_hidden

    page = client.get(f"/console/catalog/reviews/{review.pk}/hide/")
    assert page.status_code == 200
    assert "评价1" in page.content.decode()

    done = client.post(
        f"/console/catalog/reviews/{review.pk}/hide/",
        {"reason": "广告引流", "next": "/console/catalog/reviews/?hidden=1"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/console/catalog/reviews/?hidden=1"
    hidden = Review.objects.get(pk=review.pk)
    assert hidden.is_hidden
    assert hidden.hidden_reason == "广告引流"
    assert Product.objects.get(pk=product.pk).rating_count == 0
    entry = AuditEntry.objects.get(action="review.hide")
    assert (entry.channel, entry.after) == ("console", {"is_hidden": True, "hidden_reason": "广告引流"})
    listed = client.get("/console/catalog/reviews/", {"hidden": "1"}).content.decode()
    assert 'data-testid="review-hidden"' in listed
    assert "广告引流" in listed

    again = client.post(f"/console/catalog/reviews/{review.pk}/hide/", {"reason": "again"})
    assert again.status_code == 422
    assert "already hidden" in again.content.decode()

    shown = client.post(f"/console/catalog/reviews/{review.pk}/unhide/", {"next": "https://evil.example.com/"})
    assert shown.status_code == 302
    assert shown["Location"] == "/console/catalog/reviews/"
    assert not Review.objects.get(pk=review.pk).is_hidden
    assert Product.objects.get(pk=product.pk).rating_count == 1
    assert client.get(f"/console/catalog/reviews/{review.pk}/unhide/").status_code == 405
    assert client.get("/console/catalog/reviews/999999/hide/").status_code == 404
