"""Stock in the console: each role sees what it may, the warehouse adjusts and counts with a reason,
the store operator sets safety stock and sees alerts, and a stock sheet with bad rows changes nothing."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.inventory import services
from shopkeeper.inventory.models import LowStockAlert, Stock, StockMovement, Warehouse
from shopkeeper.inventory.tests import conftest as inventory_fixtures
from shopkeeper.inventory.tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db
catalog_base = inventory_fixtures.catalog_base  # fixtures shared with inventory's own tests
warehouses = inventory_fixtures.warehouses
skus = inventory_fixtures.skus

PAGES = ["/console/inventory/stock/", "/console/inventory/alerts/", "/console/inventory/warehouses/"]
MANAGER_PAGES = ["/console/inventory/receive/", "/console/inventory/import/"]


@pytest.fixture
def as_role(make_staff: Callable[..., User], client: Client) -> Callable[[Role], Client]:
    def sign_in(role: Role) -> Client:
        client.force_login(make_staff(role, username=f"{role.value}_inv"))
        client.cookies["django_language"] = "en"
        return client

    return sign_in


@pytest.fixture
def line(warehouses: dict[str, Warehouse], skus: list[int]) -> Stock:
    services.stock_receive(sku_id=skus[0], warehouse_id=warehouses["east"].pk, quantity=10, actor=SYSTEM)
    return Stock.objects.get(warehouse=warehouses["east"], sku_id=skus[0])


def _labels(response: Any) -> list[str]:
    return [link.label for section in response.context["console_nav"] for link in section.links]


@pytest.mark.parametrize("role", [Role.WAREHOUSE, Role.STORE_OPERATOR, Role.PROCUREMENT, Role.OPERATIONS_DIRECTOR])
def test_readers_see_stock_alerts_warehouses_and_the_ledger(
    role: Role, as_role: Callable[[Role], Client], line: Stock
) -> None:
    client = as_role(role)
    for page in [*PAGES, f"/console/inventory/stock/{line.pk}/"]:
        response = client.get(page)
        assert response.status_code == 200, page
    listing = client.get("/console/inventory/stock/").content.decode()
    assert "INV-BLUE" in listing
    assert 'data-testid="stock-row"' in listing
    assert {"Stock", "Low-stock alerts", "Warehouses"} <= set(_labels(client.get("/console/inventory/stock/")))
    detail = client.get(f"/console/inventory/stock/{line.pk}/").content.decode()
    assert 'data-kind="receipt"' in detail


def test_only_the_warehouse_changes_stock(as_role: Callable[[Role], Client], line: Stock) -> None:
    for role in (Role.STORE_OPERATOR, Role.PROCUREMENT, Role.OPERATIONS_DIRECTOR):
        client = as_role(role)
        for page in MANAGER_PAGES:
            assert client.get(page).status_code == 403, (role, page)
        adjust = {"delta": "5", "reason": "x", "token": "t"}
        assert client.post(f"/console/inventory/stock/{line.pk}/adjust/", adjust).status_code == 403
        assert (
            client.post(f"/console/inventory/stock/{line.pk}/stocktake/", {"counted": "1", "reason": "x"}).status_code
            == 403
        )
        page = client.get(f"/console/inventory/stock/{line.pk}/").content.decode()
        assert 'data-testid="adjust"' not in page
    line.refresh_from_db()
    assert line.on_hand == 10


def test_roles_without_stock_get_403(as_role: Callable[[Role], Client], line: Stock) -> None:
    for role in (Role.CS_AGENT, Role.PLATFORM_ADMIN, Role.MARKETING):
        client = as_role(role)
        for page in [*PAGES, f"/console/inventory/stock/{line.pk}/"]:
            assert client.get(page).status_code == 403, (role, page)
        assert client.post(f"/console/inventory/stock/{line.pk}/safety/", {"safety_stock": "3"}).status_code == 403


def test_the_warehouse_adjusts_with_a_reason_once_per_form(as_role: Callable[[Role], Client], line: Stock) -> None:
    client = as_role(Role.WAREHOUSE)
    form = client.get(f"/console/inventory/stock/{line.pk}/").context["adjust_form"]
    token = form.initial["token"]
    data = {"delta": "-3", "reason": "破损", "token": token}
    response = client.post(f"/console/inventory/stock/{line.pk}/adjust/", data)
    assert response.status_code == 302
    assert client.post(f"/console/inventory/stock/{line.pk}/adjust/", data).status_code == 302  # resent
    line.refresh_from_db()
    assert line.on_hand == 7
    movement = StockMovement.objects.get(kind="adjustment")
    assert (movement.reason, movement.actor_label) == ("破损", "warehouse_inv")
    assert AuditEntry.objects.filter(action="stock.adjust", channel="console").count() == 1

    no_reason = client.post(f"/console/inventory/stock/{line.pk}/adjust/", {"delta": "2", "reason": "", "token": "a"})
    assert no_reason.status_code == 422
    too_many = client.post(
        f"/console/inventory/stock/{line.pk}/adjust/", {"delta": "-8", "reason": "丢失", "token": "b"}
    )
    assert too_many.status_code == 422
    assert "below zero" in too_many.content.decode()
    line.refresh_from_db()
    assert line.on_hand == 7


def test_a_stocktake_from_the_console(as_role: Callable[[Role], Client], line: Stock) -> None:
    client = as_role(Role.WAREHOUSE)
    response = client.post(
        f"/console/inventory/stock/{line.pk}/stocktake/",
        {"counted": "12", "reason": "月度盘点", "token": "c1"},
        follow=True,
    )
    assert "on hand changed by +2 to 12" in response.content.decode()
    line.refresh_from_db()
    assert line.on_hand == 12
    assert (
        client.post(f"/console/inventory/stock/{line.pk}/stocktake/", {"counted": "-1", "reason": "x"}).status_code
        == 422
    )


def test_the_store_operator_sets_safety_stock_and_sees_the_alert(
    as_role: Callable[[Role], Client], line: Stock
) -> None:
    client = as_role(Role.STORE_OPERATOR)
    page = client.get(f"/console/inventory/stock/{line.pk}/").content.decode()
    assert 'data-testid="safety"' in page
    assert 'data-testid="adjust"' not in page
    assert client.post(f"/console/inventory/stock/{line.pk}/safety/", {"safety_stock": "15"}).status_code == 302
    assert LowStockAlert.objects.filter(stock=line, resolved_at__isnull=True).exists()
    alerts = client.get("/console/inventory/alerts/").content.decode()
    assert 'data-testid="alert-row"' in alerts
    assert "INV-BLUE" in alerts
    low = client.get("/console/inventory/stock/", {"low": "on"}).content.decode()
    assert 'data-testid="low-stock"' in low
    assert client.post(f"/console/inventory/stock/{line.pk}/safety/", {"safety_stock": "-1"}).status_code == 422


def test_receiving_goods_creates_the_line(
    as_role: Callable[[Role], Client], warehouses: dict[str, Warehouse], skus: list[int]
) -> None:
    client = as_role(Role.WAREHOUSE)
    data = {
        "warehouse": warehouses["south"].pk,
        "sku": "INV-WHITE",
        "quantity": "40",
        "reason": "采购单 PO-1",
        "token": "r1",
    }
    response = client.post("/console/inventory/receive/", data)
    assert response.status_code == 302
    stock = Stock.objects.get(warehouse=warehouses["south"], sku_id=skus[1])
    assert response["Location"] == f"/console/inventory/stock/{stock.pk}/"
    assert stock.on_hand == 40
    unknown = client.post("/console/inventory/receive/", {**data, "sku": "NOPE", "token": "r2"})
    assert unknown.status_code == 422
    assert "No SKU NOPE" in unknown.content.decode()


def test_warehouses_show_region_provinces_and_totals(as_role: Callable[[Role], Client], line: Stock) -> None:
    html = as_role(Role.PROCUREMENT).get("/console/inventory/warehouses/").content.decode()
    assert "华东仓" in html
    assert "上海市、江苏省" in html
    assert 'data-code="EAST-SH"' in html


def _sheet(rows: Sequence[Sequence[object]]) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("stock.xlsx", buffer.getvalue())


def test_a_stock_sheet_with_a_bad_row_lists_it_and_changes_nothing(
    as_role: Callable[[Role], Client], line: Stock
) -> None:
    client = as_role(Role.WAREHOUSE)
    header = ["仓库编码", "SKU编码", "数量", "安全库存", "原因"]
    bad = _sheet([header, ["EAST-SH", "INV-BLUE", 30, 5, "盘点"], ["EAST-SH", "NOPE", "x", None, ""]])
    response = client.post("/console/inventory/import/", {"file": bad})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('data-testid="import-error"') == 2  # the unknown SKU and the quantity that is no number
    assert "NOPE" in html
    line.refresh_from_db()
    assert (line.on_hand, line.safety_stock) == (10, 0)

    good = _sheet([header, ["EAST-SH", "INV-BLUE", 30, 5, "盘点"], ["SOUTH-GZ", "INV-PINK", 4, None, "新仓盘点"]])
    response = client.post("/console/inventory/import/", {"file": good}, follow=True)
    assert "Sheet imported: 2 rows" in response.content.decode()
    line.refresh_from_db()
    assert (line.on_hand, line.safety_stock) == (30, 5)
    template = client.get("/console/inventory/import/template.xlsx")
    assert template.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(template.content)).active["A1"].value == "仓库编码"  # type: ignore[index]
