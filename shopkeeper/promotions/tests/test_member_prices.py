"""Member prices (会员价) per membership tier: a tier gets the prices of the tiers below it, an
unknown tier is refused by field, the cart and checkout price a member at their tier's price (one
query for the tier, only when a member price runs), the console form offers the tiers and no free
text, and the product page shows the shopper's price and a higher tier's as a teaser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.models import CartLine
from shopkeeper.checkout.tests.conftest import PASSWORD, SYSTEM, Shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.customers import services as customers
from shopkeeper.promotions import rules, services
from shopkeeper.promotions.models import Promotion
from shopkeeper.promotions.tests.conftest import MakePromotion

pytestmark = pytest.mark.django_db


def member_prices(shop: Shop, **per_tier: int) -> dict[str, Any]:
    """Member prices of the cup (¥59.00) per tier, in fen."""
    return {"prices": {tier: {str(shop.cup.pk): fen} for tier, fen in per_tier.items()}}


def cup_total(shop: Shop, customer: User) -> Money:
    """What one cup in the customer's cart comes to."""
    cart = checkout.cart_for_customer(customer)
    CartLine.objects.filter(cart=cart).delete()
    checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=1)
    return cart_reads.cart_view(checkout.cart_for_customer(customer), region="east").priced.line("CUP-500").total


class TestRule:
    def test_a_higher_tier_gets_the_lower_tiers_price_unless_its_own_is_lower(self) -> None:
        prices = rules.tier_prices({"silver": {1: Money(5500), 2: Money(9000)}, "platinum": {1: Money(5600)}})
        assert prices == {
            "silver": {1: Money(5500), 2: Money(9000)},
            "gold": {1: Money(5500), 2: Money(9000)},
            "platinum": {1: Money(5500), 2: Money(9000)},  # its own ¥56.00 is above silver's ¥55.00
        }

    def test_an_unknown_tier_is_refused_by_field_and_nothing_is_saved(self, shop: Shop, promote: MakePromotion) -> None:
        with pytest.raises(ValidationFailed) as refused:
            promote("member_price", member_prices(shop, gold=4900, diamond=3900))
        assert "params.prices.diamond" in refused.value.details
        assert "regular, silver, gold, platinum" in refused.value.details["params.prices.diamond"]
        assert not Promotion.objects.exists()

    def test_a_price_for_no_sku_or_not_below_the_skus_own_is_refused_by_field(
        self, shop: Shop, promote: MakePromotion
    ) -> None:
        params = {"prices": {"gold": {str(shop.cup.pk): 5900, "999999": 100}}}
        with pytest.raises(ValidationFailed) as refused:
            promote("member_price", params)
        assert refused.value.details[f"params.prices.gold.{shop.cup.pk}"] == (
            "The member price ¥59.00 is not below the price of CUP-500, ¥59.00."
        )
        assert "params.prices.gold.999999" in refused.value.details
        assert not Promotion.objects.exists()


class TestPricing:
    def test_a_member_pays_the_price_of_their_tier_and_a_regular_member_the_sale_price(
        self, shop: Shop, promote: MakePromotion, second_customer: Callable[[str], User]
    ) -> None:
        promote("member_price", member_prices(shop, silver=5500, gold=4900))
        assert cup_total(shop, shop.customer) == Money(5900)  # regular: no member price
        customers.customer_set_tier(customer_id=shop.customer.pk, tier="gold", actor=SYSTEM)
        assert cup_total(shop, shop.customer) == Money(4900)
        platinum = second_customer("13900000001")
        customers.customer_set_tier(customer_id=platinum.pk, tier="platinum", actor=SYSTEM)
        assert cup_total(shop, platinum) == Money(4900)  # no platinum price: the gold one

    def test_checkout_places_the_order_at_the_member_price_with_one_more_query(
        self, shop: Shop, promote: MakePromotion
    ) -> None:
        customers.customer_set_tier(customer_id=shop.customer.pk, tier="gold", actor=SYSTEM)
        percent = promote("percent_off", {"percent_off": 10}, scope={"sku_ids": [shop.cup.pk]})

        def place(key: str) -> tuple[Any, int]:
            cart = checkout.cart_for_customer(shop.customer)
            checkout.cart_add(cart=cart, sku_id=shop.cup.pk, quantity=2)
            with CaptureQueriesContext(connection) as queries:
                order = checkout.checkout_submit(
                    cart=cart, customer=shop.customer, address_id=shop.address_id, idempotency_key=key, actor=SYSTEM
                )
            return order, len(queries)

        _order, without = place("plain")
        services.promotion_end(promotion_id=percent.pk, actor=SYSTEM)
        promote("member_price", member_prices(shop, gold=4900))
        order, with_tier = place("member")
        assert (order.subtotal_fen, order.discount_fen) == (11800, 2000)
        assert "Member price" in " ".join(order.lines.get().explanation)
        assert with_tier == without + 1  # the customer's tier, read once


def staff_client(role: Role) -> Client:
    user = User.objects.create_user(username=f"{role.value}_member", password=PASSWORD)
    user.groups.add(Group.objects.get(name=role.value))
    client = Client()
    client.force_login(user)
    return client


def form_data(**changes: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "name": "会员价 保温杯",
        "kind": "member_price",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "publish": "on",
        "gift_quantity": "1",
        "gift_refund_rule": "recover",
    }
    data.update(changes)
    return data


class TestConsole:
    def test_the_form_offers_one_box_per_tier_and_saves_prices_by_tier(self, shop: Shop) -> None:
        client = staff_client(Role.CAMPAIGN_OPERATOR)
        page = client.get("/console/promotions/new/?kind=member_price").content.decode()
        for tier, label in (("regular", "普通会员价"), ("silver", "白银会员价"), ("gold", "黄金会员价")):
            assert f'name="member_prices_{tier}"' in page
            assert label in page
        assert 'name="member_prices"' not in page  # no free-text tier
        saved = client.post(
            "/console/promotions/new/", form_data(member_prices_gold="CUP-500 49", member_prices_platinum="CUP-500=45")
        )
        assert saved.status_code == 302, saved.content.decode()[:3000]
        promotion = Promotion.objects.get()
        assert promotion.params == {"prices": {"gold": {str(shop.cup.pk): 4900}, "platinum": {str(shop.cup.pk): 4500}}}
        edit = client.get(f"/console/promotions/{promotion.pk}/").content.decode()
        assert "CUP-500 49" in edit
        assert "CUP-500 45" in edit

    def test_a_price_the_service_refuses_is_shown_at_its_tier(self, shop: Shop) -> None:
        client = staff_client(Role.CAMPAIGN_OPERATOR)
        refused = client.post("/console/promotions/new/", form_data(member_prices_platinum="CUP-500 69"))
        assert refused.status_code == 422
        assert "铂金会员价: " in refused.content.decode()  # the error sits at the platinum box
        assert not Promotion.objects.exists()

    def test_a_wrong_line_is_shown_at_its_tier_and_nothing_is_saved(self, shop: Shop) -> None:
        client = staff_client(Role.CAMPAIGN_OPERATOR)
        refused = client.post("/console/promotions/new/", form_data(member_prices_silver="NOPE-1 49"))
        assert refused.status_code == 422
        html = refused.content.decode()
        assert "白银会员价" in html
        assert "NOPE-1" in html
        assert not Promotion.objects.exists()

    def test_the_sample_cart_prices_as_a_member_of_the_tier_chosen(
        self, shop: Shop, promote: MakePromotion, api_as: Callable[[User], Any]
    ) -> None:
        promotion = promote("member_price", member_prices(shop, gold=4900))
        client = staff_client(Role.CAMPAIGN_OPERATOR)
        visitor = client.get("/console/promotions/preview/", {"lines": "CUP-500 1"}).content.decode()
        gold = client.get("/console/promotions/preview/", {"lines": "CUP-500 1", "tier": "gold"}).content.decode()
        assert "¥49.00" not in visitor
        assert "¥49.00" in gold
        api = api_as(User.objects.get(username="campaign_operator_member"))
        body = {"lines": [{"sku_id": shop.cup.pk, "quantity": 1}], "promotion_ids": [promotion.pk], "tier": "gold"}
        priced = api.post("promotions/preview", body)
        assert priced.status_code == 200, priced.content
        assert priced.json()["total"]["fen"] == 4900 + priced.json()["shipping"]["fen"]
        refused = api.post("promotions/preview", {**body, "tier": "diamond"})
        assert refused.status_code == 422
        assert "tier" in refused.json()["details"]


class TestProductPage:
    def test_a_member_sees_their_price_and_a_regular_member_the_gold_price_to_aim_for(
        self, shop: Shop, promote: MakePromotion, client: Client
    ) -> None:
        promote("member_price", member_prices(shop, silver=5500, gold=4900))
        url = f"/product/{shop.cup.product_id}/"
        visitor = client.get(url).content.decode()
        assert 'data-testid="member-price-teaser"' in visitor
        assert "黄金会员价" in visitor
        assert "¥49.00" in visitor
        assert 'data-testid="member-price-mine"' not in visitor
        client.force_login(shop.customer)
        regular = client.get(url).content.decode()
        assert "黄金会员价" in regular
        assert "黄金会员及以上专享" in regular
        customers.customer_set_tier(customer_id=shop.customer.pk, tier="gold", actor=SYSTEM)
        gold = client.get(url).content.decode()
        assert 'data-testid="member-price-mine"' in gold
        assert 'data-testid="member-price-teaser"' not in gold
        assert "你的会员价" in gold

    def test_no_member_price_running_shows_nothing(self, shop: Shop, client: Client) -> None:
        assert 'data-testid="member-price"' not in client.get(f"/product/{shop.cup.product_id}/").content.decode()
