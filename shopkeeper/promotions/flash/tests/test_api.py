"""Flash sales over HTTP: the campaign desk's API (operator manages, director reads), the
customer's grab with its idempotency key, 409s and the 429 with Retry-After."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.orders.models import Order
from shopkeeper.promotions.flash.tests.conftest import Live

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


@pytest.fixture
def app(client: Client, shop: Shop) -> Client:
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    return client


def attempt(app: Client, item_id: int, body: dict[str, Any]) -> Any:
    return app.post(f"/api/v1/shop/flash/{item_id}/attempts", data=json.dumps(body), content_type="application/json")


def test_the_customer_grabs_over_the_api_and_a_retry_answers_the_same_order(
    app: Client, shop: Shop, live: Live, django_assert_max_num_queries: Any
) -> None:
    listed = app.get("/api/v1/shop/flash").json()
    assert [(o["item_id"], o["flash_price"]["fen"], o["remaining"], o["running"]) for o in listed] == [
        (live.item.pk, 3900, 5, True)
    ]
    with django_assert_max_num_queries(60):
        first = attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "tap-1"})
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["status"] == "held"
    assert body["pay_deadline"]
    again = attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "tap-1"})
    assert (again.status_code, again.json()["order_number"]) == (200, body["order_number"])
    refused = attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "tap-2"})
    assert refused.status_code == 409
    assert set(refused.json()) == {"code", "message", "details"}
    assert refused.json()["details"] == {"limit": 1}
    assert Order.objects.count() == 1


def test_rate_limited_attempts_answer_429_with_retry_after(app: Client, shop: Shop, live: Live, settings: Any) -> None:
    settings.FLASH_ATTEMPTS_PER_CUSTOMER = 1
    attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "a"})
    limited = attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "b"})
    assert limited.status_code == 429
    payload = limited.json()
    assert payload["code"] == "rate_limited"
    assert int(limited["Retry-After"]) == payload["details"]["retry_after_seconds"] >= 1


def test_bad_attempts_are_refused_in_the_error_shape(app: Client, shop: Shop, live: Live) -> None:
    assert attempt(app, live.item.pk, {"address_id": shop.address_id}).status_code == 422
    assert attempt(app, 999999, {"address_id": shop.address_id, "idempotency_key": "x"}).status_code == 404
    assert attempt(app, live.item.pk, {"address_id": 999999, "idempotency_key": "y"}).status_code == 404
    assert not Order.objects.exists()
    assert (
        Client()
        .post(f"/api/v1/shop/flash/{live.item.pk}/attempts", data="{}", content_type="application/json")
        .status_code
        == 401
    )


def test_the_operator_sets_a_sale_up_and_the_director_only_reads(
    shop: Shop, make_staff: Callable[..., User], api_as: Callable[[User], Any], settings: Any
) -> None:
    settings.REDIS_URL = None
    operator = api_as(make_staff(Role.CAMPAIGN_OPERATOR))
    director = api_as(make_staff(Role.OPERATIONS_DIRECTOR))
    created = operator.post("flash/sales", {"name": "618 秒杀"})
    assert created.status_code == 201
    sale_id = created.json()["id"]
    start = timezone.now() + timedelta(hours=1)
    sessions = operator.post(
        f"flash/sales/{sale_id}/sessions",
        {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()},
    )
    assert sessions.status_code == 201
    session_id = sessions.json()["sessions"][0]["id"]
    bad = operator.post(
        f"flash/sessions/{session_id}/items",
        {"sku_id": shop.cup.pk, "sale_price_fen": 3900, "pool": 5, "per_customer_limit": 0},
    )
    assert bad.status_code == 422
    assert "per_customer_limit" in bad.json()["details"]["fields"]
    item = operator.post(
        f"flash/sessions/{session_id}/items", {"sku_id": shop.cup.pk, "sale_price_fen": 3900, "pool": 5}
    )
    assert item.status_code == 201
    assert item.json()["counters"]["remaining"] == 5
    assert item.json()["pool_reserved"] is False  # a draft sets nothing aside
    assert operator.put(f"flash/sales/{sale_id}/status", {"status": "live"}).json()["status"] == "live"
    read = director.get(f"flash/sales/{sale_id}")
    assert read.status_code == 200
    listed = read.json()["sessions"][0]["items"][0]
    assert (listed["pool"], listed["pool_reserved"], listed["counters"]["in_stock_pool"]) == (5, True, 5)
    assert listed["pool_reference"] == f"flash:item:{listed['id']}"
    short = operator.put(
        f"flash/items/{listed['id']}", {"sku_id": shop.cup.pk, "sale_price_fen": 3900, "pool": 106}
    )  # 100 cups in all
    assert short.status_code == 422
    assert short.json()["details"]["available_stock"] == 100
    assert director.post("flash/sales", {"name": "x"}).status_code == 403
    assert api_as(make_staff(Role.WAREHOUSE)).get("flash/sales").status_code == 403


def test_a_refused_attempt_stays_cheap(
    app: Client, shop: Shop, live: Live, gate_mode: str, django_assert_max_num_queries: Any
) -> None:
    """The crowd that comes late is answered from the session, the item row and the gate: no
    order, no claim; with Redis not a single write."""
    live.item.sold = live.item.pool
    live.item.save(update_fields=["sold"])
    attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "warm"})  # seeds Redis
    with django_assert_max_num_queries(5 if gate_mode == "redis" else 8):
        refused = attempt(app, live.item.pk, {"address_id": shop.address_id, "idempotency_key": "late"})
    assert refused.status_code == 409
    assert refused.json()["details"] == {"remaining": 0}
