"""The presale APIs over HTTP: the customer's deposit and balance at /api/v1/shop/presales, and
the staff endpoints at /api/v1/presales (campaign operator manages, the director reads)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import PASSWORD
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.orders.models import Order
from shopkeeper.payments.models import Payment
from shopkeeper.payments.services import sandbox
from shopkeeper.promotions.presale.models import Presale
from shopkeeper.promotions.presale.tests.conftest import DEPOSIT, FINAL, VALUE, Shop, move_to_balance_window

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


@pytest.fixture
def app(client: Client, shop: Shop) -> Client:
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    return client


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    return getattr(client, method)(
        f"/api/v1{path}", data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def finish(pay_url: str, settle: Any) -> None:
    with settle():
        sandbox.sandbox_trade_finish(
            token=pay_url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs()
        )


def test_a_customer_pays_the_deposit_then_the_balance_over_the_api(
    app: Client, shop: Shop, presale: Presale, settle: Any
) -> None:
    listed = call(app, "get", "/shop/presales").json()
    assert [p["id"] for p in listed] == [presale.pk]
    assert listed[0]["phase"] == "deposit"
    assert listed[0]["unit_price"]["fen"] == FINAL - (VALUE - DEPOSIT)
    body = {"quantity": 1, "address_id": shop.address_id, "idempotency_key": "api-1", "return_url": "http://x/r"}
    placed = call(app, "post", f"/shop/presales/{presale.pk}/deposit", body)
    assert placed.status_code == 201, placed.content
    out = placed.json()
    assert (out["pay"], out["amount"]["fen"], out["deposit_value"]["fen"]) == ("deposit", DEPOSIT, VALUE)
    assert out["deposit"]["fen"] + out["balance"]["fen"] == out["total"]["fen"]
    assert any("¥50.00" in said for said in out["explanation"])
    again = call(app, "post", f"/shop/presales/{presale.pk}/deposit", body).json()
    assert again["order_number"] == out["order_number"]
    assert again["pay_url"] == out["pay_url"]
    finish(out["pay_url"], settle)
    number = out["order_number"]
    early = call(app, "post", f"/shop/presales/orders/{number}/balance", {"return_url": "http://x/r"})
    assert early.status_code == 409
    move_to_balance_window(presale)
    balance = call(app, "post", f"/shop/presales/orders/{number}/balance", {"return_url": "http://x/r"})
    assert balance.status_code == 200, balance.content
    assert balance.json()["amount"]["fen"] == out["balance"]["fen"]
    finish(balance.json()["pay_url"], settle)
    order = Order.objects.get(number=number)
    assert (order.status, order.paid_fen) == ("allocated", order.total_fen)
    assert Payment.objects.filter(reference=order.reference).count() == 2


def test_the_customer_api_refuses_visitors_forged_presales_and_over_the_limit(
    client: Client, app: Client, shop: Shop, presale: Presale
) -> None:
    body = {"quantity": 3, "address_id": shop.address_id, "idempotency_key": "k", "return_url": "http://x/r"}
    over = call(app, "post", f"/shop/presales/{presale.pk}/deposit", body)
    assert over.status_code == 409
    assert over.json()["details"]["limit"] == 2
    assert call(app, "post", "/shop/presales/999999/deposit", body).status_code == 404
    assert call(Client(), "post", f"/shop/presales/{presale.pk}/deposit", body).status_code == 401
    assert Order.objects.count() == 0


def test_staff_set_up_presales_and_the_director_only_reads(
    api_as: Callable[[User], Any], make_staff: Callable[..., User], shop: Shop
) -> None:
    operator = api_as(make_staff(Role.CAMPAIGN_OPERATOR))
    director = api_as(make_staff(Role.OPERATIONS_DIRECTOR))
    now = timezone.now()
    body = {
        "name": "年货节预售",
        "sku_id": shop.dress.pk,
        "final_price_fen": FINAL,
        "deposit_fen": DEPOSIT,
        "deposit_value_fen": VALUE,
        "presale_starts_at": now.isoformat(),
        "presale_ends_at": (now + timedelta(days=1)).isoformat(),
        "balance_starts_at": (now + timedelta(days=2)).isoformat(),
        "balance_ends_at": (now + timedelta(days=3)).isoformat(),
        "limit_per_customer": 1,
    }
    created = operator.post("presales", body)
    assert created.status_code == 201, created.content
    presale_id = created.json()["id"]
    assert created.json()["counters"]["deposits_paid"] == 0
    bad = operator.post("presales", {**body, "deposit_value_fen": DEPOSIT - 1})
    assert bad.status_code == 422
    assert "deposit_value_fen" in bad.json()["details"]["fields"]
    assert director.post("presales", body).status_code == 403
    assert director.get(f"presales/{presale_id}").json()["name"] == "年货节预售"
    assert director.post(f"presales/{presale_id}/pause").status_code == 403
    assert operator.post(f"presales/{presale_id}/pause").json()["status"] == "paused"
    assert operator.post(f"presales/{presale_id}/resume").json()["status"] == "active"
    changed = operator.put(f"presales/{presale_id}", {**body, "name": "年货节预售 2"})
    assert changed.json()["name"] == "年货节预售 2"
    assert [p["id"] for p in director.get("presales").json()] == [presale_id]
