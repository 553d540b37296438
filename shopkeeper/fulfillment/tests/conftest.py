"""Fulfilment fixtures: the checkout's small shop, orders paid through the sandbox gateway's real
notification handler, and an in-process "network" that routes the sandbox carrier's posts to our
callback through the test client (as the payments tests do for the gateway)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import translation

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.events import subscribe, unsubscribe
from shopkeeper.fulfillment import carriers
from shopkeeper.fulfillment.events import ShipmentDelivered, ShipmentException
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.payments.services import sandbox as payment_sandbox
from shopkeeper.payments.tests.conftest import in_process_network  # noqa: F401  (fixture)

__all__ = ["SYSTEM", "Shop"]


@pytest.fixture
def settle(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what a service queues for after commit at once (the test client switches the language)."""

    @contextmanager
    def run() -> Iterator[None]:
        with translation.override(translation.get_language()), django_capture_on_commit_callbacks(execute=True):
            yield

    return run


@pytest.fixture
def place(shop: Shop) -> Callable[..., Order]:  # noqa: F811
    def make(*lines: tuple[Any, int], key: str = "k", customer: Any = None, address_id: int | None = None) -> Order:
        buyer = customer or shop.customer
        cart = checkout.cart_for_customer(buyer)
        for sku, quantity in lines:
            checkout.cart_add(cart=cart, sku_id=sku.pk, quantity=quantity)
        return checkout.checkout_submit(
            cart=cart, customer=buyer, address_id=address_id or shop.address_id, idempotency_key=key, actor=SYSTEM
        )

    return make


@pytest.fixture
def pay(settle: Any, in_process_network: Any) -> Callable[[Order], Order]:  # noqa: F811
    """Pay in the sandbox cashier; its signed notification reaches our handler; answer the order."""

    def run(order: Order) -> Order:
        pay_url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/orders/x/paid/")
        token = pay_url.rstrip("/").rsplit("/", 1)[-1]
        with settle():
            payment_sandbox.sandbox_trade_finish(token=token, pay=True, knobs=payment_sandbox.DeliveryKnobs())
        return Order.objects.get(pk=order.pk)

    return run


@pytest.fixture
def carrier_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, str], int]]:
    """Route the sandbox carrier's HTTP posts to this site through the test client; records each."""
    posts: list[tuple[str, dict[str, str], int]] = []

    def post(url: str, params: dict[str, str]) -> carriers.HttpAnswer:
        response = Client().post(urlparse(url).path, params)
        posts.append((url, dict(params), response.status_code))
        return carriers.HttpAnswer(status=response.status_code, body=response.content.decode())

    monkeypatch.setattr(carriers, "notification_post", post)
    return posts


class Recorder(list[Any]):
    def of(self, event_type: type[Any]) -> list[Any]:
        return [event for event in self if isinstance(event, event_type)]


@pytest.fixture
def seen() -> Iterator[Recorder]:
    recorder = Recorder()
    for event_type in (ShipmentException, ShipmentDelivered):
        subscribe(event_type, recorder.append)
    yield recorder
    for event_type in (ShipmentException, ShipmentDelivered):
        unsubscribe(event_type, recorder.append)
