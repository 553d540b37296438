"""The customer's after-sales pages, the console desk and the API, through HTTP: apply from the
order page, the queue and its filters, approve/inspect by the right roles only, the rules page,
refund rates with the CSV download, and the shop and staff APIs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shopkeeper.aftersales import services
from shopkeeper.aftersales.models import Application, AutoApprovalRule
from shopkeeper.aftersales.tests.conftest import Shop, bought
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


@pytest.fixture
def customer(client: Client, shop: Shop) -> Client:
    client.force_login(shop.customer)
    return client


def _staff(make_staff: Callable[..., User], role: Role) -> Client:
    client = Client()
    client.force_login(make_staff(role))
    return client


def test_the_customer_applies_from_the_order_page(customer: Client, shop: Shop, settle: Any) -> None:
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 2))
    page = customer.get(f"/orders/{order.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="aftersales-panel"' in html
    assert html.count('data-testid="aftersales-apply"') == 2
    cup = order.lines.get(sku_code="CUP-500")
    url = f"/orders/{order.number}/lines/{cup.pk}/after-sales/"
    assert customer.get(url).status_code == 200
    too_many = customer.post(url, {"kind": "return_refund", "reason": "quality", "quantity": "3"})
    assert too_many.status_code == 422
    assert "2" in too_many.content.decode()
    done = customer.post(
        url, {"kind": "return_refund", "reason": "quality", "quantity": "1", "photos": "https://img.example.com/a.jpg"}
    )
    assert done.status_code == 302
    app = Application.objects.get()
    assert (app.quantity, app.amount_fen, app.photos) == (1, 5900, ["https://img.example.com/a.jpg"])
    assert app.number in customer.get("/after-sales/").content.decode()
    assert customer.get(f"/after-sales/{app.number}/").status_code == 200
    assert 'data-testid="aftersales-open"' in customer.get(f"/orders/{order.number}/").content.decode()


def test_an_uploaded_photo_must_be_an_image(
    customer: Client, shop: Shop, settle: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    order = bought(shop, settle, (shop.cup, 1))
    url = f"/orders/{order.number}/lines/{order.lines.get().pk}/after-sales/"
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    refused = customer.post(url, {"kind": "return_refund", "reason": "damaged", "quantity": "1", "photo_files": fake})
    assert refused.status_code == 422
    assert Application.objects.count() == 0
    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    assert (
        customer.post(
            url, {"kind": "return_refund", "reason": "damaged", "quantity": "1", "photo_files": png}
        ).status_code
        == 302
    )
    (photo,) = Application.objects.get().photos
    assert photo.startswith("/media/aftersales/")
    assert photo.endswith(".png")
    assert customer.get(photo).status_code == 200
    other = Client()
    assert other.get(photo).status_code == 302  # sign in first


def test_the_desk_queue_detail_and_permissions(make_staff: Callable[..., User], shop: Shop, settle: Any) -> None:
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 1))
    app = services.application_apply(
        customer=shop.customer,
        order_number=order.number,
        line_id=order.lines.get(sku_code="CUP-500").pk,
        kind="return_refund",
        reason="quality",
        quantity=1,
        actor=ActorContext(user=shop.customer),
    )
    agent = _staff(make_staff, Role.CS_AGENT)
    queue = agent.get("/console/after-sales/")
    assert queue.status_code == 200
    assert app.number in queue.content.decode()
    assert app.number not in agent.get("/console/after-sales/?status=refunded").content.decode()
    assert app.number in agent.get("/console/after-sales/?kind=return_refund&reason=quality").content.decode()
    assert agent.get(f"/console/after-sales/{app.number}/").status_code == 200
    assert agent.get("/console/after-sales/rules/").status_code == 403
    warehouse = _staff(make_staff, Role.WAREHOUSE)
    assert warehouse.post(f"/console/after-sales/{app.number}/approve/").status_code == 403
    assert agent.post(f"/console/after-sales/{app.number}/approve/", {"note": "同意"}).status_code == 302
    app.refresh_from_db()
    assert app.status == "approved"
    assert agent.post(f"/console/after-sales/{app.number}/inspect/", {"result": "pass"}).status_code == 403


def test_rules_page_and_rates_csv(make_staff: Callable[..., User], shop: Shop, settle: Any) -> None:
    supervisor = _staff(make_staff, Role.CS_SUPERVISOR)
    assert (
        supervisor.post(
            "/console/after-sales/rules/", {"kind": "refund_only", "stage": "before_shipment", "max_amount": "abc"}
        ).status_code
        == 422
    )
    assert (
        supervisor.post(
            "/console/after-sales/rules/", {"kind": "refund_only", "stage": "before_shipment", "max_amount": "50"}
        ).status_code
        == 302
    )
    assert AutoApprovalRule.objects.get().max_fen == 5000
    bought(shop, settle, (shop.cup, 1))
    operator = _staff(make_staff, Role.STORE_OPERATOR)
    page = operator.get("/console/after-sales/rates/?by=day")
    assert page.status_code == 200
    csv_file = operator.get("/console/after-sales/rates/?by=product&format=csv")
    assert csv_file["Content-Type"].startswith("text/csv")
    assert "316不锈钢保温杯" in csv_file.content.decode("utf-8-sig")
    assert _staff(make_staff, Role.CS_AGENT).get("/console/after-sales/rates/").status_code == 403


def test_the_shop_and_staff_apis(
    customer: Client, shop: Shop, settle: Any, make_staff: Callable[..., User], api_as: Any
) -> None:
    order = bought(shop, settle, (shop.dress, 1), (shop.cup, 1))
    line = order.lines.get(sku_code="DRESS-M")
    customer.get("/")
    token = customer.cookies["csrftoken"].value if "csrftoken" in customer.cookies else ""
    body = {
        "order_number": order.number,
        "line_id": line.pk,
        "kind": "return_refund",
        "reason": "wrong_size",
        "quantity": 5,
    }
    refused = customer.post(
        "/api/v1/shop/aftersales", json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert refused.status_code == 409, refused.content
    assert refused.json()["details"]["reason"] == "quantity"
    body["quantity"] = 1
    created = customer.post(
        "/api/v1/shop/aftersales", json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["amount"] == {"fen": 19900, "yuan": "199.00"}
    assert customer.get("/api/v1/shop/aftersales").json()["count"] == 1
    staff_api = api_as(make_staff(Role.CS_SUPERVISOR, username="sup_api"))
    listed = staff_api.get("aftersales/applications", status="open")
    assert listed.status_code == 200
    assert listed.json()["items"][0]["number"] == number
    approved = staff_api.request("POST", f"aftersales/applications/{number}/approve", {"note": "同意"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    rates = staff_api.get("aftersales/refund-rates", by="reason")
    assert rates.status_code == 200
    assert {row["key"] for row in rates.json()} >= {"wrong_size"}


def test_the_queue_and_the_order_panel_cost_the_same_queries_for_one_or_many(
    make_staff: Callable[..., User],
    shop: Shop,
    settle: Any,
    customer: Client,
    django_assert_max_num_queries: Any,
) -> None:
    agent = _staff(make_staff, Role.CS_AGENT)
    orders = [bought(shop, settle, (shop.cup, 1), (shop.dress, 1), key=f"k{i}") for i in range(4)]
    for order in orders:
        for line in order.lines.all():
            services.application_apply(
                customer=shop.customer,
                order_number=order.number,
                line_id=line.pk,
                kind="return_refund",
                reason="quality",
                quantity=1,
                actor=ActorContext(user=shop.customer),
            )
    with django_assert_max_num_queries(14):
        page = agent.get("/console/after-sales/")
    assert page.content.decode().count('data-testid="queue-row"') == 8
    with django_assert_max_num_queries(12):
        assert agent.get("/api/v1/aftersales/applications").status_code == 200
    with django_assert_max_num_queries(30):  # the order page with every panel (ours: one query)
        assert customer.get(f"/orders/{orders[0].number}/").status_code == 200
