"""The staff's customer reads and tier changes through HTTP: the API (/api/v1/customers) and the
console's customer pages. User operations may set a tier; customer service only looks; a shopper
reads their own tier on /shop/account/me."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors, services
from shopkeeper.customers.tests.conftest import CUSTOMER_PASSWORD, MakeCustomer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoppers(make_customer: MakeCustomer) -> tuple[User, User]:
    mei = make_customer("13800138000", nickname="小美")
    jie = make_customer("13912345678", nickname="阿杰")
    services.customer_set_tier(customer_id=jie.pk, tier="gold", actor=ActorContext.system())
    return mei, jie


class TestApi:
    def test_user_operations_finds_customers_and_sets_a_tier(
        self, shoppers: tuple[User, User], make_staff: Callable[..., User], api_as: Callable[[User], Any]
    ) -> None:
        mei, jie = shoppers
        ops = api_as(make_staff(Role.USER_OPS))
        tiers = ops.get("customers/tiers").json()
        assert [(t["value"], t["customers"]) for t in tiers] == [
            ("regular", 1),
            ("silver", 0),
            ("gold", 1),
            ("platinum", 0),
        ]
        found = ops.get("customers", q="5678").json()
        assert (found["count"], found["items"][0]["id"], found["items"][0]["tier"]) == (1, jie.pk, "gold")
        assert ops.get("customers", tier="gold").json()["count"] == 1
        bad_filter = ops.get("customers", tier="diamond")
        assert bad_filter.status_code == 422
        assert "tier" in bad_filter.json()["details"]

        changed = ops.put(f"customers/{mei.pk}/tier", {"tier": "platinum", "reason": "年度 VIP"})
        assert changed.status_code == 200, changed.content
        assert (changed.json()["tier"], changed.json()["tier_label"]) == ("platinum", "铂金会员")
        entry = AuditEntry.objects.get(action="customer.set_tier", object_id=str(selectors.customer_get(mei.pk).pk))
        assert (entry.channel, (entry.after or {}).get("reason")) == ("api", "年度 VIP")

    def test_a_bad_tier_is_a_422_by_field_and_changes_nothing(
        self, shoppers: tuple[User, User], make_staff: Callable[..., User], api_as: Callable[[User], Any]
    ) -> None:
        mei, _jie = shoppers
        refused = api_as(make_staff(Role.USER_OPS)).put(f"customers/{mei.pk}/tier", {"tier": "diamond"})
        assert refused.status_code == 422
        body = refused.json()
        assert body["code"] == "validation_error"
        assert "tier" in body["details"]
        assert selectors.customer_tier(mei.pk) == "regular"

    def test_customer_service_looks_customers_up_but_cannot_set_a_tier(
        self, shoppers: tuple[User, User], make_staff: Callable[..., User], api_as: Callable[[User], Any]
    ) -> None:
        mei, _jie = shoppers
        agent = api_as(make_staff(Role.CS_AGENT))
        assert agent.get(f"customers/{mei.pk}").json()["mobile"] == "13800138000"
        assert agent.put(f"customers/{mei.pk}/tier", {"tier": "gold"}).status_code == 403
        assert api_as(make_staff(Role.WAREHOUSE)).get("customers").status_code == 403
        assert api_as(make_staff(Role.USER_OPS)).get("customers/999999").status_code == 404

    def test_a_shopper_reads_their_own_tier(self, shoppers: tuple[User, User]) -> None:
        client = Client()
        client.post(
            "/api/v1/shop/account/login",
            {"mobile": "13912345678", "password": CUSTOMER_PASSWORD},
            content_type="application/json",
        )
        me = client.get("/api/v1/shop/account/me").json()
        assert (me["tier"], me["tier_label"]) == ("gold", "黄金会员")  # the API speaks the shop's language


class TestConsole:
    def test_user_operations_changes_a_tier_from_the_customer_page(
        self, shoppers: tuple[User, User], make_staff: Callable[..., User], console: Callable[[User], Client]
    ) -> None:
        mei, _jie = shoppers
        client = console(make_staff(Role.USER_OPS))
        listing = client.get("/console/customers/", {"q": "小美"})
        assert listing.status_code == 200
        html = listing.content.decode()
        assert "138****8000" in html
        assert "阿杰" not in html
        assert "黄金会员" in client.get("/console/customers/").content.decode()  # the tier counts
        page = client.get(f"/console/customers/{mei.pk}/")
        assert 'data-testid="tier-form"' in page.content.decode()
        for tier in ("regular", "silver", "gold", "platinum"):
            assert f'value="{tier}"' in page.content.decode()  # the tiers come from the enum
        saved = client.post(f"/console/customers/{mei.pk}/tier/", {"tier": "silver", "reason": "补录等级"})
        assert saved.status_code == 302
        assert selectors.customer_tier(mei.pk) == "silver"
        history = client.get(f"/console/customers/{mei.pk}/").content.decode()
        assert "补录等级" in history
        assert "白银会员" in history

    def test_a_forged_tier_is_refused_on_the_page_and_changes_nothing(
        self, shoppers: tuple[User, User], make_staff: Callable[..., User], console: Callable[[User], Client]
    ) -> None:
        mei, _jie = shoppers
        refused = console(make_staff(Role.USER_OPS)).post(f"/console/customers/{mei.pk}/tier/", {"tier": "diamond"})
        assert refused.status_code == 422
        assert 'data-testid="tier-errors"' in refused.content.decode()
        assert selectors.customer_tier(mei.pk) == "regular"

    def test_customer_service_sees_the_page_without_the_tier_form(
        self, shoppers: tuple[User, User], make_staff: Callable[..., User], console: Callable[[User], Client]
    ) -> None:
        mei, _jie = shoppers
        client = console(make_staff(Role.CS_AGENT))
        page = client.get(f"/console/customers/{mei.pk}/")
        assert page.status_code == 200
        assert 'data-testid="tier-form"' not in page.content.decode()
        assert client.post(f"/console/customers/{mei.pk}/tier/", {"tier": "gold"}).status_code == 403
        assert selectors.customer_tier(mei.pk) == "regular"
