"""Group buys as people meet them: the product page's panel and the group's share page, opening
and joining through the storefront, the order page's panel, the customer and staff API, and the
console pages with their permissions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from shopkeeper.catalog.selectors import storefront as storefront_reads
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.checkout.tests.test_order_payment_flow import pay
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.orders.models import Order
from shopkeeper.promotions.groupbuy import services
from shopkeeper.promotions.groupbuy.models import Group, GroupBuy, GroupState
from shopkeeper.storefront import views_groupbuy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]

Buyer = Callable[[int], tuple[User, int]]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_group(shop: Shop, groupbuy: GroupBuy) -> Group:
    return services.group_open(
        groupbuy_id=groupbuy.pk, customer=shop.customer, address_id=shop.address_id, idempotency_key="o", actor=SYSTEM
    ).group


class TestStorefront:
    def test_the_product_page_offers_the_group_price_and_the_open_groups(
        self, shop: Shop, groupbuy: GroupBuy, django_assert_max_num_queries: Any
    ) -> None:
        group = open_group(shop, groupbuy)
        product = storefront_reads.product_page(product_id=shop.cup.product_id)
        with django_assert_max_num_queries(2):  # the running group buy, its joinable groups
            panel = views_groupbuy.product_panel(RequestFactory().get("/"), product)
        assert panel is not None
        assert [row["missing"] for row in panel.context["groups"]] == [2]
        page = Client().get(f"/product/{shop.cup.product_id}/").content.decode()
        assert 'data-testid="groupbuy-panel"' in page
        assert "¥39.00" in page
        assert "3人团" in page
        assert f"/group/{group.share_code}/" in page
        assert "还差 2 人" in page
        other = Client().get(f"/product/{shop.dress.product_id}/").content.decode()
        assert 'data-testid="groupbuy-panel"' not in other

    def test_open_then_join_by_link_through_the_pages(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer, settle: Any
    ) -> None:
        leader = signed_in(shop.customer)
        confirm = leader.get(f"/group/open/{groupbuy.pk}/")
        assert confirm.status_code == 200
        key = re.search(r'name="key" value="(\w+)"', confirm.content.decode())
        assert key is not None
        placed = leader.post(f"/group/open/{groupbuy.pk}/", {"key": key.group(1), "address_id": shop.address_id})
        assert placed.status_code == 302
        order = Order.objects.get(customer=shop.customer)
        assert placed["Location"] == f"/orders/{order.number}/"
        order_page = leader.get(placed["Location"]).content.decode()
        group = Group.objects.get()
        assert 'data-testid="groupbuy-order-panel"' in order_page
        assert f"/group/{group.share_code}/" in order_page
        assert "自动退" in order_page  # refunded automatically if the group fails
        user, address_id = buyer(1)
        friend = signed_in(user)
        share = friend.get(f"/group/{group.share_code}/").content.decode()
        assert 'data-testid="join-form"' in share
        assert share.count('data-testid="group-member"') == 1
        joined = friend.post(f"/group/{group.share_code}/join/", {"key": "k1", "address_id": address_id})
        assert joined.status_code == 302
        assert Order.objects.filter(customer=user, kind="group").count() == 1
        visitor = Client().get(f"/group/{group.share_code}/").content.decode()
        assert visitor.count('data-testid="group-member"') == 2
        assert 'data-testid="group-sign-in"' in visitor

    def test_joining_a_full_group_says_so_and_places_nothing(self, shop: Shop, buyer: Buyer) -> None:
        groupbuy = services.groupbuy_save(
            actor=SYSTEM,
            sku_id=shop.cup.pk,
            title="2人团",
            group_price=Money(3900),
            group_size=2,
            time_limit_hours=2,
            per_customer_limit=1,
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(days=1),
        )
        group = open_group(shop, groupbuy)
        first, first_address = buyer(1)
        services.group_join(
            share_code=group.share_code, customer=first, address_id=first_address, idempotency_key="a", actor=SYSTEM
        )
        late, late_address = buyer(2)
        client = signed_in(late)
        answer = client.post(f"/group/{group.share_code}/join/", {"key": "k", "address_id": late_address}, follow=True)
        assert "满" in answer.content.decode()  # 这个团已满
        assert not Order.objects.filter(customer=late).exists()


class TestApi:
    def test_a_customer_opens_and_a_friend_joins_through_the_api(
        self, shop: Shop, groupbuy: GroupBuy, buyer: Buyer
    ) -> None:
        leader = signed_in(shop.customer)
        answer = leader.post(
            "/api/v1/shop/groups/open",
            {"groupbuy_id": groupbuy.pk, "address_id": shop.address_id, "idempotency_key": "api-1"},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
        body = answer.json()
        code = body["group"]["share_code"]
        assert (body["group"]["missing"], body["group"]["group_price"]["yuan"]) == (2, "39.00")
        user, address_id = buyer(1)
        joined = signed_in(user).post(
            f"/api/v1/shop/groups/{code}/join",
            {"address_id": address_id, "idempotency_key": "api-2"},
            content_type="application/json",
        )
        assert joined.status_code == 201
        shown = Client().get(f"/api/v1/shop/groups/{code}").json()
        assert (shown["seats_taken"], len(shown["members"])) == (2, 2)
        assert shown["members"][0]["is_leader"]
        missing = Client().get("/api/v1/shop/groups/nope")
        assert missing.status_code == 404

    def test_staff_create_with_bad_terms_is_refused_and_the_director_only_reads(
        self, shop: Shop, make_staff: Callable[..., User]
    ) -> None:
        operator = signed_in(make_staff(Role.CAMPAIGN_OPERATOR))
        payload = {
            "title": "保温杯 3人团",
            "sku_id": shop.cup.pk,
            "group_price": "39.00",
            "group_size": 1,
            "time_limit_hours": 24,
            "starts_at": timezone.now().isoformat(),
            "ends_at": (timezone.now() + timedelta(days=3)).isoformat(),
        }
        bad = operator.post("/api/v1/groupbuys", payload, content_type="application/json")
        assert bad.status_code == 422
        assert "group_size" in bad.json()["details"]["fields"]
        payload["group_size"] = 3
        made = operator.post("/api/v1/groupbuys", payload, content_type="application/json")
        assert made.status_code == 201
        assert made.json()["counters"]["opened"] == 0
        director = signed_in(make_staff(Role.OPERATIONS_DIRECTOR))
        assert director.get("/api/v1/groupbuys").status_code == 200
        refused = director.post("/api/v1/groupbuys", payload, content_type="application/json")
        assert refused.status_code == 403


class TestConsole:
    def test_the_operator_creates_pauses_and_sees_counters(
        self, shop: Shop, make_staff: Callable[..., User], buyer: Buyer, settle: Any
    ) -> None:
        operator = signed_in(make_staff(Role.CAMPAIGN_OPERATOR))
        assert operator.get("/console/groupbuys/new/").status_code == 200
        form = {
            "title": "保温杯 3人团",
            "sku_code": "CUP-500",
            "group_price": "39.00",
            "group_size": "3",
            "time_limit_hours": "24",
            "per_customer_limit": "1",
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "min_margin_percent": "",
            "virtual_max_missing": "0",
        }
        refused = operator.post("/console/groupbuys/new/", {**form, "group_price": "59.00"})
        assert refused.status_code == 422
        assert not GroupBuy.objects.exists()
        saved = operator.post("/console/groupbuys/new/", form)
        assert saved.status_code == 302
        groupbuy = GroupBuy.objects.get()
        assert AuditEntry.objects.filter(action="groupbuy.create").count() == 1
        Group.objects.all().delete()
        GroupBuy.objects.filter(pk=groupbuy.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
        group = open_group(shop, groupbuy)
        pay(Order.objects.get(customer=shop.customer), settle)
        detail = operator.get(f"/console/groupbuys/{groupbuy.pk}/").content.decode()
        assert group.share_code in detail
        assert re.search(r'data-counter="members">1<', detail)
        assert re.search(r'data-counter="opened">1<', detail)
        listing = operator.get("/console/groupbuys/").content.decode()
        assert "保温杯 3人团" in listing
        operator.post(f"/console/groupbuys/{groupbuy.pk}/status/", {"status": "paused"})
        groupbuy.refresh_from_db()
        assert groupbuy.status == "paused"
        assert group.state == GroupState.OPEN

    def test_the_director_reads_but_cannot_change_and_others_are_refused(
        self, groupbuy: GroupBuy, make_staff: Callable[..., User]
    ) -> None:
        director = signed_in(make_staff(Role.OPERATIONS_DIRECTOR))
        assert director.get("/console/groupbuys/").status_code == 200
        assert director.get(f"/console/groupbuys/{groupbuy.pk}/").status_code == 200
        assert director.get("/console/groupbuys/new/").status_code == 403
        assert director.post(f"/console/groupbuys/{groupbuy.pk}/status/", {"status": "paused"}).status_code == 403
        warehouse = signed_in(make_staff(Role.WAREHOUSE))
        assert warehouse.get("/console/groupbuys/").status_code == 403


def test_the_share_page_and_the_order_panel_stay_cheap(
    shop: Shop, groupbuy: GroupBuy, buyer: Buyer, django_assert_max_num_queries: Any
) -> None:
    group = open_group(shop, groupbuy)
    for n in (1, 2):
        user, address_id = buyer(n)
        services.group_join(
            share_code=group.share_code, customer=user, address_id=address_id, idempotency_key=f"j{n}", actor=SYSTEM
        )
    visitor = Client()
    visitor.get(f"/group/{group.share_code}/")
    with django_assert_max_num_queries(2):
        assert visitor.get(f"/group/{group.share_code}/").status_code == 200
    order = Order.objects.get(customer=shop.customer)
    request = RequestFactory().get(f"/orders/{order.number}/")
    with django_assert_max_num_queries(1):  # the member with its group and group buy
        panel = views_groupbuy.order_panel(request, order)
    assert panel is not None
    assert panel.context["group"].share_code == group.share_code
    page = signed_in(shop.customer).get(f"/orders/{order.number}/").content.decode()
    assert 'data-testid="groupbuy-order-panel"' in page
