"""Order fixtures: orders written straight into the tables (not through checkout), with amounts
that add up — the lines' paid shares sum to the total less shipping — and a helper that pays an
order for real through the payments app (payment_start + the sandbox's signed notification),
and one that has the gateway confirm a refund."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from shopkeeper.core.domain.money import Money
from shopkeeper.core.domain.regions import province_named
from shopkeeper.core.models import User
from shopkeeper.orders.domain.numbers import order_number
from shopkeeper.orders.domain.states import FINAL, Status, is_paid
from shopkeeper.orders.models import Order, OrderEvent, OrderLine, OrderRefund
from shopkeeper.payments import services as payments
from shopkeeper.payments.domain.gateway import RefundState, TradeState
from shopkeeper.payments.domain.notices import payment_notice_params, refund_notice_params
from shopkeeper.payments.domain.signing import signed
from shopkeeper.payments.models import Payment, Refund
from shopkeeper.payments.services.sandbox import sandbox_secret


@dataclass(frozen=True)
class Line:
    sku_code: str
    title: str
    unit_price_fen: int
    quantity: int = 1
    discount_fen: int = 0
    spec_label: str = ""
    explanation: tuple[str, ...] = ()


DRESS = Line("DRESS-M", "法式收腰连衣裙", 19900, 1, spec_label="雾霾蓝 M", explanation=("¥199.00 × 1",))
CUPS = Line(
    "CUP-500",
    "316不锈钢保温杯",
    5900,
    2,
    discount_fen=1000,
    explanation=("¥59.00 × 2 = ¥118.00", "满减 −¥10.00"),
)
_numbers = itertools.count(1)


def customer_user(mobile: str) -> User:
    user = User.objects.filter(username=mobile).first()
    return user or User.objects.create_user(username=mobile, password=None, display_name=f"顾客{mobile[-4:]}")


def create_order(
    *,
    status: str = Status.PENDING_PAYMENT,
    lines: Sequence[Line] = (DRESS, CUPS),
    shipping_fen: int = 0,
    placed_at: datetime | None = None,
    channel: str = "direct",
    province: str = "上海市",
    city: str = "上海市",
    recipient: str = "王小明",
    mobile: str = "13800138001",
    customer: User | None = None,
    invoice_kind: str = "none",
    invoice_title: str = "",
    invoice_tax_number: str = "",
) -> Order:
    """One order and its lines with consistent amounts; paid orders have paid their total."""
    placed_at = placed_at or timezone.now()
    found = province_named(province)
    region = found.region.value if found else ""
    subtotal = sum(line.unit_price_fen * line.quantity for line in lines)
    discount = sum(line.discount_fen for line in lines)
    total = subtotal - discount + shipping_fen
    paid = is_paid(Status(status))
    order = Order.objects.create(
        number=order_number(timezone.localdate(placed_at), randbelow=next(_numbers)),
        customer=customer or customer_user(mobile),
        status=status,
        channel=channel,
        recipient=recipient,
        mobile=mobile,
        province=province,
        city=city,
        district="徐汇区",
        address_detail="漕溪北路 88 号 1201",
        region=region,
        subtotal_fen=subtotal,
        discount_fen=discount,
        shipping_fen=shipping_fen,
        total_fen=total,
        paid_fen=total if paid else 0,
        invoice_kind=invoice_kind,
        invoice_title=invoice_title,
        invoice_tax_number=invoice_tax_number,
        idempotency_key=uuid.uuid4().hex,
        explanation=[f"运费 {Money(shipping_fen)}"] if shipping_fen else [],
        placed_at=placed_at,
        pay_deadline=placed_at + timedelta(minutes=30),
        paid_at=placed_at + timedelta(minutes=2) if paid else None,
        cancelled_at=placed_at + timedelta(minutes=30) if status == Status.CANCELLED else None,
        cancel_reason="Not paid in time" if status == Status.CANCELLED else "",
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                sku=None,
                product_id=1000 + position,
                sku_code=line.sku_code,
                title=line.title,
                spec_label=line.spec_label,
                unit_price_fen=line.unit_price_fen,
                quantity=line.quantity,
                subtotal_fen=line.unit_price_fen * line.quantity,
                discount_fen=line.discount_fen,
                total_fen=line.unit_price_fen * line.quantity - line.discount_fen,
                explanation=list(line.explanation),
                position=position,
            )
            for position, line in enumerate(lines)
        ]
    )
    OrderEvent.objects.create(order=order, kind="placed", actor_label=order.customer.get_username())
    if paid:
        OrderEvent.objects.create(
            order=order, kind="pay", from_status=Status.PENDING_PAYMENT, to_status=Status.PAID, actor_label="system"
        )
    if Status(status) in FINAL and not paid:
        OrderEvent.objects.create(
            order=order,
            kind="cancel",
            from_status=Status.PENDING_PAYMENT,
            to_status=Status.CANCELLED,
            actor_label="system",
            note="Not paid in time",
        )
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def make_order(db: None) -> Callable[..., Order]:
    return create_order


def pay(order: Order, *, trade_no: str = "") -> Payment:
    """Pay an unpaid order as the customer would: a sandbox payment, then its signed notification.

    The orders app hears PaymentSucceeded and turns the order paid (then allocated).
    """
    started = payments.payment_start(
        reference=order.reference,
        amount=order.total,
        subject=f"Order {order.number}",
        customer_id=order.customer_id,
        return_url="http://testserver/orders/paid/",
    )
    payment = Payment.objects.get(pk=started.payment_id)
    params = payment_notice_params(
        out_trade_no=payment.out_trade_no,
        trade_no=trade_no or f"2026{payment.pk:020d}",
        amount_fen=payment.amount_fen,
        state=TradeState.SUCCESS,
        notify_id=f"notify-{payment.pk}",
        notify_time=timezone.now(),
        paid_at=timezone.now(),
    )
    outcome = payments.payment_notification_handle(gateway="sandbox", params=signed(params, sandbox_secret()))
    assert outcome.changed, outcome
    return Payment.objects.get(pk=payment.pk)


@pytest.fixture
def paid_order(make_order: Callable[..., Order]) -> Callable[..., Order]:
    """An order paid through the payments app (status allocated, paid_fen = total)."""

    def make(**fields: object) -> Order:
        order = make_order(**fields)
        pay(order)
        order.refresh_from_db()
        assert order.paid_fen == order.total_fen, order.status
        return order

    return make


def confirm_refund(order_refund: OrderRefund, *, refund_no: str = "2026120123000000000000000001") -> Refund:
    """The gateway says the money went back: its signed refund notification."""
    refund = Refund.objects.select_related("payment").get(request_key=order_refund.request_key)
    params = refund_notice_params(
        out_trade_no=refund.payment.out_trade_no,
        trade_no=refund.payment.trade_no,
        out_refund_no=refund.out_refund_no,
        refund_no=refund_no,
        amount_fen=refund.amount_fen,
        state=RefundState.SUCCESS,
        notify_id=f"refund-notify-{refund.pk}",
        notify_time=timezone.now(),
        refunded_at=timezone.now(),
    )
    outcome = payments.refund_notification_handle(gateway="sandbox", params=signed(params, sandbox_secret()))
    assert outcome.changed, outcome
    return Refund.objects.get(pk=refund.pk)
