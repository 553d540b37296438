"""A group buy in real browsers: the leader opens a 2-person group from the product page and pays
in the sandbox cashier; a second customer opens the share link, joins and pays; the group forms
and both orders are released for shipping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import PASSWORD, SYSTEM, Shop, second_customer, shop  # noqa: F401  (fixtures)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.models import User
from shopkeeper.orders.models import Order
from shopkeeper.promotions.groupbuy import services
from shopkeeper.promotions.groupbuy.models import Group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, mobile: str, then: str) -> None:
    page.goto(f"{base}/account/login/?next={then}")
    page.fill("input[name=mobile]", mobile)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{then}")


def pay_on_order_page(page: Any) -> None:
    page.click("[data-testid=pay-now]")
    page.wait_for_selector("[data-testid=cashier]")
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=payment-done]", timeout=30_000)
    page.click("[data-testid=back-to-order]")
    page.wait_for_selector("[data-testid=groupbuy-order-panel]")


def test_the_leader_opens_a_friend_joins_by_link_and_the_group_forms(
    browser: Any,
    live_server: Any,
    settings: Any,
    shop: Shop,  # noqa: F811
    second_customer: Callable[[str], User],  # noqa: F811
    screenshot_dir: Path,
) -> None:
    settings.SITE_URL = live_server.url
    services.groupbuy_save(
        actor=SYSTEM,
        sku_id=shop.cup.pk,
        title="保温杯 2人团",
        group_price=Money(3900),
        group_size=2,
        time_limit_hours=24,
        per_customer_limit=1,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=3),
    )
    friend = second_customer("13900000001")
    base = live_server.url
    product = f"/product/{shop.cup.product_id}/"

    leader_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    leader = leader_context.new_page()
    leader.set_default_timeout(15_000)
    sign_in(leader, base, "13800138001", product)
    assert "¥39.00" in leader.inner_text("[data-testid=groupbuy-panel]")
    assert "2人团" in leader.inner_text("[data-testid=group-size]")
    leader.click("[data-testid=group-open]")
    leader.click("[data-testid=group-open-confirm]")
    leader.wait_for_selector("[data-testid=groupbuy-order-panel]")
    pay_on_order_page(leader)
    share_link = leader.get_attribute("[data-testid=share-link]", "href")
    assert share_link
    assert "/group/" in share_link
    leader.screenshot(path=str(screenshot_dir / "group_buy_leader.png"), full_page=True)

    friend_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    joiner = friend_context.new_page()
    joiner.set_default_timeout(15_000)
    path = share_link.replace(base, "") if share_link.startswith(base) else "/" + share_link.split("/", 3)[3]
    sign_in(joiner, base, "13900000001", path)
    assert "小王" in joiner.inner_text("[data-testid=group-members]")  # the leader's nickname
    assert "还差 1 人" in joiner.inner_text("[data-testid=group-page]")
    joiner.screenshot(path=str(screenshot_dir / "group_buy_share_page.png"), full_page=True)
    joiner.click("[data-testid=group-join]")
    joiner.wait_for_selector("[data-testid=pay-now]")
    pay_on_order_page(joiner)
    assert joiner.get_attribute("[data-testid=groupbuy-order-panel]", "data-state") == "formed"
    assert "已成团" in joiner.inner_text("[data-testid=group-state]")
    joiner.screenshot(path=str(screenshot_dir / "group_buy_formed.png"), full_page=True)

    group = Group.objects.get()
    assert (group.state, group.paid_count) == ("formed", 2)
    orders = list(Order.objects.filter(kind="group"))
    assert {o.customer_id for o in orders} == {shop.customer.pk, friend.pk}
    assert all(o.status == "allocated" and o.fulfilment_hold == "" for o in orders)
    leader.reload()
    assert leader.get_attribute("[data-testid=groupbuy-order-panel]", "data-state") == "formed"
    leader_context.close()
    friend_context.close()
