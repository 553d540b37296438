"""Flash-sale endpoints: the campaign desk's sales, sessions and items with live counters at
/api/v1/flash, and the customer's listing and grab at /api/v1/shop/flash.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public, requires
from shopkeeper.core.roles import MANAGE_FLASH_SALES, VIEW_FLASH_SALES
from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.core.services import ActorContext
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.orders import selectors as order_reads
from shopkeeper.promotions.flash import selectors, services
from shopkeeper.promotions.flash.enums import DEFAULT_PAY_WINDOW_MINUTES
from shopkeeper.promotions.flash.errors import TooManyAttempts
from shopkeeper.promotions.flash.models import FlashItem, FlashSale

router = Router(tags=["flash sales (staff)"])
shop_router = Router(tags=["shop: flash sales"], auth=CustomerSessionAuth())


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


# --- schemas ------------------------------------------------------------------------------------


class CountersOut(Schema):
    attempts: int = Field(..., description="Attempts that reached the gate")
    admitted: int = Field(..., description="Attempts admitted (claims of every status)")
    held: int = Field(..., description="Units in placed orders awaiting payment")
    paid: int
    released: int = Field(..., description="Units given back: orders cancelled or not paid in time")
    sold: int = Field(..., description="Units taken now: awaiting payment + paid")
    remaining: int
    gate_left: int | None = Field(..., description="Units the Redis gate shows left; null without Redis")
    in_stock_pool: int = Field(
        ..., description="Units reserved in inventory for the pool now (not yet any order's); 0 while not set aside"
    )


class ItemOut(Schema):
    id: int
    sku_id: int
    sale_price: MoneyOut
    pool: int
    per_customer_limit: int
    pay_window_minutes: int
    pool_reserved: bool = Field(..., description="The pool is set aside in stock (a published sale, session not ended)")
    pool_reference: str = Field(..., description="The stock reference the pool is reserved under, e.g. flash:item:5")
    counters: CountersOut


class SessionOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    items: list[ItemOut]


class SaleOut(Schema):
    id: int
    name: str
    status: str
    sessions: list[SessionOut]


class SaleRowOut(Schema):
    id: int
    name: str
    status: str
    session_count: int
    item_count: int


class SaleIn(Schema):
    name: str


class StatusIn(Schema):
    status: str = Field(..., description="draft, live or paused")


class SessionIn(Schema):
    starts_at: datetime
    ends_at: datetime


class ItemIn(Schema):
    sku_id: int
    sale_price_fen: int = Field(..., description="The flash price in fen; below the normal price, not below the floor")
    pool: int = Field(..., description="Units for the sale, covered by the SKU's available stock")
    per_customer_limit: int = Field(1, description="Units one customer may hold or buy, across orders")
    pay_window_minutes: int = DEFAULT_PAY_WINDOW_MINUTES


def _item_out(item: FlashItem, counters: selectors.Counters) -> ItemOut:
    return ItemOut(
        id=item.pk,
        sku_id=item.sku_id,
        sale_price=money_out(item.sale_price_fen),
        pool=item.pool,
        per_customer_limit=item.per_customer_limit,
        pay_window_minutes=item.pay_window_minutes,
        pool_reserved=item.pool_reserved,
        pool_reference=item.pool_reference,
        counters=CountersOut(
            attempts=counters.attempts,
            admitted=counters.admitted,
            held=counters.held,
            paid=counters.paid,
            released=counters.released,
            sold=counters.sold,
            remaining=counters.remaining,
            gate_left=counters.gate_left,
            in_stock_pool=counters.in_stock_pool,
        ),
    )


def _sale_out(sale_id: int) -> SaleOut:
    sale: FlashSale = selectors.sale_get(sale_id=sale_id)
    sessions = list(sale.sessions.all())
    counters = selectors.item_counters([item for session in sessions for item in session.items.all()])
    return SaleOut(
        id=sale.pk,
        name=sale.name,
        status=sale.status,
        sessions=[
            SessionOut(
                id=session.pk,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                items=[_item_out(item, counters[item.pk]) for item in session.items.all()],
            )
            for session in sessions
        ],
    )


# --- staff ----------------------------------------------------------------------------------------


@router.get("/sales", response=list[SaleRowOut], summary="Flash sales, newest first")
@requires(VIEW_FLASH_SALES, api=True)
def sale_list(request: HttpRequest) -> list[SaleRowOut]:
    return [
        SaleRowOut(id=s.pk, name=s.name, status=s.status, session_count=s.session_count, item_count=s.item_count)  # type: ignore[attr-defined]  # annotated by sale_list
        for s in selectors.sale_list()
    ]


@router.post("/sales", response={201: SaleOut}, summary="Create a flash sale (a draft)")
@requires(MANAGE_FLASH_SALES, api=True)
def sale_create(request: HttpRequest, payload: SaleIn) -> Status[SaleOut]:
    sale = services.flash_sale_save(actor=_actor(request), name=payload.name)
    return Status(201, _sale_out(sale.pk))


@router.get("/sales/{sale_id}", response=SaleOut, summary="A flash sale with its sessions, items and live counters")
@requires(VIEW_FLASH_SALES, api=True)
def sale_get(request: HttpRequest, sale_id: int) -> SaleOut:
    return _sale_out(sale_id)


@router.put("/sales/{sale_id}", response=SaleOut, summary="Rename a flash sale")
@requires(MANAGE_FLASH_SALES, api=True)
def sale_update(request: HttpRequest, sale_id: int, payload: SaleIn) -> SaleOut:
    services.flash_sale_save(actor=_actor(request), name=payload.name, sale_id=sale_id)
    return _sale_out(sale_id)


@router.put("/sales/{sale_id}/status", response=SaleOut, summary="Put a flash sale live, pause it, or back to draft")
@requires(MANAGE_FLASH_SALES, api=True)
def sale_status(request: HttpRequest, sale_id: int, payload: StatusIn) -> SaleOut:
    services.flash_sale_set_status(actor=_actor(request), sale_id=sale_id, status=payload.status)
    return _sale_out(sale_id)


@router.post("/sales/{sale_id}/sessions", response={201: SaleOut}, summary="Add a session (start and end)")
@requires(MANAGE_FLASH_SALES, api=True)
def session_create(request: HttpRequest, sale_id: int, payload: SessionIn) -> Status[SaleOut]:
    services.flash_session_save(
        actor=_actor(request), sale_id=sale_id, starts_at=payload.starts_at, ends_at=payload.ends_at
    )
    return Status(201, _sale_out(sale_id))


@router.put("/sales/{sale_id}/sessions/{session_id}", response=SaleOut, summary="Move a session that has not started")
@requires(MANAGE_FLASH_SALES, api=True)
def session_update(request: HttpRequest, sale_id: int, session_id: int, payload: SessionIn) -> SaleOut:
    services.flash_session_save(
        actor=_actor(request), sale_id=sale_id, session_id=session_id, starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )  # fmt: skip
    return _sale_out(sale_id)


@router.post("/sessions/{session_id}/items", response={201: ItemOut}, summary="Put a SKU in a session")
@requires(MANAGE_FLASH_SALES, api=True)
def item_create(request: HttpRequest, session_id: int, payload: ItemIn) -> Status[ItemOut]:
    item = services.flash_item_save(
        actor=_actor(request), session_id=session_id, sku_id=payload.sku_id, sale_price=Money(payload.sale_price_fen),
        pool=payload.pool, per_customer_limit=payload.per_customer_limit,
        pay_window_minutes=payload.pay_window_minutes,
    )  # fmt: skip
    return Status(201, _item_out(item, selectors.item_counters([item])[item.pk]))


@router.put("/items/{item_id}", response=ItemOut, summary="Change an item (a running session: only its pool)")
@requires(MANAGE_FLASH_SALES, api=True)
def item_update(request: HttpRequest, item_id: int, payload: ItemIn) -> ItemOut:
    current = selectors.item_get(item_id=item_id)
    item = services.flash_item_save(
        actor=_actor(request), session_id=current.session_id, item_id=item_id, sku_id=payload.sku_id,
        sale_price=Money(payload.sale_price_fen), pool=payload.pool, per_customer_limit=payload.per_customer_limit,
        pay_window_minutes=payload.pay_window_minutes,
    )  # fmt: skip
    return _item_out(item, selectors.item_counters([item])[item.pk])


@router.get("/items/{item_id}", response=ItemOut, summary="One item with its live counters")
@requires(VIEW_FLASH_SALES, api=True)
def item_get(request: HttpRequest, item_id: int) -> ItemOut:
    item = selectors.item_get(item_id=item_id)
    return _item_out(item, selectors.item_counters([item])[item.pk])


# --- the customer's ------------------------------------------------------------------------------


class OfferOut(Schema):
    item_id: int
    sku_id: int
    product_id: int
    title: str
    spec: str
    image: str
    flash_price: MoneyOut
    normal_price: MoneyOut
    remaining: int
    limit: int = Field(..., description="Units one customer may hold or buy, across orders")
    starts_at: datetime
    ends_at: datetime
    running: bool


class AttemptIn(Schema):
    address_id: int
    idempotency_key: str = Field(
        ..., min_length=1, max_length=40, description="Made by the client once per attempt; a retry answers the same"
    )
    quantity: int = 1


class AttemptOut(Schema):
    order_number: str = Field(..., description="The order placed; pay it within the window")
    status: str = Field(..., description="held (awaiting payment), paid, released or failed")
    quantity: int
    pay_deadline: datetime | None


@shop_router.get("", response=list[OfferOut], auth=None, summary="Flash-sale items running now or later today")
@public
def offers(request: HttpRequest) -> list[OfferOut]:
    now = timezone.now()
    return [
        OfferOut(
            item_id=o.item_id,
            sku_id=o.sku_id,
            product_id=o.product_id,
            title=o.title,
            spec=o.spec_label,
            image=o.image,
            flash_price=money_out(o.price.fen),
            normal_price=money_out(o.normal_price.fen),
            remaining=o.remaining,
            limit=o.limit,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
            running=o.running(now),
        )
        for o in selectors.offers_today(now=now)
    ]


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@shop_router.post(
    "/{item_id}/attempts",
    response={201: AttemptOut, 200: AttemptOut},
    summary="Grab a flash-sale item (秒杀): 201 with the order to pay, 409 sold out / limit reached / not live, 429",
)
@customer_operation
def attempt(request: HttpRequest, item_id: int, payload: AttemptIn) -> Status[AttemptOut] | HttpResponse:
    me = _me(request)
    try:
        done = services.flash_attempt(
            item_id=item_id, customer=me, address_id=payload.address_id, idempotency_key=payload.idempotency_key,
            quantity=payload.quantity, actor=_actor(request),
        )  # fmt: skip
    except TooManyAttempts as exc:
        response = JsonResponse(exc.as_payload(), status=exc.status)  # the house error shape, plus Retry-After
        response["Retry-After"] = str(exc.retry_after_seconds)
        return response
    order = order_reads.order_for_customer(customer=me, number=done.order_number) if done.order_number else None
    body = AttemptOut(
        order_number=done.order_number,
        status=done.claim.status,
        quantity=done.claim.quantity,
        pay_deadline=order.pay_deadline if order is not None and order.status == "pending_payment" else None,
    )
    return Status(201 if done.created else 200, body)
