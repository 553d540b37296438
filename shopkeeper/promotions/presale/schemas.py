"""Presale API shapes (amounts as MoneyOut: exact fen and yuan text).

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from ninja import Field, Schema

from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.promotions.presale import selectors
from shopkeeper.promotions.presale.models import Presale


class PresaleOut(Schema):
    id: int
    name: str
    sku_id: int
    product_id: int
    title: str
    status: str
    phase: str = Field(..., description="upcoming, deposit, waiting, balance or ended (now)")
    final_price: MoneyOut = Field(..., description="The presale price (预售价)")
    deposit: MoneyOut
    deposit_value: MoneyOut = Field(..., description="What the deposit counts as (¥50 抵 ¥100)")
    unit_price: MoneyOut = Field(..., description="What one unit costs in all: deposit + balance")
    presale_starts_at: datetime
    presale_ends_at: datetime
    balance_starts_at: datetime
    balance_ends_at: datetime
    limit_per_customer: int


class CountersOut(Schema):
    orders: int
    deposits_paid: int
    balances_paid: int
    deposits_forfeited: int
    awaiting_balance: int
    units_reserved: int
    revenue: MoneyOut


class PresaleDetailOut(PresaleOut):
    min_margin_percent: int | None
    min_price: MoneyOut | None
    counters: CountersOut


class PresaleIn(Schema):
    name: str
    sku_id: int
    final_price_fen: int
    deposit_fen: int
    deposit_value_fen: int
    presale_starts_at: datetime
    presale_ends_at: datetime
    balance_starts_at: datetime
    balance_ends_at: datetime
    limit_per_customer: int = 1
    min_margin_percent: int | None = None
    min_price_fen: int | None = None


class DepositIn(Schema):
    quantity: int = 1
    address_id: int
    idempotency_key: str = Field(..., description="1–64 characters; the same key answers the same order")
    return_url: str = Field(..., description="Where the cashier sends the customer back")


class BalanceIn(Schema):
    return_url: str


class PayOut(Schema):
    order_number: str
    pay: str = Field(..., description="deposit or balance")
    amount: MoneyOut
    pay_url: str
    deposit: MoneyOut
    deposit_value: MoneyOut
    balance: MoneyOut
    total: MoneyOut
    balance_due_from: datetime | None
    balance_due_until: datetime | None
    explanation: list[str]


def presale_out(presale: Presale) -> dict[str, object]:
    return {
        "id": presale.pk,
        "name": presale.name,
        "sku_id": presale.sku_id,
        "product_id": presale.sku.product_id,
        "title": presale.sku.product.title,
        "status": presale.status,
        "phase": selectors.presale_phase(presale).value,
        "final_price": money_out(presale.final_price_fen),
        "deposit": money_out(presale.deposit_fen),
        "deposit_value": money_out(presale.deposit_value_fen),
        "unit_price": money_out(selectors.presale_unit_price(presale).fen),
        "presale_starts_at": presale.presale_starts_at,
        "presale_ends_at": presale.presale_ends_at,
        "balance_starts_at": presale.balance_starts_at,
        "balance_ends_at": presale.balance_ends_at,
        "limit_per_customer": presale.limit_per_customer,
    }


def detail_out(presale: Presale) -> dict[str, object]:
    counters = selectors.presale_counters([presale.pk])[presale.pk]
    return {
        **presale_out(presale),
        "min_margin_percent": presale.min_margin_percent,
        "min_price": money_out(presale.min_price_fen) if presale.min_price_fen is not None else None,
        "counters": {
            "orders": counters.orders,
            "deposits_paid": counters.deposits_paid,
            "balances_paid": counters.balances_paid,
            "deposits_forfeited": counters.deposits_forfeited,
            "awaiting_balance": counters.awaiting_balance,
            "units_reserved": counters.units_reserved,
            "revenue": money_out(counters.revenue_fen),
        },
    }
