"""Flash sales on pages: the product page's panel (countdown, price, units left, grab), the
/flash/ listing, grabbing from the page, and the console's sale pages with live counters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import PASSWORD, Shop
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.orders.models import Order
from shopkeeper.promotions.flash.models import FlashItem, FlashSale
from shopkeeper.promotions.flash.tests.conftest import Live

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def test_the_product_page_shows_the_flash_panel_and_grabbing_opens_the_order(
    client: Client, shop: Shop, live: Live
) -> None:
    page = client.get(f"/product/{shop.cup.product_id}/")
    html = page.content.decode()
    assert 'data-testid="flash-panel"' in html
    assert "¥39.00" in html
    assert "data-server-now=" in html
    listing = client.get("/flash/").content.decode()
    assert 'data-testid="flash-offer"' in listing
    assert client.post(f"/flash/{live.item.pk}/grab/", {"idempotency_key": "k"}).status_code == 302  # sign in first
    assert not Order.objects.exists()
    client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD})
    grabbed = client.post(f"/flash/{live.item.pk}/grab/", {"idempotency_key": "k", "back": "/flash/"})
    order = Order.objects.get()
    assert grabbed["Location"] == f"/orders/{order.number}/"
    again = client.post(f"/flash/{live.item.pk}/grab/", {"idempotency_key": "k2", "back": "/flash/"})
    assert again["Location"] == "/flash/"  # refused (limit 1): back with the reason
    assert Order.objects.count() == 1


def test_no_panel_without_a_flash_sale(client: Client, shop: Shop) -> None:
    assert 'data-testid="flash-panel"' not in client.get(f"/product/{shop.cup.product_id}/").content.decode()


def test_the_operator_builds_a_sale_in_the_console(
    shop: Shop, make_staff: Callable[..., User], console: Callable[[User], Client], settings: Any
) -> None:
    settings.REDIS_URL = None
    browser = console(make_staff(Role.CAMPAIGN_OPERATOR))
    created = browser.post("/console/flash/", {"name": "周年庆秒杀"})
    sale = FlashSale.objects.get()
    assert created["Location"] == f"/console/flash/{sale.pk}/"
    start = timezone.localtime() + timedelta(hours=2)
    browser.post(
        f"/console/flash/{sale.pk}/sessions/",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    session = sale.sessions.get()
    refused = browser.post(
        f"/console/flash/{sale.pk}/sessions/{session.pk}/items/",
        {
            "sku_code": "CUP-500",
            "sale_price": "59.00",
            "pool": "5",
            "per_customer_limit": "1",
            "pay_window_minutes": "10",
        },
    )
    assert refused.status_code == 422
    assert "below the normal price" in refused.content.decode() or "低于" in refused.content.decode()
    saved = browser.post(
        f"/console/flash/{sale.pk}/sessions/{session.pk}/items/",
        {
            "sku_code": "CUP-500",
            "sale_price": "39.00",
            "pool": "5",
            "per_customer_limit": "1",
            "pay_window_minutes": "10",
        },
    )
    assert saved.status_code == 302
    assert FlashItem.objects.get().sale_price_fen == 3900
    browser.post(f"/console/flash/{sale.pk}/status/", {"status": "live"})
    sale.refresh_from_db()
    assert sale.status == "live"
    detail = browser.get(f"/console/flash/{sale.pk}/").content.decode()
    assert 'data-counter="remaining">5<' in detail
    assert browser.get(f"/console/flash/{sale.pk}/counters/").status_code == 200


def test_the_director_reads_but_cannot_change(
    shop: Shop, live: Live, make_staff: Callable[..., User], console: Callable[[User], Client]
) -> None:
    browser = console(make_staff(Role.OPERATIONS_DIRECTOR))
    page = browser.get(f"/console/flash/{live.sale.pk}/")
    assert page.status_code == 200
    assert 'data-testid="flash-item-form"' not in page.content.decode()
    assert browser.post(f"/console/flash/{live.sale.pk}/status/", {"status": "paused"}).status_code == 403
    assert browser.post("/console/flash/", {"name": "x"}).status_code == 403
