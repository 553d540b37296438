"""The inventory API through HTTP with personal tokens: lists with filters and pages, a line with its
ledger, adjust / stocktake / receive / safety stock, alerts, the ledger check; bad input is a clear
4xx in the error shape and changes nothing; each role reaches only what it may."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import ApiClient
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.inventory import services
from shopkeeper.inventory.models import Stock, StockMovement, Warehouse
from shopkeeper.inventory.services import ReserveLine
from shopkeeper.inventory.tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db
MakeApi = Callable[[Role], ApiClient]


@pytest.fixture
def api(make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> MakeApi:
    clients: dict[Role, ApiClient] = {}

    def make(role: Role) -> ApiClient:
        if role not in clients:
            clients[role] = api_as(make_staff(role, username=f"{role.value}_api"))
        return clients[role]

    return make


@pytest.fixture
def stocked(warehouses: dict[str, Warehouse], skus: list[int]) -> dict[str, Any]:
    services.stock_receive(sku_id=skus[0], warehouse_id=warehouses["east"].pk, quantity=10, actor=SYSTEM)
    services.stock_receive(sku_id=skus[1], warehouse_id=warehouses["east"].pk, quantity=3, actor=SYSTEM)
    services.stock_receive(sku_id=skus[0], warehouse_id=warehouses["south"].pk, quantity=6, actor=SYSTEM)
    services.stock_reserve(reference="order:API1", lines=[ReserveLine(skus[0], 4)], province="上海市", actor=SYSTEM)
    east_blue = Stock.objects.get(warehouse=warehouses["east"], sku_id=skus[0])
    return {"warehouses": warehouses, "skus": skus, "east_blue": east_blue}


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_warehouses_with_totals(api: MakeApi, stocked: dict[str, Any]) -> None:
    response = api(Role.PROCUREMENT).get("inventory/warehouses")
    assert response.status_code == 200
    east = next(item for item in response.json() if item["code"] == "EAST-SH")
    assert (east["name"], east["region"], east["region_name"], east["city"]) == ("华东仓", "east", "华东", "上海市")
    assert "上海市" in east["provinces"]
    assert (east["sku_lines"], east["total_on_hand"], east["total_reserved"], east["total_available"]) == (2, 13, 4, 9)


def test_creating_a_warehouse(api: MakeApi, db: None) -> None:
    client = api(Role.WAREHOUSE)
    body = {"code": "SW-CD", "name": "西南仓", "region": "southwest", "provinces": ["四川省", "重庆"], "city": "成都市"}
    response = client.post("inventory/warehouses", body)
    assert response.status_code == 201, response.content
    assert response.json()["provinces"] == ["重庆市", "四川省"]
    _error(client.post("inventory/warehouses", body), 409, "conflict")
    _error(client.post("inventory/warehouses", {**body, "code": "X", "provinces": ["火星"]}), 422, "validation_error")
    _error(api(Role.STORE_OPERATOR).post("inventory/warehouses", {**body, "code": "Y"}), 403, "permission_denied")


def test_stock_list_filters_and_pages(api: MakeApi, stocked: dict[str, Any]) -> None:
    client = api(Role.STORE_OPERATOR)
    body = client.get("inventory/stock").json()
    assert body["count"] == 3
    first = body["items"][0]
    assert set(first) >= {"id", "warehouse", "sku", "on_hand", "reserved", "available", "safety_stock", "low"}
    assert first["sku"]["product_title"] == "法式收腰连衣裙"
    assert client.get("inventory/stock", warehouse="SOUTH-GZ").json()["count"] == 1
    assert client.get("inventory/stock", q="INV-WHITE").json()["count"] == 1
    assert client.get("inventory/stock", q="收腰").json()["count"] == 3
    page = client.get("inventory/stock", limit=1, offset=1).json()
    assert (page["count"], len(page["items"])) == (3, 1)
    _error(client.get("inventory/stock", warehouse="NOPE"), 404, "not_found")
    _error(client.get("inventory/stock", limit=0), 422, "validation_error")


def test_a_line_with_its_ledger(api: MakeApi, stocked: dict[str, Any]) -> None:
    line = stocked["east_blue"]
    body = api(Role.OPERATIONS_DIRECTOR).get(f"inventory/stock/{line.pk}").json()
    assert (body["on_hand"], body["reserved"], body["available"]) == (10, 4, 6)
    assert [m["kind"] for m in body["ledger"]] == ["reservation", "receipt"]
    assert body["ledger"][0]["reference"] == "order:API1"
    assert body["ledger_count"] == 2
    assert len(api(Role.WAREHOUSE).get(f"inventory/stock/{line.pk}", ledger_limit=1).json()["ledger"]) == 1
    _error(api(Role.WAREHOUSE).get("inventory/stock/999999"), 404, "not_found")


def test_adjust_stocktake_and_receive(api: MakeApi, stocked: dict[str, Any]) -> None:
    client = api(Role.WAREHOUSE)
    adjust = {"warehouse": "EAST-SH", "sku": "INV-BLUE", "delta": -2, "reason": "破损", "reference": "dmg-1"}
    response = client.post("inventory/stock/adjust", adjust)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stock"]["on_hand"], body["movement"]["kind"], body["movement"]["by"]) == (
        8,
        "adjustment",
        "warehouse_api",
    )
    assert client.post("inventory/stock/adjust", adjust).json()["stock"]["on_hand"] == 8  # same reference: once
    counted = client.post(
        "inventory/stock/stocktake", {"warehouse": "EAST-SH", "sku": "INV-BLUE", "counted": 9, "reason": "盘点"}
    ).json()
    assert (counted["stock"]["on_hand"], counted["movement"]["on_hand_delta"]) == (9, 1)
    received = client.post("inventory/stock/receive", {"warehouse": "NORTH-BJ", "sku": "INV-PINK", "quantity": 12})
    assert received.status_code == 200
    assert received.json()["stock"]["warehouse"]["code"] == "NORTH-BJ"


def test_bad_changes_are_refused_and_change_nothing(api: MakeApi, stocked: dict[str, Any]) -> None:
    client = api(Role.WAREHOUSE)
    before = StockMovement.objects.count()
    base = {"warehouse": "EAST-SH", "sku": "INV-BLUE", "reason": "盘点"}
    _error(client.post("inventory/stock/adjust", {**base, "sku": "NOPE", "delta": 1}), 404, "not_found")
    _error(client.post("inventory/stock/adjust", {**base, "warehouse": "NOPE", "delta": 1}), 404, "not_found")
    negative = _error(client.post("inventory/stock/adjust", {**base, "delta": -11}), 422, "validation_error")
    assert negative["details"] == {"on_hand": 10, "reserved": 4, "would_be": -1}
    below = _error(client.post("inventory/stock/stocktake", {**base, "counted": 3}), 422, "validation_error")
    assert below["details"]["reserved"] == 4
    empty = _error(client.post("inventory/stock/adjust", {**base, "delta": 1, "reason": "  "}), 422, "validation_error")
    assert empty["details"] == {"reason": "required"}
    _error(client.post("inventory/stock/adjust", {**base, "delta": 0}), 422, "validation_error")
    _error(client.post("inventory/stock/adjust", {"warehouse": "EAST-SH"}), 422, "validation_error")
    _error(client.post("inventory/stock/receive", {**base, "quantity": 0}), 422, "validation_error")
    _error(client.post("inventory/stock/adjust", raw="{not json"), 422, "validation_error")
    assert StockMovement.objects.count() == before
    assert Stock.objects.get(pk=stocked["east_blue"].pk).on_hand == 10


def test_safety_stock_and_alerts(api: MakeApi, stocked: dict[str, Any]) -> None:
    line = stocked["east_blue"]
    operator = api(Role.STORE_OPERATOR)
    response = operator.put(f"inventory/stock/{line.pk}/safety-stock", {"safety_stock": 8})
    assert response.status_code == 200
    assert (response.json()["safety_stock"], response.json()["low"]) == (8, True)
    alerts = operator.get("inventory/alerts").json()
    assert alerts["count"] == 1
    assert (alerts["items"][0]["available_when_opened"], alerts["items"][0]["stock"]["id"]) == (6, line.pk)
    assert operator.get("inventory/alerts", warehouse="SOUTH-GZ").json()["count"] == 0
    _error(operator.put(f"inventory/stock/{line.pk}/safety-stock", {"safety_stock": -1}), 422, "validation_error")
    _error(operator.put("inventory/stock/999999/safety-stock", {"safety_stock": 1}), 404, "not_found")
    _error(
        api(Role.PROCUREMENT).put(f"inventory/stock/{line.pk}/safety-stock", {"safety_stock": 1}),
        403,
        "permission_denied",
    )
    operator.put(f"inventory/stock/{line.pk}/safety-stock", {"safety_stock": 0})
    assert operator.get("inventory/alerts").json()["count"] == 0
    assert operator.get("inventory/alerts", open="false").json()["count"] == 1


def test_the_ledger_check(api: MakeApi, stocked: dict[str, Any]) -> None:
    client = api(Role.PROCUREMENT)
    assert client.get("inventory/ledger/check").json() == {"balanced": True, "imbalances": []}
    Stock.objects.filter(pk=stocked["east_blue"].pk).update(on_hand=99)
    body = client.get("inventory/ledger/check").json()
    assert body["balanced"] is False
    assert body["imbalances"][0]["ledger_on_hand"] == 10


@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.MARKETING, Role.PLATFORM_ADMIN])
def test_roles_without_stock_are_refused(role: Role, api: MakeApi, stocked: dict[str, Any]) -> None:
    client = api(role)
    for path in ("inventory/warehouses", "inventory/stock", "inventory/alerts", "inventory/ledger/check"):
        _error(client.get(path), 403, "permission_denied")
    _error(
        client.post("inventory/stock/adjust", {"warehouse": "EAST-SH", "sku": "INV-BLUE", "delta": 1, "reason": "x"}),
        403,
        "permission_denied",
    )


def test_readers_cannot_change_stock(api: MakeApi, stocked: dict[str, Any]) -> None:
    for role in (Role.STORE_OPERATOR, Role.PROCUREMENT, Role.OPERATIONS_DIRECTOR):
        body = {"warehouse": "EAST-SH", "sku": "INV-BLUE", "delta": 1, "reason": "x"}
        _error(api(role).post("inventory/stock/adjust", body), 403, "permission_denied")


def test_anonymous_callers_are_asked_to_sign_in(anonymous_api: ApiClient, db: None) -> None:
    _error(anonymous_api.get("inventory/stock"), 401, "unauthenticated")
