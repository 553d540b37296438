"""The order desk in the console: the order list with its filters, status tabs and pages (in a
fixed number of queries), one order with its lines, timeline and payments, cancelling and refunding
with the service's refusals on the page, the export buttons, and the shipping fee rules."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.checkout.models import ShippingRule
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.orders.models import Order, OrderRefund
from shopkeeper.orders.tests import conftest as order_fixtures
from shopkeeper.orders.tests.conftest import Line
from shopkeeper.payments.models import Refund

pytestmark = pytest.mark.django_db
make_order = order_fixtures.make_order  # the orders app's fixtures, shared with its own tests
paid_order = order_fixtures.paid_order


@pytest.fixture
def as_role(make_staff: Callable[..., User], client: Client) -> Callable[[Role], Client]:
    def sign_in(role: Role) -> Client:
        client.force_login(make_staff(role, username=f"{role.value}_o"))
        client.cookies["django_language"] = "en"
        return client

    return sign_in


@pytest.fixture
def operator(as_role: Callable[[Role], Client]) -> Client:
    return as_role(Role.STORE_OPERATOR)


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="order-row" data-number="([^"]+)"', page)


def _line_ids(order: Order) -> dict[str, int]:
    return {line.sku_code: line.pk for line in order.lines.all()}


def _request_key(page: str) -> str:
    found = re.search(r'name="request_key" value="([0-9a-f]+)"', page)
    assert found, "the refund form carries a request key"
    return found.group(1)


# --- permissions ---------------------------------------------------------------------------------


def test_a_role_without_view_orders_gets_403(
    as_role: Callable[[Role], Client], client: Client, make_order: Callable[..., Order]
) -> None:
    order = make_order()
    assert client.get("/console/orders/").status_code == 302  # to the sign-in page
    designer = as_role(Role.DESIGNER)
    assert designer.get("/console/orders/").status_code == 403
    assert designer.get(f"/console/orders/{order.number}/").status_code == 403
    assert designer.post(f"/console/orders/{order.number}/cancel/", {"reason": "x"}).status_code == 403
    assert designer.get("/console/shipping/").status_code == 403


def test_an_agent_reads_orders_but_cannot_cancel_refund_or_export(
    as_role: Callable[[Role], Client], make_order: Callable[..., Order]
) -> None:
    order = make_order()
    agent = as_role(Role.CS_AGENT)
    listing = agent.get("/console/orders/")
    assert listing.status_code == 200
    labels = [link.label for section in listing.context["console_nav"] for link in section.links]
    assert "Orders" in labels
    assert "Shipping fees" not in labels
    assert 'data-testid="export-links"' not in listing.content.decode()
    page = agent.get(f"/console/orders/{order.number}/").content.decode()
    assert 'data-testid="cancel-box"' not in page
    assert agent.post(f"/console/orders/{order.number}/cancel/", {"reason": "客户要求"}).status_code == 403
    order.refresh_from_db()
    assert order.status == "pending_payment"


# --- list ----------------------------------------------------------------------------------------


def test_the_list_filters_by_each_field(operator: Client, make_order: Callable[..., Order]) -> None:
    now = timezone.now()
    shanghai = make_order(placed_at=now - timedelta(days=1))
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
        placed_at=now - timedelta(days=10),
        lines=[Line("DRESS-L", "法式收腰连衣裙", 19900, 4)],
    )

    page = operator.get("/console/orders/").content.decode()
    assert _rows(page) == [shanghai.number, guangzhou.number, chengdu.number]
    assert "¥307.00" in page

    def numbers(**params: str) -> list[str]:
        response = operator.get("/console/orders/", params)
        assert response.status_code == 200, params
        return _rows(response.content.decode())

    assert numbers(status="allocated") == [guangzhou.number]
    assert numbers(channel="douyin") == [guangzhou.number]
    assert numbers(region="southwest") == [chengdu.number]
    assert numbers(province="广东省") == [guangzhou.number]
    assert numbers(min_total="100", max_total="400") == [shanghai.number]
    assert numbers(min_total="700.00") == [chengdu.number]
    today = timezone.localdate(now)
    assert numbers(placed_from=str(today - timedelta(days=4)), placed_to=str(today - timedelta(days=2))) == [
        guangzhou.number
    ]
    assert numbers(q="李雷") == [guangzhou.number]
    assert numbers(q="13700137003") == [chengdu.number]
    assert numbers(q=shanghai.number) == [shanghai.number]
    assert numbers(q="nobody") == []


def test_status_tabs_count_orders_and_keep_the_other_filters(
    operator: Client, make_order: Callable[..., Order]
) -> None:
    make_order()
    make_order()
    make_order(status="allocated", channel="douyin")
    response = operator.get("/console/orders/", {"channel": "douyin"})
    tabs = {tab["status"]: tab for tab in response.context["tabs"]}
    assert tabs[""]["count"] == 3
    assert tabs["pending_payment"]["count"] == 2
    assert tabs["allocated"]["count"] == 1
    assert tabs["cancelled"]["count"] == 0
    assert tabs["allocated"]["url"] == "?channel=douyin&status=allocated"
    assert tabs[""]["active"]
    chosen = operator.get("/console/orders/", {"status": "pending_payment"})
    assert [tab["status"] for tab in chosen.context["tabs"] if tab["active"]] == ["pending_payment"]
    assert len(_rows(chosen.content.decode())) == 2


def test_bad_filters_are_shown_and_every_order_stays_listed(operator: Client, make_order: Callable[..., Order]) -> None:
    make_order()
    response = operator.get("/console/orders/", {"min_total": "12.345", "placed_from": "2026-03-01", "placed_to": "x"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="filter-errors"' in page
    assert "at most two decimals" in page
    assert len(_rows(page)) == 1
    assert 'data-testid="export-links"' not in page


def test_the_list_shows_25_orders_a_page(operator: Client, make_order: Callable[..., Order]) -> None:
    start = timezone.now() - timedelta(days=1)
    for minute in range(30):
        make_order(placed_at=start + timedelta(minutes=minute))
    first = operator.get("/console/orders/")
    assert len(_rows(first.content.decode())) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = operator.get("/console/orders/", {"page": "2"})
    assert len(_rows(second.content.decode())) == 5


def test_the_list_runs_in_a_fixed_number_of_queries(operator: Client, make_order: Callable[..., Order]) -> None:
    three_lines = [Line(f"SKU-{n}", f"商品{n}", 1000 + n, n) for n in range(1, 4)]

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = operator.get("/console/orders/", {"region": "east"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    for _ in range(2):
        make_order(lines=three_lines)
    few = count_queries()
    for index in range(40):
        make_order(lines=three_lines, channel=f"channel-{index % 3}", status="allocated" if index % 2 else "paid")
    many = count_queries()
    assert few == many
    assert many <= 10


# --- detail --------------------------------------------------------------------------------------


def test_the_detail_shows_lines_amounts_address_timeline_and_payment(
    operator: Client, paid_order: Callable[..., Order]
) -> None:
    order = paid_order(shipping_fen=800, invoice_kind="company", invoice_title="上海拾光贸易有限公司")
    response = operator.get(f"/console/orders/{order.number}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert order.number in page
    assert "满减 −¥10.00" in page  # the line's price explanation
    assert "¥108.00" in page  # the cups' paid share
    assert "¥315.00" in page
    assert "漕溪北路 88 号 1201" in page
    assert "上海拾光贸易有限公司" in page
    assert "Pending payment → Paid" in page
    assert "Allocated to warehouses" in page
    payment = response.context["payments"][0]
    assert payment.trade_no in page
    assert 'data-testid="refund-box"' in page
    assert 'data-testid="cancel-box"' not in page
    assert operator.get("/console/orders/SK202601010000000000/").status_code == 404


# --- cancel --------------------------------------------------------------------------------------


def test_cancel_an_unpaid_order_with_a_reason(operator: Client, make_order: Callable[..., Order]) -> None:
    order = make_order()
    page = operator.get(f"/console/orders/{order.number}/").content.decode()
    assert 'data-testid="cancel-box"' in page
    assert 'data-testid="refund-box"' not in page

    empty = operator.post(f"/console/orders/{order.number}/cancel/", {"reason": " "})
    assert empty.status_code == 422
    order.refresh_from_db()
    assert order.status == "pending_payment"

    done = operator.post(f"/console/orders/{order.number}/cancel/", {"reason": "客户电话要求取消"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/console/orders/{order.number}/"
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.cancel_reason == "客户电话要求取消"
    page = done.content.decode()
    assert "is cancelled" in page
    assert "客户电话要求取消" in page
    assert AuditEntry.objects.filter(action="order.cancel", channel="console").exists()


def test_a_paid_order_cannot_be_cancelled(operator: Client, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    response = operator.post(f"/console/orders/{order.number}/cancel/", {"reason": "想取消"})
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == "allocated"


# --- refund --------------------------------------------------------------------------------------


def test_refund_more_than_is_left_is_refused_on_the_line(operator: Client, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    cups = _line_ids(order)["CUP-500"]
    key = _request_key(operator.get(f"/console/orders/{order.number}/").content.decode())
    response = operator.post(
        f"/console/orders/{order.number}/refund/",
        {f"line_{cups}": "on", f"amount_{cups}": "108.01", "reason": "多退", "request_key": key},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="refusal"' in page
    assert 'data-testid="line-error"' in page
    assert "At most ¥108.00 can go back for this line." in page
    assert not OrderRefund.objects.exists()
    assert not Refund.objects.exists()


@pytest.mark.parametrize(("amount", "message"), [("abc", "at most two decimals"), ("-1", "cannot be negative")])
def test_a_bad_refund_amount_is_refused_before_anything(
    operator: Client, paid_order: Callable[..., Order], amount: str, message: str
) -> None:
    order = paid_order()
    dress = _line_ids(order)["DRESS-M"]
    response = operator.post(
        f"/console/orders/{order.number}/refund/",
        {f"line_{dress}": "on", f"amount_{dress}": amount, "reason": "试试", "request_key": "k1"},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not OrderRefund.objects.exists()


def test_no_line_ticked_is_refused(operator: Client, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    response = operator.post(f"/console/orders/{order.number}/refund/", {"reason": "没选", "request_key": "k"})
    assert response.status_code == 422
    assert "Tick at least one line" in response.content.decode()


def test_refund_a_line_and_a_double_click_makes_one_refund(operator: Client, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    lines = _line_ids(order)
    key = _request_key(operator.get(f"/console/orders/{order.number}/").content.decode())
    form = {
        f"line_{lines['CUP-500']}": "on",
        f"amount_{lines['CUP-500']}": "20",
        f"amount_{lines['DRESS-M']}": "5",  # typed but not ticked: not refunded
        "reason": "保温杯有划痕",
        "request_key": key,
    }
    first = operator.post(f"/console/orders/{order.number}/refund/", form)
    second = operator.post(f"/console/orders/{order.number}/refund/", form)
    assert first.status_code == second.status_code == 302
    refund = OrderRefund.objects.get(order=order)
    assert refund.amount_fen == 2000
    assert refund.lines == [{"line_id": lines["CUP-500"], "amount_fen": 2000}]
    assert Refund.objects.filter(payment__reference=order.reference).count() == 1

    page = operator.get(f"/console/orders/{order.number}/")
    html = page.content.decode()
    assert "Refund requested" in html
    assert "保温杯有划痕" in html
    assert "¥20.00 on its way" in html
    assert _request_key(html) != key  # a new form, a new key
    (row,) = page.context["refunds"]
    assert row["gateway"].out_refund_no in html


def test_a_confirmed_refund_shows_the_gateway_refund_number(operator: Client, paid_order: Callable[..., Order]) -> None:
    order = paid_order()
    dress = _line_ids(order)["DRESS-M"]
    operator.post(
        f"/console/orders/{order.number}/refund/",
        {f"line_{dress}": "on", "reason": "尺码不合适", "request_key": "whole-dress"},
    )
    order_fixtures.confirm_refund(OrderRefund.objects.get(order=order), refund_no="RF20261201000042")
    page = operator.get(f"/console/orders/{order.number}/").content.decode()
    assert "RF20261201000042" in page
    assert re.search(r'data-testid="line-refunded">¥199.00', page)


# --- export --------------------------------------------------------------------------------------


def test_the_export_buttons_download_the_filtered_list(operator: Client, make_order: Callable[..., Order]) -> None:
    order = make_order(channel="douyin", recipient="张三")
    make_order(channel="direct")
    listing = operator.get("/console/orders/", {"channel": "douyin"})
    csv_url = listing.context["export_csv"]
    assert "channel=douyin" in csv_url
    assert 'data-testid="export-csv"' in listing.content.decode()
    download = operator.get(csv_url)
    assert download.status_code == 200
    content = download.getvalue()
    assert content.startswith(b"\xef\xbb\xbf")
    _header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert {row[0] for row in rows} == {order.number}
    assert "张三" in rows[0]
    assert "199.00" in rows[0]
    xlsx = operator.get(listing.context["export_xlsx"])
    assert xlsx.status_code == 200
    assert xlsx.getvalue().startswith(b"PK")  # a zip: the .xlsx


# --- shipping fees -------------------------------------------------------------------------------


def test_the_shipping_page_changes_a_regions_fee(as_role: Callable[[Role], Client]) -> None:
    assert as_role(Role.CS_SUPERVISOR).get("/console/shipping/").status_code == 403
    operator = as_role(Role.STORE_OPERATOR)
    page = operator.get("/console/shipping/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Everywhere else" in html
    assert "华东" in html
    saved = operator.post("/console/shipping/", {"region": "northwest", "fee": "15", "free_over": ""}, follow=True)
    assert saved.redirect_chain[-1][0] == "/console/shipping/"
    rule = ShippingRule.objects.get(region="northwest")
    assert (rule.fee_fen, rule.free_over_fen) == (1500, None)
    assert "never free" in saved.content.decode()
    entry = AuditEntry.objects.get(action="shipping_rule.save")
    assert entry.before == {"fee_fen": 1200, "free_over_fen": 9900}
    assert entry.channel == "console"


@pytest.mark.parametrize("fee", ["-1", "abc", "1.234"])
def test_a_bad_shipping_fee_is_refused_and_nothing_changes(operator: Client, fee: str) -> None:
    response = operator.post("/console/shipping/", {"region": "east", "fee": fee, "free_over": "99"})
    assert response.status_code == 422
    assert 'data-testid="shipping-errors"' in response.content.decode()
    assert ShippingRule.objects.get(region="east").fee_fen == 800
    assert not AuditEntry.objects.filter(action="shipping_rule.save").exists()
