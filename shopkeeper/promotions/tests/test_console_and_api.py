"""The campaign desk in the console and the promotions API: who may do what, creating a 满减
through the form, bad input shown on the form (nothing saved), the margin guard's refusal with
the SKUs, the preview of a sample cart, the calendar and the simulator pages; the same through
/api/v1/promotions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import Shop
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.promotions.models import Promotion
from shopkeeper.promotions.tests.conftest import MakePromotion, tiers

pytestmark = pytest.mark.django_db
PASSWORD = "Console-Test-2026"


def staff_client(username: str, role: Role) -> Client:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    user.groups.add(Group.objects.get(name=role.value))
    client = Client()
    client.force_login(user)
    return client


def form_data(**changes: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "name": "双12 满减",
        "label": "满200减30",
        "kind": "spend_tier",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "tiers": "200=30, 500=100",
        "min_margin_percent": "10",
        "publish": "on",
        "gift_quantity": "1",
        "gift_refund_rule": "recover",
    }
    data.update(changes)
    return data


def test_the_campaign_operator_creates_a_spend_ladder_and_sees_verdict_and_preview(shop: Shop) -> None:
    client = staff_client("campaign", Role.CAMPAIGN_OPERATOR)
    assert client.get("/console/promotions/new/").status_code == 200
    response = client.post("/console/promotions/new/", form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    promotion = Promotion.objects.get()
    assert promotion.params["tiers"] == [
        {"threshold_fen": 20000, "off_fen": 3000},
        {"threshold_fen": 50000, "off_fen": 10000},
    ]
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="verdict"' in page
    assert "verdict-ok" in page
    preview = client.get("/console/promotions/preview/", {"lines": "DRESS-M 2\nCUP-500 2"}).content.decode()
    assert "¥416.00" in preview  # ¥516 − ¥100
    assert "满200减30" in preview
    listing = client.get("/console/promotions/").content.decode()
    assert "双12 满减" in listing
    calendar = client.get("/console/promotions/calendar/").content.decode()
    assert 'data-testid="calendar-bar"' in calendar


def test_bad_input_stays_on_the_form_and_saves_nothing(shop: Shop) -> None:
    client = staff_client("campaign", Role.CAMPAIGN_OPERATOR)
    cases = [
        form_data(tiers="500=100, 200=30"),  # not increasing
        form_data(kind="percent_off", percent_off="120"),
        form_data(ends_at=(timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")),
        form_data(kind="gift", gift_sku="SCARF", gift_threshold="100"),  # not on sale
        form_data(tiers="lots"),
    ]
    for data in cases:
        response = client.post("/console/promotions/new/", data)
        assert response.status_code == 422, data
        assert 'data-testid="promotion-errors"' in response.content.decode()
    assert not Promotion.objects.exists()


def test_the_margin_guard_refusal_lists_the_skus(shop: Shop) -> None:
    client = staff_client("campaign", Role.CAMPAIGN_OPERATOR)
    response = client.post(
        "/console/promotions/new/", form_data(kind="percent_off", percent_off="70", min_margin_percent="20")
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="refused-breaches"' in page
    for figure in ("DRESS-M", "¥59.70", "¥79.60"):
        assert figure in page
    assert not Promotion.objects.exists()


def test_pause_from_the_console(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("spend_tier", tiers((200, 30)))
    client = staff_client("campaign", Role.CAMPAIGN_OPERATOR)
    client.post(f"/console/promotions/{promotion.pk}/pause/")
    promotion.refresh_from_db()
    assert promotion.status == "paused"


def test_permissions(shop: Shop, promote: MakePromotion) -> None:
    promotion = promote("spend_tier", tiers((200, 30)))
    store = staff_client("store", Role.STORE_OPERATOR)
    assert store.get("/console/promotions/").status_code == 200
    assert store.get(f"/console/promotions/{promotion.pk}/").status_code == 200
    assert store.get("/console/promotions/new/").status_code == 403
    assert store.post(f"/console/promotions/{promotion.pk}/pause/").status_code == 403
    assert store.get("/console/promotions/simulator/").status_code == 403
    director = staff_client("director", Role.OPERATIONS_DIRECTOR)
    assert director.get("/console/promotions/calendar/").status_code == 200
    assert director.get("/console/promotions/simulator/").status_code == 200
    analyst = staff_client("analyst", Role.DATA_ANALYST)
    assert analyst.get("/console/promotions/simulator/").status_code == 200
    assert analyst.get("/console/promotions/").status_code == 403
    page = analyst.get("/console/promotions/simulator/", {"days": "30", "promotions": str(promotion.pk)})
    assert page.status_code == 200
    assert 'data-testid="projection"' in page.content.decode()


def test_the_api(shop: Shop) -> None:
    client = staff_client("campaign", Role.CAMPAIGN_OPERATOR)
    now = timezone.now()
    body = {
        "name": "满减",
        "kind": "spend_tier",
        "params": tiers((200, 30), (500, 100)),
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
        "min_margin_percent": 10,
        "publish": True,
    }
    bad = client.post(
        "/api/v1/promotions", {**body, "params": tiers((500, 100), (200, 30))}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
    assert "params.tiers.1.threshold_fen" in bad.json()["details"]
    created = client.post("/api/v1/promotions", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    promotion_id = created.json()["id"]
    assert created.json()["status"] == "active"
    verdict = client.get(f"/api/v1/promotions/{promotion_id}/verdict").json()
    assert verdict["ok"] is True
    assert verdict["skus_checked"] == 2
    preview = client.post(
        "/api/v1/promotions/preview",
        {"lines": [{"sku_id": shop.dress.pk, "quantity": 2}, {"sku_id": shop.cup.pk, "quantity": 2}]},
        content_type="application/json",
    ).json()
    assert preview["total"]["fen"] == 41600
    assert sum(line["total"]["fen"] for line in preview["lines"]) == 41600
    paused = client.post(f"/api/v1/promotions/{promotion_id}/pause", content_type="application/json")
    assert paused.json()["status"] == "paused"
    listed = client.get("/api/v1/promotions", {"status": "paused"}).json()
    assert [row["id"] for row in listed] == [promotion_id]
    simulated = client.post(
        "/api/v1/promotions/simulate", {"days": 30, "promotion_ids": [promotion_id]}, content_type="application/json"
    )
    assert simulated.status_code == 200
    assert simulated.json()["orders"] == 0
    refused = client.post(
        "/api/v1/promotions",
        {**body, "kind": "percent_off", "params": {"percent_off": 70}, "min_margin_percent": 20},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert {row["sku_code"] for row in refused.json()["details"]["margin"]} == {"DRESS-M", "CUP-500"}
    store = staff_client("store", Role.STORE_OPERATOR)
    assert store.post("/api/v1/promotions", body, content_type="application/json").status_code == 403
    assert store.get(f"/api/v1/promotions/{promotion_id}").status_code == 200
