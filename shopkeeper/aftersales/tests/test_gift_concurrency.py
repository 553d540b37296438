"""A gift is charged (or recovered) once, on PostgreSQL with real threads: two refund applications
on different lines of one order, applied at the same moment and then approved by several staff at
the same moment, where either refund alone takes the order below the gift's threshold."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from shopkeeper.aftersales import services
from shopkeeper.aftersales.models import Application, OrderGift
from shopkeeper.aftersales.tests.conftest import Shop
from shopkeeper.aftersales.tests.test_concurrency import held_refunds, run_at_once  # noqa: F401  (fixture)
from shopkeeper.aftersales.tests.test_gifts import buy, gift, tote  # noqa: F401  (fixtures)
from shopkeeper.core.services import ActorContext
from shopkeeper.orders.models import OrderRefund
from shopkeeper.promotions.tests.conftest import promote  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_process_network"),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]


def test_two_refunds_at_once_that_each_break_the_threshold_charge_the_gift_once(
    shop: Shop,
    settle: Any,
    staff: dict[str, ActorContext],
    gift: Any,  # noqa: F811
    held_refunds: list[int],  # noqa: F811
) -> None:
    gift("charge", threshold_fen=30000)
    order = buy(shop, settle, (shop.dress, 1), (shop.cup, 2), stage="paid")  # ¥317 over ¥300
    lines = [order.lines.get(sku_code="DRESS-M"), order.lines.get(sku_code="CUP-500")]

    def apply(index: int) -> str:
        return services.application_apply(
            customer=shop.customer,
            order_number=order.number,
            line_id=lines[index].pk,
            kind="refund_only",
            reason="not_wanted",
            quantity=1,
            actor=ActorContext(user=shop.customer),
        ).number

    numbers = run_at_once(2, apply)
    assert all(isinstance(number, str) for number in numbers), numbers
    forecast = sorted(Application.objects.values_list("gift_deduction_fen", flat=True))
    assert forecast == [0, 3900]  # the second to apply sees the gift already claimed

    apps = list(Application.objects.order_by("pk"))

    def approve(index: int) -> str:  # each application clicked by three people at once
        return services.application_approve(application_id=apps[index % 2].pk, actor=staff["supervisor"]).status

    results = run_at_once(6, approve)
    assert all(isinstance(result, str) for result in results), results
    apps = list(Application.objects.order_by("pk"))
    assert {app.status for app in apps} == {"refunding"}
    assert sum(app.gift_deduction_fen for app in apps) == 3900  # once, not twice
    gift_row = OrderGift.objects.get(order=order)
    assert (gift_row.state, gift_row.charged_fen) == ("charged", 3900)
    assert gift_row.application_id in {app.pk for app in apps}
    refunds = list(OrderRefund.objects.filter(order=order))
    assert len(refunds) == 2
    assert sum(refund.amount_fen for refund in refunds) == 19900 + 5900 - 3900
    assert len(held_refunds) == 2
