"""The presale's pages: the console (the campaign operator sets it up, pauses it and sees the
counters; the director reads; a kept deposit goes back) and the shop (listing, the product
panel with its countdown, paying the deposit, the order panel and its price explanation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import PASSWORD
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.promotions.presale import services
from shopkeeper.promotions.presale.models import Presale
from shopkeeper.promotions.presale.tests.conftest import (
    DEPOSIT,
    SYSTEM,
    Shop,
    deposit,
    move_past_balance_window,
    move_to_balance_window,
    pay_next,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def local(when: Any) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def form_data(shop: Shop, presale: Presale | None = None, **overrides: str) -> dict[str, str]:
    now = timezone.now()
    from datetime import timedelta

    data = {
        "name": "618 预售",
        "sku_code": shop.dress.code,
        "final_price": "179.00",
        "deposit": "20.00",
        "deposit_value": "50.00",
        "presale_starts_at": local(now - timedelta(hours=1)),
        "presale_ends_at": local(now + timedelta(days=1)),
        "balance_starts_at": local(now + timedelta(days=2)),
        "balance_ends_at": local(now + timedelta(days=3)),
        "limit_per_customer": "1",
        "min_margin_percent": "",
        "min_price": "",
    }
    data.update(overrides)
    return data


def test_the_campaign_operator_sets_up_and_pauses_a_presale_in_the_console(
    client: Client, make_staff: Callable[..., User], shop: Shop
) -> None:
    client.force_login(make_staff(Role.CAMPAIGN_OPERATOR))
    assert client.get("/console/presales/new/").status_code == 200
    refused = client.post("/console/presales/new/", form_data(shop, deposit_value="10.00"))
    assert refused.status_code == 422
    assert "presale-errors" in refused.content.decode()
    assert Presale.objects.count() == 0
    saved = client.post("/console/presales/new/", form_data(shop))
    assert saved.status_code == 302
    presale = Presale.objects.get()
    assert (presale.final_price_fen, presale.deposit_fen, presale.deposit_value_fen) == (17900, 2000, 5000)
    page = client.get(f"/console/presales/{presale.pk}/").content.decode()
    assert 'data-counter="deposits"' in page
    assert "¥149.00" in page
    assert 'data-testid="presale-phase">定金期<' in page  # the phase by its name, not its code
    assert 'data-testid="presale-edit">编辑<' in page
    assert client.post(f"/console/presales/{presale.pk}/status/", {"status": "paused"}).status_code == 302
    presale.refresh_from_db()
    assert presale.status == "paused"
    edit = client.post(f"/console/presales/{presale.pk}/edit/", form_data(shop, name="618 预售（改）"))
    assert edit.status_code == 302
    assert "presale-row" in client.get("/console/presales/").content.decode()


def test_the_director_reads_presales_but_cannot_change_them(
    client: Client, make_staff: Callable[..., User], presale: Presale, shop: Shop
) -> None:
    client.force_login(make_staff(Role.OPERATIONS_DIRECTOR))
    assert client.get("/console/presales/").status_code == 200
    page = client.get(f"/console/presales/{presale.pk}/").content.decode()
    assert "presale-counters" in page
    assert "presale-pause" not in page
    assert client.get("/console/presales/new/").status_code == 403
    assert client.post(f"/console/presales/{presale.pk}/status/", {"status": "paused"}).status_code == 403


def test_the_counters_count_deposits_balances_and_kept_deposits(
    client: Client, make_staff: Callable[..., User], presale: Presale, shop: Shop, settle: Any, second_customer: Any
) -> None:
    kept = deposit(shop, presale)
    pay_next(kept, settle)
    paid = deposit(shop, presale, key="b", customer=second_customer("13900139000"))
    pay_next(paid, settle)
    move_to_balance_window(presale)
    pay_next(paid, settle)
    move_past_balance_window(presale)
    orders.orders_cancel_overdue()
    client.force_login(make_staff(Role.STORE_OPERATOR, Role.CAMPAIGN_OPERATOR))
    with_counters = client.get(f"/console/presales/{presale.pk}/").content.decode()
    for key, value in (("deposits", "2"), ("balances", "1"), ("forfeited", "1"), ("awaiting", "0")):
        assert f'data-counter="{key}">{value}<' in with_counters
    paid.refresh_from_db()
    revenue = paid.total_fen + DEPOSIT
    assert f"¥{revenue / 100:,.2f}" in with_counters
    with settle():
        back = client.post(f"/console/presales/{presale.pk}/orders/{kept.number}/refund-deposit/", {"reason": "补偿"})
    assert back.status_code == 302
    kept.refresh_from_db()
    assert kept.refunded_fen == DEPOSIT


def test_the_shop_shows_the_presale_and_takes_the_deposit(
    client: Client, shop: Shop, presale: Presale, settle: Any, django_assert_max_num_queries: Any
) -> None:
    listing = client.get("/presale/").content.decode()
    assert "presale-list" in listing
    assert "¥20.00" in listing
    assert "¥50.00" in listing
    product = client.get(f"/product/{shop.dress.product_id}/").content.decode()
    assert "presale-panel" in product
    assert "presale-countdown" in product
    assert "pay-deposit" in product
    assert client.post("/account/login/", {"mobile": "13800138001", "password": PASSWORD}).status_code == 302
    paying = client.post(f"/presale/{presale.pk}/deposit/", {"quantity": "1", "key": "web-1"})
    assert paying.status_code == 302
    assert "/sandbox/" in paying["Location"]
    order = Order.objects.get(kind="presale")
    with django_assert_max_num_queries(40):
        page = client.get(f"/orders/{order.number}/").content.decode()
    assert "presale-order-panel" in page
    assert "presale-pay-deposit" in page
    assert "¥179.00" in page  # the price explanation on the line: 预售价 …
    pay_next(order, settle)
    paid_page = client.get(f"/presale/orders/{order.number}/paid/?pay=deposit").content.decode()
    assert "deposit-done" in paid_page
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "deposit-paid" in page
    assert "balance-upcoming" in page
    assert "pay-balance" not in page
    move_to_balance_window(presale)
    services.presale_reminders_send()
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "pay-balance" in page
    assert "presale-reminders" in page
    waiting = client.get(f"/presale/orders/{order.number}/paid/status/?pay=balance")
    assert waiting.status_code == 200  # still polling: the balance is not in yet
    assert client.post(f"/presale/orders/{order.number}/balance/").status_code == 302


def test_a_paused_presale_is_not_on_the_product_page(client: Client, shop: Shop, presale: Presale) -> None:
    services.presale_set_status(presale_id=presale.pk, status="paused", actor=SYSTEM)
    assert "presale-panel" not in client.get(f"/product/{shop.dress.product_id}/").content.decode()
    assert "presale-list" not in client.get("/presale/").content.decode()


def test_the_presale_panels_cost_the_product_and_order_pages_few_queries(
    client: Client, shop: Shop, presale: Presale
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shopkeeper.storefront import views_presale

    request = RequestFactory().get("/")
    page = type("Page", (), {"product": shop.dress.product})()
    with CaptureQueriesContext(connection) as product_queries:
        assert views_presale.presale_product_panel(request, page) is not None
    assert len(product_queries) == 1
    order = deposit(shop, presale)
    with CaptureQueriesContext(connection) as order_queries:
        assert views_presale.presale_order_panel(request, order) is not None
    assert len(order_queries) == 2  # the presale order with its presale, its reminders
