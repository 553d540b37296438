"""Totals hold under concurrency, on PostgreSQL: many shoppers claim the last coupons at the same
moment, and one shopper claims twice at once. Each claimer is a thread with its own connection,
released together by a barrier."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.customers import services as customers
from shopkeeper.promotions.coupons import services
from shopkeeper.promotions.coupons.enums import ClaimChannel
from shopkeeper.promotions.coupons.errors import ClaimLimitReached, CouponsGone
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"),
]


def _claim(customer_id: int, template_id: int, barrier: threading.Barrier, results: list[object]) -> None:
    try:
        customer = User.objects.get(pk=customer_id)
        barrier.wait(timeout=30)
        coupon = services.coupon_claim(customer=customer, channel=ClaimChannel.CLAIM_CENTRE, template_id=template_id)
        results.append(coupon.pk)
    except ShopkeeperError as refused:
        results.append(refused)
    except Exception as crashed:
        results.append(crashed)
    finally:
        connections.close_all()


def _race(pairs: list[tuple[int, int]]) -> list[object]:
    barrier = threading.Barrier(len(pairs))
    results: list[object] = []
    threads = [threading.Thread(target=_claim, args=(c, t, barrier, results)) for c, t in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_shoppers_for_the_last_ten_coupons_get_exactly_ten(make_template: Any) -> None:
    template: CouponTemplate = make_template(total_limit=30)
    CouponTemplate.objects.filter(pk=template.pk).update(claimed_count=20)  # 20 went earlier: 10 left
    shoppers = [customers.customer_register(mobile=f"135{index:08d}", password=PASSWORD).pk for index in range(50)]
    results = _race([(shopper, template.pk) for shopper in shoppers])
    claimed = [result for result in results if isinstance(result, int)]
    crashed = [result for result in results if not isinstance(result, int | ShopkeeperError)]
    assert crashed == []
    assert len(results) == 50
    assert len(claimed) == 10
    assert all(isinstance(result, CouponsGone) for result in results if not isinstance(result, int))
    template.refresh_from_db()
    assert template.claimed_count == 30
    assert Coupon.objects.filter(template=template).count() == 10
    assert Coupon.objects.filter(template=template).values("customer").distinct().count() == 10


def test_one_shopper_claiming_twice_at_once_with_a_limit_of_one_gets_one(make_template: Any) -> None:
    template: CouponTemplate = make_template(per_customer_limit=1)
    shopper = customers.customer_register(mobile="13500000001", password=PASSWORD).pk
    results = _race([(shopper, template.pk)] * 2)
    assert len([result for result in results if isinstance(result, int)]) == 1
    assert [type(result) for result in results if not isinstance(result, int)] == [ClaimLimitReached]
    template.refresh_from_db()
    assert template.claimed_count == 1  # the refused claim's count went back
    assert Coupon.objects.filter(template=template, customer_id=shopper).count() == 1
