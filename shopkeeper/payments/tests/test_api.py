"""The staff payments API: reads by reference and filters, paginated, for whoever manages orders."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import ApiClient
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.payments import services
from shopkeeper.payments.models import Payment
from shopkeeper.payments.tests.conftest import start

pytestmark = pytest.mark.django_db
READERS = [Role.STORE_OPERATOR, Role.CS_SUPERVISOR, Role.CS_AGENT, Role.OPERATIONS_DIRECTOR, Role.DATA_ANALYST]


@pytest.fixture
def api(make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> ApiClient:
    return api_as(make_staff(Role.CS_AGENT))


@pytest.fixture
def books(make_paid: Callable[..., Payment]) -> Payment:
    paid = make_paid("test:SK20261201001", "199.00")
    start("test:SK20261201002", "59.90")
    services.refund_start(
        reference="test:SK20261201001",
        request_key="order-refund:1",
        amount=Money.from_yuan("20.00"),
        reason="尺码不合适",
        actor=ActorContext.system(),
    )
    return paid


@pytest.mark.parametrize("role", READERS, ids=lambda role: role.value)
def test_readers_see_payments(
    role: Role, make_staff: Callable[..., User], api_as: Callable[[User], ApiClient], books: Payment
) -> None:
    response = api_as(make_staff(role)).get("payments")
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.MARKETING, Role.PLATFORM_ADMIN], ids=lambda role: role.value)
def test_others_are_refused(role: Role, make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> None:
    response = api_as(make_staff(role)).get("payments")
    assert response.status_code == 403
    assert response.json()["details"] == {"permission": "payments.view_payments"}


def test_list_filters_and_pages(api: ApiClient, books: Payment) -> None:
    body = api.get("payments", reference="test:SK20261201001").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["out_trade_no"] == books.out_trade_no
    assert row["amount"] == {"fen": 19900, "yuan": "199.00"}
    assert (row["status"], row["gateway"]) == ("succeeded", "sandbox")
    assert row["trade_no"] == books.trade_no
    assert api.get("payments", status="pending").json()["count"] == 1
    assert api.get("payments", out_trade_no=books.out_trade_no).json()["count"] == 1
    page = api.get("payments", limit=1, offset=1).json()
    assert (page["count"], len(page["items"])) == (2, 1)


def test_one_payment_with_refunds_and_callbacks(api: ApiClient, books: Payment) -> None:
    body = api.get(f"payments/{books.pk}").json()
    assert body["reference"] == "test:SK20261201001"
    assert [r["request_key"] for r in body["refunds"]] == ["order-refund:1"]
    assert body["refunds"][0]["amount"] == {"fen": 2000, "yuan": "20.00"}
    assert body["refunds"][0]["status"] == "pending"
    assert [(n["result"], n["answer"], n["verified"]) for n in body["notifications"]] == [("applied", "success", True)]
    missing = api.get("payments/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_summary_by_reference(api: ApiClient, books: Payment) -> None:
    body = api.get("payments/summary", reference="test:SK20261201001").json()
    assert body["status"] == "succeeded"
    assert body["paid"]["yuan"] == "199.00"
    assert body["refunded"]["yuan"] == "0.00"
    assert body["refund_pending"]["yuan"] == "20.00"
    assert body["refundable"]["yuan"] == "179.00"
    assert len(body["payments"]) == 1
    assert len(body["refunds"]) == 1
    assert api.get("payments/summary", reference="test:none").json()["status"] == "none"
    assert api.get("payments/summary").status_code == 422


def test_refunds_and_notifications(api: ApiClient, books: Payment) -> None:
    refunds = api.get("payments/refunds", reference="test:SK20261201001").json()
    assert refunds["count"] == 1
    refund = refunds["items"][0]
    assert refund["out_trade_no"] == books.out_trade_no
    assert api.get(f"payments/refunds/{refund['id']}").json()["request_key"] == "order-refund:1"
    assert api.get("payments/refunds", request_key="nope").json()["count"] == 0
    assert api.get("payments/refunds/999999").status_code == 404
    notifications = api.get("payments/notifications", out_trade_no=books.out_trade_no).json()
    assert notifications["count"] == 1
    assert notifications["items"][0]["params"]["trade_status"] == "TRADE_SUCCESS"
    assert api.get("payments/notifications", result="bad_signature").json()["count"] == 0
