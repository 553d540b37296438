"""The customer's cart, checkout and orders at /api/v1/shop: for the shop's own apps and mini
programs. They run on the customer's storefront session (see customers.auth) and reach only the
signed-in customer's cart and orders. Prices are never taken from the request.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ConfigDict

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout import services as checkout
from shopkeeper.core.domain.regions import province_named
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.pricing.domain.pipeline import PricedCart

router = Router(tags=["shop: cart, checkout and my orders"], auth=CustomerSessionAuth())


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- schemas ------------------------------------------------------------------------------------


class CartLineOut(Schema):
    sku_id: int
    sku_code: str
    product_id: int | None
    title: str
    spec: str
    image: str
    quantity: int
    unit_price: MoneyOut | None
    available: int
    problem: str = Field(
        ..., description='Why the line cannot be bought as it is ("Sold out", "Only 3 left"…); empty when it can'
    )
    total: MoneyOut | None = Field(..., description="What the line costs after discounts; null when it has a problem")
    explanation: list[str]


class AppliedOut(Schema):
    rule_id: str = Field(..., description='"promo:<id>" for a promotion, the coupon\'s rule id for a coupon')
    label: str
    group: str = Field(..., description="item, order, coupon or shipping")
    discount: MoneyOut


class GiftOut(Schema):
    sku_id: int
    quantity: int
    label: str


class CouponChoiceOut(Schema):
    coupon_id: int
    label: str
    valid_until: datetime | None
    chosen: bool
    applied: bool
    discount: MoneyOut


class CartOut(Schema):
    lines: list[CartLineOut]
    count: int = Field(..., description="Units in the cart")
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    free_shipping_gap: MoneyOut | None
    explanation: list[str]
    region: str | None = Field(..., description="The region shipping was priced for (from `address_id`), or null")
    promotions: list[AppliedOut] = Field(..., description="The promotions and coupons that apply, in order")
    gifts: list[GiftOut] = Field(..., description="Gifts the order will carry at price 0")
    nudges: list[str] = Field(..., description='e.g. "Spend ¥80.00 more for ¥100.00 off"')
    coupons: list[CouponChoiceOut] = Field(..., description="My usable coupons and which one applies")


class CartCouponsIn(Schema):
    coupon_ids: list[int] | None = Field(
        ..., description="The coupons to use; null lets the best one apply, [] uses none"
    )


class CartItemIn(Schema):
    sku_id: int
    quantity: int = Field(1, description="Units to add (1–99 in all for one SKU)")


class CartQuantityIn(Schema):
    quantity: int = Field(..., description="The line's new quantity; 0 removes it")


class InvoiceIn(Schema):
    kind: Literal["none", "personal", "company"] = "none"
    title: str = Field("", max_length=100)
    tax_number: str = Field("", max_length=20)


class CheckoutIn(Schema):
    """Prices are never taken from the request: a field this schema does not name (a price, a
    discount) is refused with 422."""

    model_config = ConfigDict(extra="forbid")

    address_id: int
    idempotency_key: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="Made by the client once per checkout; a retry with it answers the same order",
    )
    expected_total_fen: int | None = Field(
        None, description="The total the customer saw; a different server total is refused (422) with the new one"
    )
    note: str = Field("", max_length=200)
    invoice: InvoiceIn = Field(default_factory=lambda: InvoiceIn(kind="none", title="", tax_number=""))
    coupon_ids: list[int] | None = Field(
        None, description="Coupons to use (my own, usable ones); null: the cart's choice, else the best one"
    )


class OrderLineOut(Schema):
    id: int
    sku_code: str
    product_id: int
    title: str
    spec: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut
    refunded: MoneyOut
    explanation: list[str]


class OrderEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    note: str
    at: datetime


class OrderOut(Schema):
    number: str
    status: str
    status_label: str
    placed_at: datetime
    pay_deadline: datetime
    seconds_to_pay: int = Field(..., description="Left to pay before the order cancels itself; 0 when not pending")
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    paid: MoneyOut
    refunded: MoneyOut
    recipient: str
    mobile: str
    address: str
    note: str
    invoice_kind: str
    lines: list[OrderLineOut]
    timeline: list[OrderEventOut]


class OrderCardOut(Schema):
    number: str
    status: str
    status_label: str
    placed_at: datetime
    total: MoneyOut
    items: int


class PayIn(Schema):
    return_url: str = Field(
        ..., max_length=500, description="Where the gateway sends the customer back (your app's page)"
    )


class PayOut(Schema):
    pay_url: str = Field(
        ..., description="Send the customer here to pay; the order turns paid when the gateway notifies us"
    )


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


# --- cart ---------------------------------------------------------------------------------------


def _cart_out(view: cart_reads.CartView, priced: PricedCart) -> CartOut:
    priced_lines = {line.sku_id: line for line in priced.lines}
    promoted = view.promoted
    return CartOut(
        lines=[
            CartLineOut(
                sku_id=line.sku_id,
                sku_code=line.sku.sku_code if line.sku else "",
                product_id=line.sku.product_id if line.sku else None,
                title=line.sku.title if line.sku else "",
                spec=line.sku.spec_label if line.sku else "",
                image=line.sku.image if line.sku else "",
                quantity=line.quantity,
                unit_price=money_out(line.sku.sale_price_fen) if line.sku else None,
                available=line.available,
                problem=line.problem,
                total=money_out(priced_lines[line.sku_id].total.fen) if line.sku_id in priced_lines else None,
                explanation=list(priced_lines[line.sku_id].explanation) if line.sku_id in priced_lines else [],
            )
            for line in view.lines
        ],
        count=view.count,
        subtotal=money_out(priced.subtotal.fen),
        discount=money_out(priced.discount.fen),
        shipping=money_out(priced.shipping.fen),
        total=money_out(priced.total.fen),
        free_shipping_gap=money_out(priced.free_shipping_gap.fen) if priced.free_shipping_gap else None,
        explanation=list(priced.explanation),
        region=view.region,
        promotions=[
            AppliedOut(rule_id=a.rule_id, label=a.label, group=a.group, discount=money_out(a.discount.fen))
            for a in promoted.applied
        ],
        gifts=[GiftOut(sku_id=g.sku_id, quantity=g.quantity, label=g.label) for g in promoted.gifts],
        nudges=list(promoted.nudges),
        coupons=[
            CouponChoiceOut(
                coupon_id=c.coupon_id,
                label=c.label,
                valid_until=c.valid_until,
                chosen=c.chosen,
                applied=c.applied,
                discount=money_out(c.discount.fen),
            )
            for c in promoted.coupons
        ],
    )


def _view(request: HttpRequest, address_id: int | None = None) -> cart_reads.CartView:
    region = None
    if address_id is not None:
        address = customers.address_get(user=_me(request), address_id=address_id)
        province = province_named(address.province)
        region = province.region.value if province else None
    return cart_reads.cart_view(checkout.cart_for_customer(_me(request)), region=region)


@router.get("/cart", response=CartOut, summary="My cart, priced (shipping for `address_id` when given)")
@customer_operation
def cart_get(request: HttpRequest, address_id: int | None = None) -> CartOut:
    view = _view(request, address_id)
    return _cart_out(view, view.priced)


@router.post("/cart/items", response={201: CartOut}, summary="Put units of a SKU in my cart")
@customer_operation
def cart_add(request: HttpRequest, payload: CartItemIn) -> Status[CartOut]:
    checkout.cart_add(cart=checkout.cart_for_customer(_me(request)), sku_id=payload.sku_id, quantity=payload.quantity)
    view = _view(request)
    return Status(201, _cart_out(view, view.priced))


@router.put("/cart/items/{sku_id}", response=CartOut, summary="Set a line's quantity (0 removes it)")
@customer_operation
def cart_set(request: HttpRequest, sku_id: int, payload: CartQuantityIn) -> CartOut:
    checkout.cart_set_quantity(cart=checkout.cart_for_customer(_me(request)), sku_id=sku_id, quantity=payload.quantity)
    view = _view(request)
    return _cart_out(view, view.priced)


@router.delete("/cart/items/{sku_id}", response=CartOut, summary="Take a SKU out of my cart")
@customer_operation
def cart_remove(request: HttpRequest, sku_id: int) -> CartOut:
    checkout.cart_remove(cart=checkout.cart_for_customer(_me(request)), sku_id=sku_id)
    view = _view(request)
    return _cart_out(view, view.priced)


@router.put("/cart/coupons", response=CartOut, summary="Choose the coupons for my cart (null: the best one)")
@customer_operation
def cart_coupons(request: HttpRequest, payload: CartCouponsIn) -> CartOut:
    checkout.cart_choose_coupons(cart=checkout.cart_for_customer(_me(request)), coupon_ids=payload.coupon_ids)
    view = _view(request)
    return _cart_out(view, view.priced)


# --- checkout and orders --------------------------------------------------------------------------


def _order_out(order: orders.Order) -> OrderOut:
    seconds = 0
    if order.status == "pending_payment":
        seconds = max(int((order.pay_deadline - timezone.now()).total_seconds()), 0)
    return OrderOut(
        number=order.number,
        status=order.status,
        status_label=str(order.get_status_display()),
        placed_at=order.placed_at,
        pay_deadline=order.pay_deadline,
        seconds_to_pay=seconds,
        subtotal=money_out(order.subtotal_fen),
        discount=money_out(order.discount_fen),
        shipping=money_out(order.shipping_fen),
        total=money_out(order.total_fen),
        paid=money_out(order.paid_fen),
        refunded=money_out(order.refunded_fen),
        recipient=order.recipient,
        mobile=customers.mobile_mask(order.mobile),
        address=f"{order.province} {order.city} {order.district} {order.address_detail}",
        note=order.note,
        invoice_kind=order.invoice_kind,
        lines=[
            OrderLineOut(
                id=line.pk,
                sku_code=line.sku_code,
                product_id=line.product_id,
                title=line.title,
                spec=line.spec_label,
                quantity=line.quantity,
                unit_price=money_out(line.unit_price_fen),
                total=money_out(line.total_fen),
                refunded=money_out(line.refunded_fen),
                explanation=list(line.explanation),
            )
            for line in order.lines.all()
        ],
        timeline=[
            OrderEventOut(kind=e.kind, from_status=e.from_status, to_status=e.to_status, note=e.note, at=e.created_at)
            for e in order.events.all()
        ],
    )


def _mine(request: HttpRequest, number: str) -> orders.Order:
    order = order_reads.order_for_customer(customer=_me(request), number=number)
    if order is None:
        raise NotFound("No such order", details={"number": number})
    return order


@router.post(
    "/checkout", response={201: OrderOut}, summary="Place an order from my cart (stock is held for 30 minutes)"
)
@customer_operation
def checkout_place(request: HttpRequest, payload: CheckoutIn) -> Status[OrderOut]:
    order = checkout.checkout_submit(
        cart=checkout.cart_for_customer(_me(request)),
        customer=_me(request),
        address_id=payload.address_id,
        idempotency_key=payload.idempotency_key,
        expected_total_fen=payload.expected_total_fen,
        note=payload.note,
        invoice=checkout.InvoiceRequest(
            kind=payload.invoice.kind, title=payload.invoice.title, tax_number=payload.invoice.tax_number
        ),
        channel="api",
        coupon_ids=payload.coupon_ids,
        actor=ActorContext.from_request(request, AuditChannel.API),
    )
    return Status(201, _order_out(_mine(request, order.number)))


@router.get("/orders", response=list[OrderCardOut], summary="My orders, newest first")
@customer_operation
@paginate(LimitOffsetPagination)
def order_list(request: HttpRequest, status: str | None = None) -> list[OrderCardOut]:
    queryset = order_reads.orders_of_customer(_me(request))
    if status:
        queryset = queryset.filter(status=status)
    return [
        OrderCardOut(
            number=order.number,
            status=order.status,
            status_label=str(order.get_status_display()),
            placed_at=order.placed_at,
            total=money_out(order.total_fen),
            items=sum(line.quantity for line in order.lines.all()),
        )
        for order in queryset
    ]


@router.get("/orders/{number}", response=OrderOut, summary="One of my orders, with its timeline")
@customer_operation
def order_get(request: HttpRequest, number: str) -> OrderOut:
    return _order_out(_mine(request, number))


@router.post(
    "/orders/{number}/pay", response=PayOut, summary="Start paying an unpaid order (the same payment if asked twice)"
)
@customer_operation
def order_pay(request: HttpRequest, number: str, payload: PayIn) -> PayOut:
    return PayOut(pay_url=orders.order_pay_start(order=_mine(request, number), return_url=payload.return_url))


@router.post("/orders/{number}/cancel", response=OrderOut, summary="Cancel an unpaid order (its stock is released)")
@customer_operation
def order_cancel(request: HttpRequest, number: str, payload: CancelIn) -> OrderOut:
    orders.order_cancel(
        order=_mine(request, number), actor=ActorContext.from_request(request, AuditChannel.API), reason=payload.reason
    )
    return _order_out(_mine(request, number))
