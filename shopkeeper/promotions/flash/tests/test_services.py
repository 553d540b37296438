"""Setting a flash sale up (bad input refused with nothing written) and grabbing under it: the
pool, the limit per customer across orders, units coming back, idempotency — with the database
gate and with the Redis gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.checkout.tests.conftest import SYSTEM, Shop
from shopkeeper.checkout.tests.test_order_payment_flow import pay
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import services as customers
from shopkeeper.inventory import selectors as stock_reads
from shopkeeper.inventory import services as stock
from shopkeeper.inventory.errors import NotDeliverable, OutOfStock, StockRefused
from shopkeeper.orders import services as orders
from shopkeeper.orders.enums import OrderKind, OrderStatus
from shopkeeper.orders.events import OrderCancelled
from shopkeeper.orders.models import Order
from shopkeeper.promotions.flash import gate, selectors, services
from shopkeeper.promotions.flash.enums import ClaimStatus, SaleStatus
from shopkeeper.promotions.flash.errors import LimitReached, NotLive, SoldOut, TooManyAttempts
from shopkeeper.promotions.flash.models import FlashClaim, FlashItem, FlashQuota, FlashSession
from shopkeeper.promotions.flash.tests.conftest import Live, make_live

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_network")]


def grab(live: Live, customer: User, address_id: int, key: str = "k1", **extra: Any) -> services.FlashAttempt:
    return services.flash_attempt(
        item_id=live.item.pk, customer=customer, address_id=address_id, idempotency_key=key,
        actor=ActorContext(user=customer, channel=AuditChannel.API, ip_address="10.0.0.1"), **extra,
    )  # fmt: skip


def buyers(second_customer: Callable[[str], User], count: int) -> list[tuple[User, int]]:
    made = []
    for index in range(count):
        user = second_customer(f"1390000{index:04d}")
        made.append((user, user.addresses.get().pk))
    return made


# --- setting up -----------------------------------------------------------------------------------


@pytest.fixture
def session(shop: Shop) -> FlashSession:
    sale = services.flash_sale_save(actor=SYSTEM, name="周末秒杀")
    now = timezone.now()
    return services.flash_session_save(
        actor=SYSTEM, sale_id=sale.pk, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )


def save_item(shop: Shop, session: FlashSession, **overrides: Any) -> FlashItem:
    args: dict[str, Any] = {
        "actor": SYSTEM, "session_id": session.pk, "sku_id": shop.cup.pk, "sale_price": Money(3900),
        "pool": 10, "per_customer_limit": 2,
    }  # fmt: skip
    args.update(overrides)
    return services.flash_item_save(**args)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"per_customer_limit": 0}, "per_customer_limit"),
        ({"per_customer_limit": -1}, "per_customer_limit"),
        ({"pool": 0}, "pool"),
        ({"pool": 101}, "pool"),  # the cup has 100 units in stock
        ({"sale_price": Money(5900)}, "sale_price"),  # not below the normal price
        ({"sale_price": Money(1965)}, "sale_price"),  # below cost (¥19.66)
        ({"pay_window_minutes": 0}, "pay_window_minutes"),
    ],
)
def test_a_bad_item_is_refused_with_the_field_named_and_nothing_saved(
    shop: Shop, session: FlashSession, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        save_item(shop, session, **overrides)
    assert field in refused.value.details["fields"]
    assert not FlashItem.objects.exists()


def test_the_margin_floor_follows_the_setting(shop: Shop, session: FlashSession, settings: Any) -> None:
    settings.FLASH_MIN_MARGIN_PERCENT = 50  # cost ¥19.66 → floor ¥29.49
    with pytest.raises(ValidationFailed, match="margin floor"):
        save_item(shop, session, sale_price=Money(2948))
    assert save_item(shop, session, sale_price=Money(2949)).sale_price_fen == 2949


def test_a_window_ending_before_it_starts_is_refused(shop: Shop, session: FlashSession) -> None:
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        services.flash_session_save(actor=SYSTEM, sale_id=session.sale_id, starts_at=now, ends_at=now)
    assert refused.value.details["fields"] == {"ends_at": "The session must end after it starts."}
    assert FlashSession.objects.count() == 1


def test_the_same_sku_cannot_be_in_overlapping_sessions(shop: Shop, session: FlashSession) -> None:
    save_item(shop, session)
    other = services.flash_session_save(
        actor=SYSTEM, sale_id=session.sale_id, starts_at=session.starts_at + timedelta(minutes=30),
        ends_at=session.ends_at + timedelta(hours=1),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        save_item(shop, other)
    assert refused.value.details["fields"] == {"sku_id": "overlapping_session"}
    back_to_back = services.flash_session_save(
        actor=SYSTEM, sale_id=session.sale_id, starts_at=session.ends_at, ends_at=session.ends_at + timedelta(hours=1)
    )
    assert save_item(shop, back_to_back).pk  # ending when the next starts does not overlap
    with pytest.raises(ValidationFailed):  # nor may a session move onto another's time
        services.flash_session_save(
            actor=SYSTEM, sale_id=session.sale_id, session_id=back_to_back.pk,
            starts_at=session.starts_at, ends_at=session.ends_at,
        )  # fmt: skip


def test_a_draft_sale_takes_items_in_a_session_that_has_started(shop: Shop) -> None:
    # An operator preparing a draft sale sets up a session that is already under way (10:00–12:00
    # at 10:30): nothing sells in a draft, so items can be added, changed and removed.
    sale = services.flash_sale_save(actor=SYSTEM, name="临时秒杀")
    now = timezone.now()
    session = services.flash_session_save(
        actor=SYSTEM, sale_id=sale.pk, starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=1)
    )
    item = save_item(shop, session)
    assert save_item(shop, session, item_id=item.pk, pool=3, sale_price=Money(4500)).pool == 3
    services.flash_session_save(
        actor=SYSTEM, sale_id=sale.pk, session_id=session.pk, starts_at=session.starts_at,
        ends_at=session.ends_at + timedelta(hours=1),
    )  # fmt: skip
    services.flash_item_delete(actor=SYSTEM, item_id=item.pk)
    assert not FlashItem.objects.exists()
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == 100  # a draft sets nothing aside


def test_a_running_session_of_a_published_sale_changes_only_its_pool(shop: Shop, live: Live) -> None:
    with pytest.raises(Conflict) as refused:  # the price customers are grabbing at is fixed
        save_item(shop, live.session, item_id=live.item.pk, pool=5, per_customer_limit=1, sale_price=Money(3500))
    assert refused.value.details["fields"] == {"sale_price_fen": "fixed_while_running"}
    with pytest.raises(Conflict):  # no new items in a running session
        save_item(shop, live.session, sku_id=shop.dress.pk, sale_price=Money(9900), pool=2)
    with pytest.raises(Conflict):
        services.flash_item_delete(actor=SYSTEM, item_id=live.item.pk)
    with pytest.raises(Conflict):
        services.flash_session_save(
            actor=SYSTEM, sale_id=live.sale.pk, session_id=live.session.pk, starts_at=live.session.starts_at,
            ends_at=live.session.ends_at + timedelta(hours=1),
        )  # fmt: skip
    raised = save_item(shop, live.session, item_id=live.item.pk, pool=8, per_customer_limit=1)
    assert raised.pool == 8
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == 92
    ended = live.session.ends_at + timedelta(seconds=1)
    with pytest.raises(Conflict, match="ended"):
        save_item(shop, live.session, item_id=live.item.pk, pool=9, per_customer_limit=1, now=ended)


def test_a_session_of_a_published_sale_that_has_not_started_can_change(shop: Shop, gate_mode: str) -> None:
    upcoming = make_live(shop, starts_in=timedelta(hours=1))
    save_item(shop, upcoming.session, item_id=upcoming.item.pk, pool=6, per_customer_limit=2, sale_price=Money(3500))
    assert FlashItem.objects.get().per_customer_limit == 2
    services.flash_session_save(
        actor=SYSTEM, sale_id=upcoming.sale.pk, session_id=upcoming.session.pk,
        starts_at=upcoming.session.starts_at + timedelta(hours=1),
        ends_at=upcoming.session.ends_at + timedelta(hours=1),
    )  # fmt: skip
    services.flash_item_delete(actor=SYSTEM, item_id=upcoming.item.pk)
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == 100  # its pool went back


def test_a_sale_without_items_cannot_go_live(shop: Shop, session: FlashSession) -> None:
    with pytest.raises(ValidationFailed):
        services.flash_sale_set_status(actor=SYSTEM, sale_id=session.sale_id, status=SaleStatus.LIVE)


# --- grabbing -------------------------------------------------------------------------------------


def test_a_grab_places_a_flash_order_at_the_flash_price_with_a_ten_minute_window(shop: Shop, live: Live) -> None:
    before = timezone.now()
    attempt = grab(live, shop.customer, shop.address_id)
    order = Order.objects.get(number=attempt.order_number)
    line = order.lines.get()
    assert (order.kind, line.unit_price_fen, line.quantity) == (OrderKind.FLASH, 3900, 1)
    assert before + timedelta(minutes=9) < order.pay_deadline <= timezone.now() + timedelta(minutes=10)
    assert attempt.claim.status == ClaimStatus.HELD
    assert attempt.claim.order_reference == order.reference
    live.item.refresh_from_db()
    assert live.item.sold == 1
    assert grab(live, shop.customer, shop.address_id).order_number == order.number  # same key, same order
    assert Order.objects.count() == 1


def test_the_limit_counts_across_orders(shop: Shop, live: Live) -> None:
    grab(live, shop.customer, shop.address_id, key="first")
    with pytest.raises(LimitReached):
        grab(live, shop.customer, shop.address_id, key="second")
    assert Order.objects.count() == 1
    assert FlashQuota.objects.get().taken == 1


def test_the_pool_runs_out_and_nothing_more_is_sold(
    shop: Shop, live: Live, second_customer: Callable[[str], User]
) -> None:
    people = buyers(second_customer, 7)
    sold, refused = 0, 0
    for user, address_id in people:
        try:
            grab(live, user, address_id)
            sold += 1
        except SoldOut:
            refused += 1
    assert (sold, refused) == (5, 2)
    assert Order.objects.filter(kind=OrderKind.FLASH).count() == 5
    live.item.refresh_from_db()
    assert live.item.sold == live.item.pool == 5


def test_a_cancelled_order_gives_the_unit_back_once(
    shop: Shop, gate_mode: str, second_customer: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    live = make_live(shop, pool=1)
    attempt = grab(live, shop.customer, shop.address_id)
    ((other, other_address),) = buyers(second_customer, 1)
    with pytest.raises(SoldOut):
        grab(live, other, other_address)
    order = Order.objects.get(number=attempt.order_number)
    with django_capture_on_commit_callbacks(execute=True):
        orders.order_cancel(order=order, actor=SYSTEM, reason="不想要了")
    services.on_order_cancelled(  # a repeated event gives nothing back twice
        OrderCancelled(
            order_id=order.pk,
            number=order.number,
            reference=order.reference,
            kind=OrderKind.FLASH,
            customer_id=order.customer_id,
        )
    )
    live.item.refresh_from_db()
    assert live.item.sold == 0
    assert FlashClaim.objects.get(pk=attempt.claim.pk).status == ClaimStatus.RELEASED
    assert FlashQuota.objects.get(customer=shop.customer).taken == 0
    assert grab(live, other, other_address, key="again").claim.status == ClaimStatus.HELD
    with pytest.raises(SoldOut):  # the one unit is the other customer's now
        grab(live, shop.customer, shop.address_id, key="back")


def test_an_unpaid_order_lapses_and_its_unit_returns(
    shop: Shop, gate_mode: str, second_customer: Callable[[str], User], django_capture_on_commit_callbacks: Any
) -> None:
    live = make_live(shop, pool=1)
    attempt = grab(live, shop.customer, shop.address_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert orders.orders_cancel_overdue(now=timezone.now() + timedelta(minutes=9)) == 0
        assert orders.orders_cancel_overdue(now=timezone.now() + timedelta(minutes=11)) == 1
    assert Order.objects.get(number=attempt.order_number).status == OrderStatus.CANCELLED
    live.item.refresh_from_db()
    assert live.item.sold == 0
    ((other, other_address),) = buyers(second_customer, 1)
    assert grab(live, other, other_address).claim.status == ClaimStatus.HELD
    if gate_mode == "redis":
        assert gate.live([live.item.pk])[live.item.pk].left == 0


def test_a_paid_claim_keeps_counting_against_the_limit(shop: Shop, live: Live, settle: Any) -> None:
    attempt = grab(live, shop.customer, shop.address_id)
    pay(Order.objects.get(number=attempt.order_number), settle)
    assert FlashClaim.objects.get().status == ClaimStatus.PAID
    with pytest.raises(LimitReached):
        grab(live, shop.customer, shop.address_id, key="more")
    counters = selectors.item_counters([FlashItem.objects.get()])[live.item.pk]
    assert (counters.admitted, counters.paid, counters.sold, counters.remaining) == (1, 1, 1, 4)
    assert counters.attempts == 2


def test_when_the_order_cannot_be_placed_the_unit_goes_back(
    shop: Shop, live: Live, django_capture_on_commit_callbacks: Any
) -> None:
    # No warehouse ships to Hong Kong: the order is refused, the unit goes back, the pool stays whole.
    hong_kong = customers.address_create(
        user=shop.customer, recipient="陈大文", mobile="13800138001", province="香港特别行政区", city="香港",
        district="中西区", detail="皇后大道中 1 号",
    )  # fmt: skip
    with pytest.raises(NotDeliverable), django_capture_on_commit_callbacks(execute=True):  # Redis after commit
        grab(live, shop.customer, hong_kong.pk)
    live.item.refresh_from_db()
    assert live.item.sold == 0
    assert FlashClaim.objects.get().status == ClaimStatus.FAILED
    assert FlashQuota.objects.get().taken == 0
    assert not Order.objects.exists()
    assert sum(a.quantity for a in stock.reservations_for(live.item.pool_reference)) == 5
    assert grab(live, shop.customer, shop.address_id, key="home").claim.status == ClaimStatus.HELD


def test_normal_sales_cannot_take_the_pool(shop: Shop, live: Live, second_customer: Callable[[str], User]) -> None:
    # The cup has 100 units; the live sale set 5 aside: normal orders can have 95, never more.
    assert stock_reads.sku_availability([shop.cup.pk])[shop.cup.pk] == 95
    stock.stock_reserve(
        reference="order:NORMAL", lines=[stock.ReserveLine(sku_id=shop.cup.pk, quantity=95)], province="上海市",
        actor=SYSTEM,
    )  # fmt: skip
    with pytest.raises(OutOfStock):
        stock.stock_reserve(
            reference="order:ONE-MORE", lines=[stock.ReserveLine(sku_id=shop.cup.pk, quantity=1)],
            province="上海市", actor=SYSTEM,
        )  # fmt: skip
    with pytest.raises(StockRefused):  # nor can a count wipe the pool out
        stock.stocktake(sku_id=shop.cup.pk, warehouse_id=shop.east, counted=0, actor=SYSTEM, reason="盘点")
    people = buyers(second_customer, 5)
    assert all(grab(live, user, address_id).claim.status == ClaimStatus.HELD for user, address_id in people)
    assert not stock.reservations_for(live.item.pool_reference)
    assert not stock_reads.ledger_imbalances()


def test_outside_the_session_or_paused_nobody_grabs(shop: Shop, gate_mode: str) -> None:
    upcoming = make_live(shop, starts_in=timedelta(hours=1))
    with pytest.raises(NotLive, match="starts at"):
        grab(upcoming, shop.customer, shop.address_id)
    services.flash_sale_set_status(actor=SYSTEM, sale_id=upcoming.sale.pk, status=SaleStatus.PAUSED)
    with pytest.raises(NotLive):
        grab(upcoming, shop.customer, shop.address_id, now=timezone.now() + timedelta(hours=1, minutes=1))
    assert not FlashClaim.objects.exists()


def test_bad_quantity_or_key_is_refused(shop: Shop, live: Live) -> None:
    with pytest.raises(ValidationFailed):
        grab(live, shop.customer, shop.address_id, quantity=2)  # limit 1
    with pytest.raises(ValidationFailed):
        grab(live, shop.customer, shop.address_id, key=" ")
    assert not FlashClaim.objects.exists()


def test_rate_limits_per_customer_and_per_address(shop: Shop, live: Live, settings: Any) -> None:
    settings.FLASH_ATTEMPTS_PER_CUSTOMER = 2
    grab(live, shop.customer, shop.address_id, key="a")
    with pytest.raises(LimitReached):
        grab(live, shop.customer, shop.address_id, key="b")
    with pytest.raises(TooManyAttempts) as limited:
        grab(live, shop.customer, shop.address_id, key="c")
    assert 1 <= limited.value.retry_after_seconds <= settings.FLASH_RATE_WINDOW_SECONDS
    settings.FLASH_ATTEMPTS_PER_CUSTOMER = 1000
    settings.FLASH_ATTEMPTS_PER_IP = 2
    with pytest.raises(TooManyAttempts):
        grab(live, shop.customer, shop.address_id, key="d")


def test_the_redis_gate_is_reseeded_from_the_database_after_a_restart(
    shop: Shop, second_customer: Callable[[str], User], settings: Any
) -> None:
    from shopkeeper.promotions.flash.tests.conftest import REDIS_URL, _wipe_redis

    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set: the Redis gate is tested against a local Redis")
    settings.REDIS_URL = REDIS_URL
    _wipe_redis()
    live = make_live(shop, pool=3, limit=1)
    grab(live, shop.customer, shop.address_id)
    assert gate.live([live.item.pk])[live.item.pk].left == 2
    _wipe_redis()  # Redis restarted empty
    with pytest.raises(LimitReached):  # seeded again from the database: the customer's count survived
        grab(live, shop.customer, shop.address_id, key="after-restart")
    assert gate.live([live.item.pk])[live.item.pk].left == 2
    gate.set_left(item_id=live.item.pk, left=3)  # Redis wrong on the generous side …
    people = buyers(second_customer, 3)
    results = []
    for user, address_id in people:
        try:
            results.append(grab(live, user, address_id).claim.status)
        except SoldOut:
            results.append("sold out")
    assert results == [ClaimStatus.HELD, ClaimStatus.HELD, "sold out"]  # … the database still refuses
    live.item.refresh_from_db()
    assert live.item.sold == 3
    assert gate.live([live.item.pk])[live.item.pk].left == 0
    assert services.flash_gate_seed(force=True) == 1
    _wipe_redis()
