"""The staff orders API: the order desk over HTTP — the filtered list with pagination, one order
with its lines, timeline, payments and refunds, cancelling, refunding per line (idempotent per
request key, every bad amount a 422 that changes nothing) and the CSV/XLSX export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import ApiClient
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.orders.models import Order, OrderRefund
from shopkeeper.orders.tests.conftest import CUPS, DRESS, Line, confirm_refund
from shopkeeper.payments.models import Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_api(make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> ApiClient:
    return api_as(make_staff(Role.STORE_OPERATOR))


@pytest.fixture
def agent_api(make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> ApiClient:
    return api_as(make_staff(Role.CS_AGENT))


def _lines(order: Order) -> dict[str, int]:
    return {line.sku_code: line.pk for line in order.lines.all()}


def _numbers(answer: Any) -> list[str]:
    return [item["number"] for item in answer.json()["items"]]


# --- permissions ---------------------------------------------------------------------------------


def test_each_operation_needs_its_permission(
    make_staff: Callable[..., User],
    api_as: Callable[[User], ApiClient],
    agent_api: ApiClient,
    anonymous_api: ApiClient,
    make_order: Callable[..., Order],
) -> None:
    order = make_order()
    designer = api_as(make_staff(Role.DESIGNER))
    refused = designer.get("orders")
    assert refused.status_code == 403
    assert refused.json()["details"] == {"permission": "orders.view_orders"}
    assert designer.get(f"orders/{order.number}").status_code == 403
    assert anonymous_api.get("orders").status_code == 401

    # The customer-service agent reads orders but neither cancels, refunds nor exports them.
    assert agent_api.get(f"orders/{order.number}").status_code == 200
    cancel = agent_api.post(f"orders/{order.number}/cancel", {"reason": "客户要求"})
    assert cancel.status_code == 403
    assert cancel.json()["details"] == {"permission": "orders.manage_orders"}
    line_id = _lines(order)["DRESS-M"]
    refund = agent_api.post(
        f"orders/{order.number}/refunds", {"lines": [{"line_id": line_id}], "reason": "x", "request_key": "k"}
    )
    assert refund.status_code == 403
    assert agent_api.get("orders/export", format="csv").json()["details"] == {"permission": "orders.export_orders"}
    order.refresh_from_db()
    assert order.status == "pending_payment"


# --- list ----------------------------------------------------------------------------------------


def test_the_list_filters_and_pages(operator_api: ApiClient, make_order: Callable[..., Order]) -> None:
    now = timezone.now()
    shanghai = make_order(placed_at=now - timedelta(days=1), recipient="王小明", mobile="13800138001")
    guangzhou = make_order(
        status="allocated",
        province="广东省",
        city="广州市",
        recipient="李雷",
        mobile="13900139002",
        channel="douyin",
        lines=[Line("CUP-500", "保温杯", 5900, 1)],
        placed_at=now - timedelta(days=3),
    )
    chengdu = make_order(
        status="cancelled",
        province="四川省",
        city="成都市",
        recipient="韩梅梅",
        mobile="13700137003",
        lines=[DRESS, Line("DRESS-L", "法式收腰连衣裙", 19900, 3)],
        shipping_fen=1200,
        placed_at=now - timedelta(days=10),
    )

    everything = operator_api.get("orders")
    assert everything.status_code == 200, everything.json()
    assert everything.json()["count"] == 3
    assert _numbers(everything) == [shanghai.number, guangzhou.number, chengdu.number]  # newest first
    first = everything.json()["items"][0]
    assert first["total"] == {"fen": 30700, "yuan": "307.00"}
    assert first["line_count"] == 2
    assert first["status_label"]
    assert first["region"] == "east"

    assert _numbers(operator_api.get("orders", status="allocated")) == [guangzhou.number]
    assert _numbers(operator_api.get("orders", channel="douyin")) == [guangzhou.number]
    assert _numbers(operator_api.get("orders", region="southwest")) == [chengdu.number]
    assert _numbers(operator_api.get("orders", province="广东省")) == [guangzhou.number]
    assert _numbers(operator_api.get("orders", min_total="100", max_total="307.00")) == [shanghai.number]
    assert _numbers(operator_api.get("orders", min_total="800")) == [chengdu.number]
    since = (timezone.localdate(now) - timedelta(days=4)).isoformat()
    until = (timezone.localdate(now) - timedelta(days=2)).isoformat()
    assert _numbers(operator_api.get("orders", placed_from=since, placed_to=until)) == [guangzhou.number]
    assert _numbers(operator_api.get("orders", q="李雷")) == [guangzhou.number]
    assert _numbers(operator_api.get("orders", q="13700137003")) == [chengdu.number]
    assert _numbers(operator_api.get("orders", q=shanghai.number)) == [shanghai.number]

    page = operator_api.get("orders", limit=2, offset=2)
    assert page.json()["count"] == 3
    assert _numbers(page) == [chengdu.number]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_total": "abc"}, "min_total"),
        ({"max_total": "-5"}, "max_total"),
        ({"min_total": "1.001"}, "min_total"),
        ({"status": "lost"}, "status"),
        ({"region": "mars"}, "region"),
        ({"placed_from": "2026-02-01", "placed_to": "2026-01-01"}, "placed_from"),
    ],
)
def test_bad_filters_are_a_422_naming_the_field(operator_api: ApiClient, params: dict[str, str], field: str) -> None:
    answer = operator_api.get("orders", **params)
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_error"
    assert field in answer.json()["details"]


def test_the_list_pages_within_the_limits(operator_api: ApiClient) -> None:
    assert operator_api.get("orders", limit=0).status_code == 422
    assert operator_api.get("orders", limit=501).status_code == 422
    assert operator_api.get("orders", offset=-1).status_code == 422


# --- detail --------------------------------------------------------------------------------------


def test_one_order_has_its_lines_timeline_and_payments(
    operator_api: ApiClient, paid_order: Callable[..., Order]
) -> None:
    order = paid_order(shipping_fen=800, invoice_kind="company", invoice_title="上海拾光贸易有限公司")
    body = operator_api.get(f"orders/{order.number}").json()
    assert body["number"] == order.number
    assert body["status"] == "allocated"
    assert body["total"]["yuan"] == "315.00"
    assert body["shipping"]["yuan"] == "8.00"
    assert body["invoice"]["kind"] == "company"
    assert body["invoice"]["title"] == "上海拾光贸易有限公司"
    dress, cups = body["lines"]
    assert dress["sku_code"] == "DRESS-M"
    assert cups["paid_share"] == {"fen": 10800, "yuan": "108.00"}
    assert cups["discount"]["yuan"] == "10.00"
    assert cups["refundable"]["yuan"] == "108.00"
    assert cups["explanation"] == list(CUPS.explanation)
    assert [event["kind"] for event in body["events"]] == ["placed", "pay", "allocate"]
    assert body["events"][1]["from_status"] == "pending_payment"
    assert body["events"][1]["to_status"] == "paid"
    (payment,) = body["payments"]
    assert payment["status"] == "succeeded"
    assert payment["amount"]["yuan"] == "315.00"
    assert payment["trade_no"].startswith("2026")
    assert body["refunds"] == []


def test_an_unknown_order_is_a_404(operator_api: ApiClient) -> None:
    for answer in (
        operator_api.get("orders/SK202601010000000000"),
        operator_api.post("orders/SK202601010000000000/cancel", {"reason": "x"}),
        operator_api.post(
            "orders/SK202601010000000000/refunds", {"lines": [{"line_id": 1}], "reason": "x", "request_key": "k"}
        ),
    ):
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"


# --- cancel --------------------------------------------------------------------------------------


def test_cancel_an_unpaid_order_with_a_reason(operator_api: ApiClient, make_order: Callable[..., Order]) -> None:
    order = make_order()
    assert operator_api.post(f"orders/{order.number}/cancel", {"reason": ""}).status_code == 422
    answer = operator_api.post(f"orders/{order.number}/cancel", {"reason": "客户电话要求取消"})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == "cancelled"
    assert body["cancel_reason"] == "客户电话要求取消"
    last = body["events"][-1]
    assert (last["kind"], last["from_status"], last["to_status"]) == ("cancel", "pending_payment", "cancelled")
    assert last["actor"] == "store_operator_user"
    assert AuditEntry.objects.filter(action="order.cancel", object_id=str(order.pk), channel="api").exists()

    again = operator_api.post(f"orders/{order.number}/cancel", {"reason": "再取消一次"})
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_a_paid_order_cannot_be_cancelled(operator_api: ApiClient, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    answer = operator_api.post(f"orders/{order.number}/cancel", {"reason": "想取消"})
    assert answer.status_code == 409
    order.refresh_from_db()
    assert order.status == "allocated"


# --- refunds -------------------------------------------------------------------------------------


def test_refund_part_of_a_line_once_per_request_key(operator_api: ApiClient, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    cups = _lines(order)["CUP-500"]
    payload = {"lines": [{"line_id": cups, "amount": "12.30"}], "reason": "保温杯有划痕", "request_key": "ticket-88"}
    first = operator_api.post(f"orders/{order.number}/refunds", payload)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["amount"] == {"fen": 1230, "yuan": "12.30"}
    assert body["lines"] == [{"line_id": cups, "amount": {"fen": 1230, "yuan": "12.30"}}]
    assert body["status"] == "pending"
    assert body["requested_by"] == "store_operator_user"
    assert body["out_refund_no"]

    again = operator_api.post(f"orders/{order.number}/refunds", payload)  # a retried request
    assert again.status_code == 201
    assert again.json()["request_key"] == body["request_key"]
    assert OrderRefund.objects.filter(order=order).count() == 1
    assert Refund.objects.filter(payment__reference=order.reference).count() == 1

    detail = operator_api.get(f"orders/{order.number}").json()
    assert detail["lines"][1]["refundable"]["yuan"] == "95.70"  # 108.00 less 12.30 on its way
    assert [refund["amount"]["yuan"] for refund in detail["refunds"]] == ["12.30"]


@pytest.mark.parametrize(
    "amount",
    ["abc", "-5", "0", "12.345", "108.01", "1e3"],
)
def test_a_bad_refund_amount_is_a_422_and_changes_nothing(
    operator_api: ApiClient, paid_order: Callable[..., Order], amount: str
) -> None:
    order = paid_order()
    cups = _lines(order)["CUP-500"]
    answer = operator_api.post(
        f"orders/{order.number}/refunds",
        {"lines": [{"line_id": cups, "amount": amount}], "reason": "试试", "request_key": f"bad-{amount}"},
    )
    assert answer.status_code == 422, answer.json()
    assert answer.json()["code"] == "validation_error"
    assert str(cups) in answer.json()["details"]["lines"]
    assert not OrderRefund.objects.filter(order=order).exists()
    assert not Refund.objects.filter(payment__reference=order.reference).exists()


def test_a_refund_amount_must_be_text_and_the_line_the_orders(
    operator_api: ApiClient, paid_order: Callable[..., Order], make_order: Callable[..., Order]
) -> None:
    order = paid_order()
    cups = _lines(order)["CUP-500"]
    as_number = operator_api.post(
        f"orders/{order.number}/refunds",
        {"lines": [{"line_id": cups, "amount": 12.3}], "reason": "浮点数", "request_key": "float"},
    )
    assert as_number.status_code == 422
    assert as_number.json()["details"]["fields"][0]["loc"][-1] == "amount"

    other = make_order()
    foreign = other.lines.first()
    assert foreign is not None
    answer = operator_api.post(
        f"orders/{order.number}/refunds",
        {"lines": [{"line_id": foreign.pk}], "reason": "别的订单", "request_key": "foreign"},
    )
    assert answer.status_code == 422
    assert str(foreign.pk) in answer.json()["details"]["lines"]

    twice = operator_api.post(
        f"orders/{order.number}/refunds",
        {"lines": [{"line_id": cups}, {"line_id": cups}], "reason": "两次", "request_key": "twice"},
    )
    assert twice.status_code == 422
    assert not OrderRefund.objects.exists()


def test_an_unpaid_order_cannot_be_refunded(operator_api: ApiClient, make_order: Callable[..., Order]) -> None:
    order = make_order()
    answer = operator_api.post(
        f"orders/{order.number}/refunds",
        {"lines": [{"line_id": _lines(order)["DRESS-M"]}], "reason": "未付款", "request_key": "unpaid"},
    )
    assert answer.status_code == 409
    assert not OrderRefund.objects.exists()


def test_refunding_everything_returns_shipping_and_closes_the_order(
    operator_api: ApiClient, paid_order: Callable[..., Order]
) -> None:
    order = paid_order(shipping_fen=800)
    lines = _lines(order)
    answer = operator_api.post(
        f"orders/{order.number}/refunds",
        {
            "lines": [{"line_id": lines["DRESS-M"], "amount": None}, {"line_id": lines["CUP-500"]}],
            "reason": "整单退款",
            "request_key": "all",
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["amount"]["yuan"] == "315.00"
    assert {"line_id": 0, "amount": {"fen": 800, "yuan": "8.00"}} in body["lines"]

    confirm_refund(OrderRefund.objects.get(order=order))
    detail = operator_api.get(f"orders/{order.number}").json()
    assert detail["status"] == "closed"
    assert detail["refunded"]["yuan"] == "315.00"
    assert [line["refunded"]["yuan"] for line in detail["lines"]] == ["199.00", "108.00"]
    assert [line["refundable"]["yuan"] for line in detail["lines"]] == ["0.00", "0.00"]
    (refund,) = detail["refunds"]
    assert refund["status"] == "succeeded"
    assert refund["gateway_status"] == "succeeded"
    assert refund["gateway_refund_no"] == "2026120123000000000000000001"

    more = operator_api.post(
        f"orders/{order.number}/refunds",
        {"lines": [{"line_id": lines["DRESS-M"], "amount": "1.00"}], "reason": "再退", "request_key": "more"},
    )
    assert more.status_code in (409, 422)
    assert OrderRefund.objects.filter(order=order).count() == 1


# --- export --------------------------------------------------------------------------------------


def _csv_rows(answer: Any) -> list[list[str]]:
    content = answer.getvalue()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_csv_has_one_row_per_line_with_exact_amounts(
    make_staff: Callable[..., User], api_as: Callable[[User], ApiClient], make_order: Callable[..., Order]
) -> None:
    analyst = api_as(make_staff(Role.DATA_ANALYST))
    analyst.headers["Accept-Language"] = "en"
    order = make_order(status="allocated", shipping_fen=800, recipient="=HYPERLINK(1)")
    make_order(status="cancelled", channel="douyin")

    answer = analyst.get("orders/export", format="csv", channel="direct")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    header, *rows = _csv_rows(answer)
    assert header[0] == "Order number"
    assert len(rows) == 2  # two lines of the one direct order
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert {row["Order number"] for row in cells} == {order.number}
    assert [row["SKU code"] for row in cells] == ["DRESS-M", "CUP-500"]
    assert cells[1]["Unit price (yuan)"] == "59.00"
    assert cells[1]["Line paid share (yuan)"] == "108.00"
    assert cells[0]["Order total (yuan)"] == "315.00"
    assert cells[0]["Shipping (yuan)"] == "8.00"
    assert cells[0]["Province"] == "上海市"
    assert cells[0]["Recipient"] == "'=HYPERLINK(1)"  # stays text in Excel
    entry = AuditEntry.objects.get(action="order.export")
    assert entry.after is not None
    assert entry.after["filters"] == {"channel": "direct"}


def test_export_xlsx_keeps_amounts_as_text(operator_api: ApiClient, make_order: Callable[..., Order]) -> None:
    order = make_order(status="allocated")
    answer = operator_api.get("orders/export", format="xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(answer.getvalue()), read_only=True)
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[1][0] == order.number
    assert "199.00" in rows[1]
    assert "13800138001" in rows[1]  # a mobile stays text, with all its digits
    assert all(not isinstance(value, float) for row in rows for value in row)


def test_export_refuses_an_unknown_format(operator_api: ApiClient) -> None:
    answer = operator_api.get("orders/export", format="pdf")
    assert answer.status_code == 422
    assert answer.json()["details"]["format"] == "pdf"
