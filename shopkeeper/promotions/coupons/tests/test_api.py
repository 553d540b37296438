"""The coupon API over HTTP: staff templates (bad input → 422 naming the fields), CS issuance,
and the customer's claim centre, claim and my coupons."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import PASSWORD, staff

pytestmark = pytest.mark.django_db


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    return getattr(client, method)(
        f"/api/v1{path}", data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def _body(**changes: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "name": "满199减20",
        "kind": "amount",
        "amount_fen": 2000,
        "threshold_fen": 19900,
        "claim_starts_at": (now - timedelta(hours=1)).isoformat(),
        "claim_ends_at": (now + timedelta(days=7)).isoformat(),
        "valid_from": (now - timedelta(hours=1)).isoformat(),
        "valid_until": (now + timedelta(days=7)).isoformat(),
        "total_limit": 100,
        "channels": ["claim_centre", "api", "customer_service"],
        **changes,
    }


def test_staff_create_list_change_and_pause(client: Client, operator: User) -> None:
    client.force_login(operator)
    created = call(client, "post", "/coupons/templates", _body(code="api20"))
    assert created.status_code == 201, created.json()
    template = created.json()
    assert (template["amount"], template["code"], template["remaining"]) == (
        {"fen": 2000, "yuan": "20.00"},
        "API20",
        100,
    )
    listing = call(client, "get", "/coupons/templates").json()
    assert listing["count"] == 1
    assert listing["items"][0]["used"] == 0
    assert listing["items"][0]["discount_cost"] == {"fen": 0, "yuan": "0.00"}
    changed = call(client, "put", f"/coupons/templates/{template['id']}", _body(amount_fen=3000, code="api20"))
    assert changed.status_code == 200
    assert changed.json()["amount"]["fen"] == 3000
    assert call(client, "post", f"/coupons/templates/{template['id']}/pause").json()["status"] == "paused"
    assert call(client, "post", f"/coupons/templates/{template['id']}/resume").json()["status"] == "active"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "percent", "percent_off": 120, "amount_fen": None}, "percent_off"),
        ({"kind": "percent", "percent_off": 10, "cap_fen": 0}, "cap"),
        ({"claim_ends_at": (timezone.now() - timedelta(days=1)).isoformat()}, "claim_ends_at"),
        ({"total_limit": 0}, "total_limit"),
        ({"per_customer_limit": 0}, "per_customer_limit"),
    ],
)
def test_bad_input_over_the_api_is_a_422_naming_the_field(
    client: Client, operator: User, changes: dict[str, Any], field: str
) -> None:
    client.force_login(operator)
    response = call(client, "post", "/coupons/templates", _body(**changes))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["details"]["fields"]
    assert not CouponTemplate.objects.exists()


def test_overlapping_codes_are_refused_over_the_api(client: Client, operator: User) -> None:
    client.force_login(operator)
    assert call(client, "post", "/coupons/templates", _body(code="SAME")).status_code == 201
    second = call(client, "post", "/coupons/templates", _body(name="另一张", code="same"))
    assert second.status_code == 422
    assert "code" in second.json()["details"]["fields"]


def test_permissions_cs_issues_director_reads(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template()
    client.force_login(staff("agent", Role.CS_AGENT))
    issued = call(
        client, "post", f"/coupons/templates/{template.pk}/issue", {"customer_ids": [customer.pk], "note": "补偿"}
    )
    assert issued.status_code == 200
    assert issued.json()["issued"][0]["channel"] == "customer_service"
    assert call(client, "post", "/coupons/templates", _body()).status_code == 403
    client.force_login(staff("director", Role.OPERATIONS_DIRECTOR))
    assert call(client, "get", "/coupons/templates").status_code == 200
    assert call(client, "post", f"/coupons/templates/{template.pk}/pause").status_code == 403


def test_the_customer_claims_and_sees_their_coupons(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template(channels=("claim_centre", "api"), total_limit=5)
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    claimable = call(client, "get", "/shop/coupons/claimable").json()
    assert [(row["template_id"], row["remaining"], row["can_claim"]) for row in claimable] == [(template.pk, 5, True)]
    claimed = call(client, "post", "/shop/coupons/claim", {"template_id": template.pk, "channel": "api"})
    assert claimed.status_code == 201
    assert claimed.json()["state"] == "available"
    again = call(client, "post", "/shop/coupons/claim", {"template_id": template.pk})
    assert again.status_code == 409
    assert set(again.json()) == {"code", "message", "details"}
    forged = call(client, "post", "/shop/coupons/claim", {"template_id": template.pk, "channel": "customer_service"})
    assert forged.status_code == 422
    mine = call(client, "get", "/shop/coupons/mine").json()
    assert [item["template_id"] for item in mine["items"]] == [template.pk]
    assert mine["counts"] == {"available": 1, "used": 0, "expired": 0}
    assert call(client, "get", "/shop/coupons/mine?tab=nope").status_code == 422
    assert Coupon.objects.filter(customer=customer).count() == 1


def test_the_customer_api_refuses_visitors(client: Client) -> None:
    assert call(client, "get", "/shop/coupons/mine").status_code == 401
