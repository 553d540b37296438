"""Presale reads for the shop, the console and the API: presales with their phase, their live
counters (one aggregate query for any number of presales), and a presale order's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from shopkeeper.catalog.enums import ProductStatus
from shopkeeper.core.domain.money import Money
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.promotions.presale.domain.terms import Phase, effective_price, phase_at
from shopkeeper.promotions.presale.enums import PresaleStatus
from shopkeeper.promotions.presale.models import Presale, PresaleOrder, PresaleReminder


@dataclass(frozen=True)
class Counters:
    orders: int
    deposits_paid: int
    balances_paid: int
    deposits_forfeited: int
    awaiting_balance: int
    units_reserved: int  # units of orders still open or paid
    revenue_fen: int  # paid − refunded, over its orders

    @property
    def revenue(self) -> Money:
        return Money(self.revenue_fen)


EMPTY = Counters(0, 0, 0, 0, 0, 0, 0)


def presale_get(presale_id: int) -> Presale | None:
    return Presale.objects.select_related("sku", "sku__product").filter(pk=presale_id).first()


def presale_list() -> QuerySet[Presale]:
    return Presale.objects.select_related("sku", "sku__product")


def presales_for_shop(*, now: datetime | None = None) -> list[Presale]:
    """Active presales whose balance window has not closed, soonest deadline first."""
    now = now or timezone.now()
    return list(
        Presale.objects.filter(
            status=PresaleStatus.ACTIVE, balance_ends_at__gt=now, sku__product__status=ProductStatus.LISTED
        )
        .select_related("sku", "sku__product")
        .order_by("presale_ends_at", "pk")
    )


def presale_for_product(product_id: int, *, now: datetime | None = None) -> Presale | None:
    """The presale a product page shows: taking deposits now, or about to."""
    now = now or timezone.now()
    return (
        Presale.objects.filter(status=PresaleStatus.ACTIVE, sku__product_id=product_id, presale_ends_at__gt=now)
        .select_related("sku")
        .order_by("presale_starts_at", "pk")
        .first()
    )


def presale_phase(presale: Presale, *, now: datetime | None = None) -> Phase:
    return phase_at(presale.terms, now or timezone.now())


def presale_unit_price(presale: Presale) -> Money:
    """What one unit costs the customer in all (deposit + balance, before shipping)."""
    return effective_price(presale.terms)


def presale_counters(presale_ids: list[int]) -> dict[int, Counters]:
    """Live counters per presale, in one query."""
    if not presale_ids:
        return {}
    open_or_paid = ~Q(order__status__in=[OrderStatus.CANCELLED, OrderStatus.CLOSED])
    rows = (
        PresaleOrder.objects.filter(presale_id__in=presale_ids)
        .values("presale_id")
        .annotate(
            orders=Count("pk"),
            deposits_paid=Count("pk", filter=Q(order__deposit_paid_at__isnull=False)),
            balances_paid=Count("pk", filter=Q(order__paid_at__isnull=False)),
            forfeited=Count("pk", filter=Q(order__deposit_forfeited_at__isnull=False)),
            awaiting=Count(
                "pk",
                filter=Q(order__deposit_paid_at__isnull=False, order__status=OrderStatus.PENDING_PAYMENT),
            ),
            units=Sum("quantity", filter=open_or_paid),
            revenue=Sum(F("order__paid_fen") - F("order__refunded_fen")),
        )
    )
    found = {
        row["presale_id"]: Counters(
            orders=row["orders"],
            deposits_paid=row["deposits_paid"],
            balances_paid=row["balances_paid"],
            deposits_forfeited=row["forfeited"],
            awaiting_balance=row["awaiting"],
            units_reserved=row["units"] or 0,
            revenue_fen=row["revenue"] or 0,
        )
        for row in rows
    }
    return {pk: found.get(pk, EMPTY) for pk in presale_ids}


def presale_order_of(order_id: int) -> PresaleOrder | None:
    return PresaleOrder.objects.select_related("presale").filter(order_id=order_id).first()


def presale_orders(presale_id: int, *, limit: int = 50) -> list[PresaleOrder]:
    return list(
        PresaleOrder.objects.filter(presale_id=presale_id)
        .select_related("order", "customer")
        .order_by("-created_at", "-pk")[:limit]
    )


def reminders_of(presale_order_id: int) -> list[PresaleReminder]:
    return list(PresaleReminder.objects.filter(presale_order_id=presale_order_id).order_by("created_at", "pk"))


__all__ = [
    "Counters",
    "presale_counters",
    "presale_for_product",
    "presale_get",
    "presale_list",
    "presale_order_of",
    "presale_orders",
    "presale_phase",
    "presale_unit_price",
    "presales_for_shop",
    "reminders_of",
]
