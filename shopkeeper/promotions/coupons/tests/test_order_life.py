"""A coupon's life on an order: locked at placement, released when the order is cancelled, used
when it is paid. First through the services, then through real checkout and sandbox payment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from shopkeeper.checkout import services as checkout
from shopkeeper.checkout.tests.conftest import SYSTEM, Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.orders import services as orders
from shopkeeper.orders.models import Order
from shopkeeper.payments.services import sandbox
from shopkeeper.payments.tests.conftest import in_process_network, payment_params  # noqa: F401  (fixture)
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, CouponState
from shopkeeper.promotions.coupons.errors import CouponUnavailable
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import draft

pytestmark = pytest.mark.django_db
CENTRE = ClaimChannel.CLAIM_CENTRE


def _claim(template: CouponTemplate, customer: User) -> Coupon:
    return services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)


def test_lock_release_and_consume(make_template: Callable[..., CouponTemplate], customer: User) -> None:
    coupon = _claim(make_template(), customer)
    services.coupons_lock(
        customer_id=customer.pk, coupon_ids=[coupon.pk], reference="order:A1", discounts={coupon.pk: Money(2000)}
    )
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_reference, coupon.discount_fen) == (CouponState.LOCKED, "order:A1", 2000)
    assert selectors.coupon_offers(customer_id=customer.pk) == []  # locked: not offered to another order
    services.coupons_lock(customer_id=customer.pk, coupon_ids=[coupon.pk], reference="order:A1")  # again: no-op
    assert services.coupons_release(reference="order:A1") == 1
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_reference, coupon.discount_fen) == (CouponState.AVAILABLE, "", None)
    services.coupons_lock(customer_id=customer.pk, coupon_ids=[coupon.pk], reference="order:A2")
    assert services.coupons_consume(reference="order:A2") == 1
    coupon.refresh_from_db()
    assert coupon.state == CouponState.USED
    assert coupon.used_at is not None
    assert services.coupons_consume(reference="order:A2") == 0  # twice: nothing more


def test_a_coupon_locked_elsewhere_used_expired_or_not_theirs_is_refused(
    make_template: Callable[..., CouponTemplate], customer: User, make_customer: Callable[[str], User]
) -> None:
    template = make_template(per_customer_limit=3)
    locked, used, expired = (_claim(template, customer) for _ in range(3))
    services.coupons_lock(customer_id=customer.pk, coupon_ids=[locked.pk], reference="order:X")
    services.coupons_lock(customer_id=customer.pk, coupon_ids=[used.pk], reference="order:Y")
    services.coupons_consume(reference="order:Y")
    Coupon.objects.filter(pk=expired.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    other = make_customer("13900000001")
    for coupon_id, who in ((locked.pk, customer), (used.pk, customer), (expired.pk, customer), (locked.pk, other)):
        with pytest.raises(CouponUnavailable):
            services.coupons_lock(customer_id=who.pk, coupon_ids=[coupon_id], reference="order:Z")
    assert not Coupon.objects.filter(order_reference="order:Z").exists()


def test_one_money_off_coupon_per_order_but_free_shipping_goes_with_it(actor: ActorContext, customer: User) -> None:
    first = services.coupon_template_save(actor=actor, draft=draft())
    second = services.coupon_template_save(
        actor=actor, draft=draft(name="满299减30", amount=Money(3000), threshold=Money(29900))
    )
    shipping = services.coupon_template_save(
        actor=actor, draft=draft(name="包邮券", kind=CouponKind.FREE_SHIPPING, amount=None, threshold=Money(0))
    )
    a, b, c = _claim(first, customer), _claim(second, customer), _claim(shipping, customer)
    with pytest.raises(CouponUnavailable):
        services.coupons_lock(customer_id=customer.pk, coupon_ids=[a.pk, b.pk], reference="order:T")
    locked = services.coupons_lock(customer_id=customer.pk, coupon_ids=[a.pk, c.pk], reference="order:T")
    assert {coupon.pk for coupon in locked} == {a.pk, c.pk}
    b.refresh_from_db()
    assert b.state == CouponState.AVAILABLE


def test_a_released_coupon_past_its_time_expires_instead(
    make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    coupon = _claim(make_template(), customer)
    services.coupons_lock(customer_id=customer.pk, coupon_ids=[coupon.pk], reference="order:L")
    services.coupons_release(reference="order:L", now=coupon.valid_until + timedelta(seconds=1))
    coupon.refresh_from_db()
    assert coupon.state == CouponState.EXPIRED


def test_offers_are_engine_rules_soonest_expiring_first(
    make_template: Callable[..., CouponTemplate], customer: User, django_assert_max_num_queries: Any
) -> None:
    later = _claim(make_template(), customer)
    sooner = _claim(
        make_template(
            name="9折券",
            kind="percent",
            percent_off=10,
            cap=Money(5000),
            amount=None,
            claim_ends_at=timezone.now() + timedelta(days=2),
            valid_until=timezone.now() + timedelta(days=2),
        ),
        customer,
    )
    with django_assert_max_num_queries(2):
        offers = selectors.coupon_offers(customer_id=customer.pk)
    assert [offer.coupon_id for offer in offers] == [sooner.pk, later.pk]
    rule = offers[0].rule
    assert (rule.rule_id, rule.kind, rule.percent_off, rule.cap) == (f"coupon:{sooner.pk}", "percent", 10, Money(5000))
    assert offers[1].rule.threshold == Money(19900)
    assert offers[1].rule.amount == Money(2000)
    assert [coupon.pk for coupon in selectors.coupons_expiring_soon(customer_id=customer.pk)] == [sooner.pk]


# --- through checkout and the sandbox gateway -----------------------------------------------------


@pytest.fixture
def settle(django_capture_on_commit_callbacks: Any) -> Any:
    @contextmanager
    def run() -> Iterator[None]:
        with translation.override(translation.get_language()), django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def _place(shop: Shop, coupon_ids: list[int] | None, key: str) -> Order:  # noqa: F811
    cart = checkout.cart_for_customer(shop.customer)
    checkout.cart_add(cart=cart, sku_id=shop.dress.pk, quantity=1)
    return checkout.checkout_submit(
        cart=cart,
        customer=shop.customer,
        address_id=shop.address_id,
        idempotency_key=key,
        actor=SYSTEM,
        coupon_ids=coupon_ids,
    )


@pytest.mark.usefixtures("in_process_network")
def test_checkout_locks_the_coupon_cancel_gives_it_back_payment_uses_it(
    shop: Shop,  # noqa: F811  (the fixture)
    actor: ActorContext,
    settle: Any,
) -> None:
    template = services.coupon_template_save(actor=actor, draft=draft())  # 满199减20; the dress is ¥199
    coupon = _claim(template, shop.customer)
    first = _place(shop, [coupon.pk], "first")
    assert first.discount_fen == 2000
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_reference, coupon.discount_fen) == (CouponState.LOCKED, first.reference, 2000)
    orders.order_cancel(order=first, actor=SYSTEM, reason="不想要了")
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_reference) == (CouponState.AVAILABLE, "")
    second = _place(shop, [coupon.pk], "second")
    pay_url = orders.order_pay_start(order=second, return_url="http://127.0.0.1:8000/orders/x/paid/")
    with settle():
        sandbox.sandbox_trade_finish(
            token=pay_url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs()
        )
    coupon.refresh_from_db()
    assert coupon.state == CouponState.USED
    counted = selectors.coupon_template_staff(template_id=template.pk)
    assert counted is not None
    assert (getattr(counted, "used", None), selectors.coupon_cost(counted)) == (1, Money(2000))


@pytest.mark.usefixtures("in_process_network")
def test_a_first_order_coupon_is_not_offered_once_the_customer_has_paid(
    shop: Shop,  # noqa: F811  (the fixture)
    actor: ActorContext,
    settle: Any,
) -> None:
    template = services.coupon_template_save(
        actor=actor, draft=draft(name="新人立减20元", threshold=Money(0), first_order_only=True, per_customer_limit=2)
    )
    first_coupon = _claim(template, shop.customer)
    later_coupon = _claim(template, shop.customer)
    order = _place(shop, [first_coupon.pk], "first")
    pay_url = orders.order_pay_start(order=order, return_url="http://127.0.0.1:8000/orders/x/paid/")
    with settle():
        sandbox.sandbox_trade_finish(
            token=pay_url.rstrip("/").rsplit("/", 1)[-1], pay=True, knobs=sandbox.DeliveryKnobs()
        )
    assert selectors.coupon_offers(customer_id=shop.customer.pk) == []
    with pytest.raises(ShopkeeperError):
        services.coupons_lock(customer_id=shop.customer.pk, coupon_ids=[later_coupon.pk], reference="order:again")
