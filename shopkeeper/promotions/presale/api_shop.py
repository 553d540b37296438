"""The customer's presales at /api/v1/shop/presales: the running presales (anyone), paying the
deposit (the order is placed and its stock reserved) and, in its window, the balance.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from django.http import HttpRequest
from ninja import Router, Status

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import Conflict, NotFound
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.core.schemas import money_out
from shopkeeper.core.services import ActorContext
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.promotions.presale import selectors, services
from shopkeeper.promotions.presale.schemas import BalanceIn, DepositIn, PayOut, PresaleOut, presale_out

router = Router(tags=["shop: presales"])


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _pay_out(order: orders.Order, *, pay: str, amount_fen: int, pay_url: str) -> dict[str, object]:
    return {
        "order_number": order.number,
        "pay": pay,
        "amount": money_out(amount_fen),
        "pay_url": pay_url,
        "deposit": money_out(order.deposit_fen),
        "deposit_value": money_out(order.deposit_value_fen),
        "balance": money_out(order.balance_fen),
        "total": money_out(order.total_fen),
        "balance_due_from": order.balance_due_from,
        "balance_due_until": order.balance_due_until,
        "explanation": list(order.explanation),
    }


@router.get(
    "/presales", response=list[PresaleOut], auth=None, summary="Presales running now (deposit or balance window)"
)
@public
def shop_presale_list(request: HttpRequest) -> list[dict[str, object]]:
    return [presale_out(p) for p in selectors.presales_for_shop()]


@router.get("/presales/{presale_id}", response=PresaleOut, auth=None, summary="One presale")
@public
def shop_presale_get(request: HttpRequest, presale_id: int) -> dict[str, object]:
    presale = selectors.presale_get(presale_id)
    if presale is None or presale not in selectors.presales_for_shop():
        raise NotFound("No such presale", details={"presale_id": presale_id})
    return presale_out(presale)


@router.post(
    "/presales/{presale_id}/deposit",
    response={201: PayOut},
    auth=CustomerSessionAuth(),
    summary="Place the presale order (stock reserved) and start paying its deposit",
)
@customer_operation
def shop_presale_deposit(request: HttpRequest, presale_id: int, payload: DepositIn) -> Status[dict[str, object]]:
    order = services.presale_deposit_place(
        presale_id=presale_id,
        customer=_me(request),
        quantity=payload.quantity,
        address_id=payload.address_id,
        idempotency_key=payload.idempotency_key,
        actor=ActorContext.from_request(request, AuditChannel.API),
    )
    pay_url, amount = services.presale_pay_start(order=order, return_url=payload.return_url)
    return Status(201, _pay_out(order, pay="deposit", amount_fen=amount.fen, pay_url=pay_url))


@router.post(
    "/presales/orders/{number}/balance",
    response=PayOut,
    auth=CustomerSessionAuth(),
    summary="Start paying the balance of my presale order (in the balance window)",
)
@customer_operation
def shop_presale_balance(request: HttpRequest, number: str, payload: BalanceIn) -> dict[str, object]:
    order = order_reads.order_for_customer(customer=_me(request), number=number)
    if order is None or order.kind != "presale":
        raise NotFound("No such presale order", details={"number": number})
    if order.deposit_paid_at is None:
        raise Conflict("Pay the deposit first", details={"number": number})
    pay_url, amount = services.presale_pay_start(order=order, return_url=payload.return_url)
    return _pay_out(order, pay="balance", amount_fen=amount.fen, pay_url=pay_url)
