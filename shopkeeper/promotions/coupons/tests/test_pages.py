"""The coupon pages, in Chinese: the claim centre, my coupons, the product page's coupons, and
the console's coupon desk and CS issuance, with who may see and do what."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.catalog.models import Brand, Category, Product, Sku
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponState
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import staff

pytestmark = pytest.mark.django_db


def test_the_claim_centre_lists_coupons_and_claiming_puts_one_in_my_coupons(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template(total_limit=100)
    anonymous = client.get("/coupons/")
    assert anonymous.status_code == 200
    page = anonymous.content.decode()
    assert "领券中心" in page
    assert "满199减20" in page
    assert "登录后领取" in page
    assert "剩余 100 张" in page
    client.force_login(customer)
    claimed = client.post(f"/coupons/claim/{template.pk}/", {"next": "/coupons/"}, follow=True)
    assert "已放入您的优惠券" in claimed.content.decode()
    assert Coupon.objects.filter(customer=customer, template=template).count() == 1
    again = client.post(f"/coupons/claim/{template.pk}/", {"next": "/coupons/"}, follow=True)
    assert "您已领取过" in again.content.decode()
    mine = client.get("/account/coupons/").content.decode()
    assert "我的优惠券" in mine
    assert "满199减20" in mine
    assert "满 ¥199.00 可用" in mine


def test_a_code_claims_and_an_unknown_one_says_so(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    make_template(code="LIVE618")
    client.force_login(customer)
    assert "已放入您的优惠券" in client.post("/coupons/claim-code/", {"code": "live618"}, follow=True).content.decode()
    assert (
        "目前没有口令为 NOPE 的优惠券"
        in client.post("/coupons/claim-code/", {"code": "nope"}, follow=True).content.decode()
    )


def test_my_coupons_has_tabs_and_an_expires_soon_badge(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User, django_assert_max_num_queries: Any
) -> None:
    soon = make_template(
        name="快过期", claim_ends_at=timezone.now() + timedelta(days=1), valid_until=timezone.now() + timedelta(days=1)
    )
    later = make_template(name="还早")
    used = make_template(name="用过的")
    for template in (soon, later, used):
        services.coupon_claim(customer=customer, channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk)
    Coupon.objects.filter(template=used).update(state=CouponState.USED, used_at=timezone.now())
    client.force_login(customer)
    with django_assert_max_num_queries(12):
        page = client.get("/account/coupons/").content.decode()
    assert "即将过期" in page
    assert page.count('data-testid="soon-badge"') == 1
    assert "有 1 张优惠券将在 3 天内过期" in page
    assert "可使用 (2)" in page
    assert "已使用 (1)" in page
    assert "已过期 (0)" in page
    used_tab = client.get("/account/coupons/?tab=used").content.decode()
    assert "用过的" in used_tab
    assert "还早" not in used_tab
    assert client.get("/account/").content.decode().count("/account/coupons/") == 1


def test_my_coupons_needs_a_customer(client: Client) -> None:
    response = client.get("/account/coupons/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_the_product_page_shows_the_coupons_that_cover_it(
    client: Client, make_template: Callable[..., CouponTemplate]
) -> None:
    brand = Brand.objects.create(name="拾光", name_en="Shiguang", slug="shiguang")
    category = Category.objects.create(name="杯子", name_en="Cups", slug="cups", depth=0)
    category.path = f"{category.pk}/"
    category.save(update_fields=["path"])
    product = Product.objects.create(
        title="保温杯",
        brand=brand,
        category=category,
        status="listed",
        spec_names=["颜色"],
        min_price_fen=5900,
        max_price_fen=5900,
    )
    Sku.objects.create(
        product=product,
        code="CUP",
        spec_values={"颜色": "白"},
        cost_price_fen=2000,
        list_price_fen=5900,
        sale_price_fen=5900,
        weight_g=1,
    )
    make_template(name="杯子专享券", scope={"category_ids": [category.pk]})
    other = Brand.objects.create(name="别家", name_en="Other", slug="other")
    make_template(name="别的品牌券", scope={"brand_ids": [other.pk]})
    page = client.get(f"/product/{product.pk}/").content.decode()
    slot = re.search(r'hx-get="([^"]+)"[^>]*hx-trigger="load"', page)
    assert slot is not None  # the strip loads after the page, so the page itself costs no query
    strip = client.get(html.unescape(slot.group(1))).content.decode()
    assert "本商品可用优惠券" in strip
    assert "杯子专享券" in strip
    assert "别的品牌券" not in strip
    assert f'name="next" value="/product/{product.pk}/"' in strip or "登录后领取" in strip
    assert client.get(f"/coupons/for-product/{product.pk}/?brand=999").content == b""  # nothing covers it


def test_the_console_desk_shows_live_counters_and_saves_a_template(
    client: Client, operator: User, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template()
    services.coupon_claim(customer=customer, channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk)
    client.force_login(operator)
    listing = client.get("/console/coupons/").content.decode()
    assert "优惠券" in listing
    assert "满199减20" in listing
    assert "新建优惠券" in listing
    assert 'data-testid="coupon-claimed">1<' in listing
    assert client.get("/console/coupons/", HTTP_HX_REQUEST="true").content.decode().count("coupon-row") == 1
    assert "新建优惠券" in client.get("/console/coupons/new/").content.decode()
    form = {
        "name": "满299减40",
        "kind": "amount",
        "amount": "40",
        "threshold": "299",
        "claim_starts_at": "2026-12-01T00:00",
        "claim_ends_at": "2026-12-12T23:59",
        "validity_kind": "fixed",
        "valid_from": "2026-12-01T00:00",
        "valid_until": "2026-12-13T00:00",
        "per_customer_limit": "1",
        "total_limit": "500",
        "channels": ["claim_centre"],
        "stacks_with_promotions": "on",
        "max_per_order": "1",
    }
    saved = client.post("/console/coupons/new/", form)
    assert saved.status_code == 302
    created = CouponTemplate.objects.get(name="满299减40")
    assert (created.amount_fen, created.threshold_fen, created.total_limit) == (4000, 29900, 500)
    bad = client.post("/console/coupons/new/", {**form, "name": "坏券", "kind": "percent", "percent_off": "150"})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "未保存" in body
    assert "折扣百分比不能超过 100" in body
    assert not CouponTemplate.objects.filter(name="坏券").exists()
    edit = client.get(f"/console/coupons/{created.pk}/").content.decode()
    assert "满299减40" in edit
    assert "暂停领取" in edit
    client.post(f"/console/coupons/{created.pk}/status/", {"action": "pause"})
    created.refresh_from_db()
    assert created.status == "paused"


def test_customer_service_issues_by_mobile_and_cannot_manage(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template()
    agent = staff("agent", Role.CS_AGENT)
    client.force_login(agent)
    page = client.get("/console/coupons/issue/").content.decode()
    assert "发放优惠券" in page
    assert "满199减20" in page
    response = client.post(
        "/console/coupons/issue/",
        {"template": template.pk, "mobiles": "13800138001\n13999999999", "note": "快递延误补偿"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "已发放 1 张优惠券" in body
    assert "13999999999: 没有使用该手机号的顾客" in body
    assert Coupon.objects.get(customer=customer).channel == ClaimChannel.CUSTOMER_SERVICE
    assert client.get("/console/coupons/new/").status_code == 403
    assert client.get("/console/coupons/").status_code == 200  # reads the templates


def test_the_director_reads_but_cannot_change_or_issue(
    client: Client, make_template: Callable[..., CouponTemplate]
) -> None:
    template = make_template()
    client.force_login(staff("director", Role.OPERATIONS_DIRECTOR))
    listing = client.get("/console/coupons/")
    assert listing.status_code == 200
    assert "新建优惠券" not in listing.content.decode()
    assert client.get(f"/console/coupons/{template.pk}/").status_code == 403
    assert client.post(f"/console/coupons/{template.pk}/status/", {"action": "pause"}).status_code == 403
    assert client.get("/console/coupons/issue/").status_code == 403


def test_the_claim_centre_and_the_product_panel_cost_the_same_queries_however_many_coupons(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User, django_assert_max_num_queries: Any
) -> None:
    brands = [Brand.objects.create(name=f"品牌{index}", slug=f"brand-{index}") for index in range(6)]
    for index in range(6):
        make_template(name=f"券{index}", scope={"brand_ids": [brands[index].pk]} if index % 2 else {})
    with django_assert_max_num_queries(2):
        found = selectors.claimable_for_product(
            product_id=1,
            sku_ids=[1, 2],
            brand_id=brands[1].pk,
            category_ids=[3],
            scene_ids=[],
            customer_id=customer.pk,
        )
    assert {item.template.name for item in found} == {"券0", "券1", "券2", "券4"}
    client.force_login(customer)
    with django_assert_max_num_queries(6):  # session, user, profile, templates, holdings
        assert client.get("/coupons/").content.decode().count('data-testid="coupon-card"') == 6


def test_claiming_from_a_card_with_htmx_redraws_the_card(
    client: Client, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template(total_limit=3)
    client.force_login(customer)
    card = client.post(f"/coupons/claim/{template.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="coupon-note"' in card
    assert "已放入您的优惠券" in card
    assert "已领取" in card
    assert "剩余 2 张" in card
    again = client.post(f"/coupons/claim/{template.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "您已领取过" in again


def test_the_console_shows_a_fixed_validity_in_shop_time(
    client: Client, make_template: Callable[..., CouponTemplate], operator: User
) -> None:
    """The claim window and a fixed validity are both shown in Asia/Shanghai, not UTC."""
    valid_from = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    valid_until = valid_from + timedelta(days=8)
    make_template(valid_from=valid_from, valid_until=valid_until)
    client.force_login(operator)
    page = client.get("/console/coupons/").content.decode()
    local = f"{timezone.localtime(valid_from):%Y-%m-%d %H:%M} – {timezone.localtime(valid_until):%Y-%m-%d %H:%M}"
    utc = f"{valid_from:%Y-%m-%d %H:%M} – {valid_until:%Y-%m-%d %H:%M}"
    assert local in page
    assert utc not in page
