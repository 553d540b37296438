"""A presale on the small shop's dress (fixture `shop` from checkout's tests) with its deposit
window open, and helpers to move it into its balance window and to pay through the sandbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests import conftest as checkout_fixtures
from shopkeeper.checkout.tests import test_order_payment_flow as payment_flow
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.payments.models import Payment
from shopkeeper.payments.services import sandbox
from shopkeeper.payments.tests import conftest as payment_fixtures
from shopkeeper.promotions.presale import services as presales
from shopkeeper.promotions.presale.models import Presale

# The checkout tests' small shop, their `settle`, and payments' in-process network, for this folder.
shop = checkout_fixtures.shop
second_customer = checkout_fixtures.second_customer
settle = payment_flow.settle
in_process_network = payment_fixtures.in_process_network

# The dress sells at ¥199.00 (cost ¥66.33): presale price ¥179.00, deposit ¥20.00 counts as ¥50.00.
FINAL, DEPOSIT, VALUE = 17900, 2000, 5000


def terms(shop: Shop, **overrides: Any) -> presales.PresaleInput:
    now = timezone.now()
    args: dict[str, Any] = {
        "name": "双11 预售 连衣裙",
        "sku_id": shop.dress.pk,
        "final_price_fen": FINAL,
        "deposit_fen": DEPOSIT,
        "deposit_value_fen": VALUE,
        "presale_starts_at": now - timedelta(hours=1),
        "presale_ends_at": now + timedelta(days=2),
        "balance_starts_at": now + timedelta(days=3),
        "balance_ends_at": now + timedelta(days=4),
        "limit_per_customer": 2,
    }
    args.update(overrides)
    return presales.PresaleInput(**args)


@pytest.fixture
def presale(shop: Shop) -> Presale:
    return presales.presale_create(data=terms(shop), actor=SYSTEM)


def deposit(shop: Shop, presale: Presale, *, quantity: int = 1, key: str = "pre-1", customer: Any = None) -> Order:
    customer = customer or shop.customer
    address_id = shop.address_id if customer == shop.customer else customer.addresses.get().pk
    return presales.presale_deposit_place(
        presale_id=presale.pk,
        customer=customer,
        quantity=quantity,
        address_id=address_id,
        idempotency_key=key,
        actor=SYSTEM,
    )


def move_to_balance_window(presale: Presale, *, closes_in: timedelta = timedelta(hours=1)) -> None:
    """Time passes: the deposit window is over and the balance window is open."""
    now = timezone.now()
    opens, closes = now - timedelta(minutes=5), now + closes_in
    Presale.objects.filter(pk=presale.pk).update(
        presale_starts_at=now - timedelta(days=2),
        presale_ends_at=now - timedelta(hours=1),
        balance_starts_at=opens,
        balance_ends_at=closes,
    )
    paid = Order.objects.filter(kind="presale", deposit_paid_at__isnull=False)
    paid.update(balance_due_from=opens, balance_due_until=closes, pay_deadline=closes)
    Order.objects.filter(kind="presale", deposit_paid_at__isnull=True).update(
        balance_due_from=opens, balance_due_until=closes
    )
    presale.refresh_from_db()


def move_past_balance_window(presale: Presale) -> None:
    """Time passes: the balance window closed a minute ago."""
    now = timezone.now()
    move_to_balance_window(presale)
    Presale.objects.filter(pk=presale.pk).update(balance_ends_at=now - timedelta(minutes=1))
    Order.objects.filter(kind="presale").update(
        balance_due_until=now - timedelta(minutes=1), pay_deadline=now - timedelta(minutes=1)
    )
    presale.refresh_from_db()


def pay_next(order: Order, settle: Any, *, times: int = 1) -> Payment:
    """Pay what is due next (deposit or balance) in the sandbox cashier; `times` notifications."""
    order.refresh_from_db()
    pay_url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/orders/x/paid/")
    token = pay_url.rstrip("/").rsplit("/", 1)[-1]
    with settle():
        sandbox.sandbox_trade_finish(token=token, pay=True, knobs=sandbox.DeliveryKnobs(copies=times))
    order.refresh_from_db()
    return Payment.objects.filter(reference=order.reference).latest("pk")


__all__ = [
    "DEPOSIT",
    "FINAL",
    "SYSTEM",
    "VALUE",
    "Shop",
    "deposit",
    "in_process_network",
    "move_past_balance_window",
    "move_to_balance_window",
    "pay_next",
    "presale",
    "second_customer",
    "settle",
    "shop",
    "terms",
]
