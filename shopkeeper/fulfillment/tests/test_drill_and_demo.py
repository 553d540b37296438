"""The surge drill on stored shipments (selector and command), and the demo step that gives the
demo orders their parcels and each warehouse a capacity the drill can overrun."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.scale import SCALES, Scale
from shopkeeper.demo.steps_fulfillment import fulfillment_step
from shopkeeper.fulfillment import selectors, services
from shopkeeper.fulfillment.models import Shipment, WarehouseCapacity
from shopkeeper.fulfillment.tests.conftest import SYSTEM, Shop
from shopkeeper.orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db


def _orders_yesterday(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order], count: int
) -> list[Order]:
    paid = [pay(place((shop.cup, 1), key=f"d{index}")) for index in range(count)]
    Shipment.objects.update(opened_at=timezone.now() - timedelta(days=1))
    return paid


def test_the_drill_replays_stored_parcels_against_capacity(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    _orders_yesterday(shop, place, pay, 4)
    services.capacity_set(warehouse_id=shop.east, orders_per_day=5, actor=SYSTEM)
    report = selectors.surge_drill(days=7, factor_percent=300, deadline_hours=24)
    east = next(w for w in report.warehouses if w.warehouse_id == shop.east)
    assert [d.arrivals for d in east.result.days[:7]] == [0, 0, 0, 0, 0, 0, 12]
    assert [d.backlog for d in east.result.days] == [0, 0, 0, 0, 0, 0, 7, 2, 0]
    assert east.result.late == 2  # a one-day window: those shipped on the second day after are late
    assert not report.on_time
    assert selectors.surge_drill(days=7, factor_percent=100).on_time  # 4 a day fits


def test_the_command_prints_each_day_and_the_verdict(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    _orders_yesterday(shop, place, pay, 4)
    services.capacity_set(warehouse_id=shop.east, orders_per_day=5, actor=SYSTEM)
    out = StringIO()
    call_command("surge_drill", "--days", "7", "--factor", "3", stdout=out)
    text = out.getvalue()
    assert "华东仓 (EAST), capacity 5 orders a day" in text
    assert "largest backlog 7; on time" in text
    assert "Verdict: every order ships within its deadline at 3×." in text
    with pytest.raises(CommandError, match="ship late"):
        call_command("surge_drill", "--days", "7", "--factor", "3", "--deadline-hours", "20", "--check", stdout=out)
    with pytest.raises(CommandError, match="factor"):
        call_command("surge_drill", "--factor", "three", stdout=out)


def test_the_demo_step_opens_parcels_for_history_and_sets_capacity(
    shop: Shop, place: Callable[..., Order], pay: Callable[[Order], Order]
) -> None:
    waiting, history = _orders_yesterday(shop, place, pay, 2)
    Shipment.objects.all().delete()  # as after a history load: no parcels yet
    shipped_at = timezone.now() - timedelta(hours=30)
    Order.objects.filter(pk=history.pk).update(status="delivered")
    OrderEvent.objects.create(order_id=history.pk, kind="ship", created_at=shipped_at)
    OrderEvent.objects.create(order_id=history.pk, kind="deliver", created_at=shipped_at + timedelta(hours=20))
    ctx = DemoContext(scale=Scale.SMALL, spec=SCALES[Scale.SMALL], seed=1, now=timezone.now(), show_progress=False)
    fulfillment_step(ctx)
    delivered = Shipment.objects.get(order_id=history.pk)
    assert (delivered.status, delivered.shipped_at) == ("delivered", shipped_at)
    assert delivered.carrier is not None
    assert services.carrier_check_tracking(delivered.carrier, delivered.tracking_no) == delivered.tracking_no
    assert Shipment.objects.get(order_id=waiting.pk).status == "to_pick"
    assert ctx.counts["shipments"] == 2
    assert WarehouseCapacity.objects.get(warehouse_id=shop.east).orders_per_day == 5  # the minimum
