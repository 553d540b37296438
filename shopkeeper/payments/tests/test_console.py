"""The console's payments pages and the sandbox gateway's log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.payments.models import Payment
from shopkeeper.payments.tests.conftest import start

pytestmark = pytest.mark.django_db
Console = Callable[[User], Client]


def test_payments_list_and_detail(
    make_staff: Callable[..., User], console: Console, make_paid: Callable[..., Payment]
) -> None:
    paid = make_paid("test:SK1", "199.00")
    start("test:SK2", "10.00")
    client = console(make_staff(Role.CS_AGENT))
    page = client.get("/console/payments/")
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 2
    filtered = client.get("/console/payments/", {"reference": "test:SK1"})
    assert [p.pk for p in filtered.context["page"].object_list] == [paid.pk]
    detail = client.get(f"/console/payments/{paid.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert paid.out_trade_no in html
    assert "¥199.00" in html
    assert 'data-result="applied"' in html
    assert 'data-testid="deliveries"' not in html  # the sandbox's side is the platform admin's tool
    assert client.get("/console/payments/999999/").status_code == 404


def test_sandbox_log_shows_deliveries_and_attempts(
    make_staff: Callable[..., User], console: Console, make_paid: Callable[..., Payment]
) -> None:
    from shopkeeper.payments.models import SandboxDelivery
    from shopkeeper.payments.services import sandbox_delivery_attempt

    paid = make_paid("test:SK1", "199.00")
    delivery = SandboxDelivery.objects.get()
    SandboxDelivery.objects.filter(pk=delivery.pk).update(drop_first=1)
    sandbox_delivery_attempt(delivery_id=delivery.pk, attempt=1)
    client = console(make_staff(Role.PLATFORM_ADMIN))
    page = client.get("/console/payments/sandbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert paid.out_trade_no in html
    assert 'data-outcome="dropped"' in html
    assert 'data-status="scheduled"' in html
    assert client.get("/console/payments/sandbox/", {"out_trade_no": "nope"}).context["page"].paginator.count == 0
    # The platform admin runs the platform, not the shop: the sandbox log, not the payments.
    assert client.get("/console/payments/").status_code == 403


@pytest.mark.parametrize(
    ("role", "payments", "sandbox"),
    [
        (Role.STORE_OPERATOR, 200, 403),
        (Role.CS_SUPERVISOR, 200, 403),
        (Role.OPERATIONS_DIRECTOR, 200, 403),
        (Role.DATA_ANALYST, 200, 403),
        (Role.PLATFORM_ADMIN, 403, 200),
        (Role.WAREHOUSE, 403, 403),
        (Role.DESIGNER, 403, 403),
    ],
    ids=lambda value: getattr(value, "value", str(value)),
)
def test_who_sees_what(
    make_staff: Callable[..., User], console: Console, role: Role, payments: int, sandbox: int
) -> None:
    client = console(make_staff(role))
    assert client.get("/console/payments/").status_code == payments
    assert client.get("/console/payments/sandbox/").status_code == sandbox


def test_anonymous_is_sent_to_sign_in(client: Client, db: Any) -> None:
    response = client.get("/console/payments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")
