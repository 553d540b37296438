"""Reads on orders for the storefront, the console, the API and exports."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Mod
from django.utils import timezone

from shopkeeper.core.models import User
from shopkeeper.orders.enums import OrderStatus, RefundStatus
from shopkeeper.orders.models import Order, OrderEvent, OrderLine, OrderRefund

EXPORT_BATCH = 2000


def orders_of_customer(customer: User) -> QuerySet[Order]:
    return Order.objects.filter(customer=customer).prefetch_related("lines").order_by("-placed_at", "-id")


def order_for_customer(*, customer: User, number: str) -> Order | None:
    return Order.objects.filter(customer=customer, number=number).prefetch_related("lines", "events", "refunds").first()


def order_for_staff(*, number: str) -> Order | None:
    return (
        Order.objects.filter(number=number)
        .select_related("customer")
        .prefetch_related("lines", "events__actor", "refunds")
        .first()
    )


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    placed_from: date | None = None
    placed_to: date | None = None
    channel: str = ""
    region: str = ""
    province: str = ""
    min_total_fen: int | None = None
    max_total_fen: int | None = None
    q: str = ""  # order number, recipient or mobile


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def order_list_staff(filters: OrderFilters) -> QuerySet[Order]:
    """Orders newest first, each with its `line_count`. The count is a subquery per order, so a
    page of 50 counts the lines of 50 orders: joining every line and grouping (`Count("lines")`)
    made the database aggregate the whole table before it could sort, 5 s at a million orders."""
    lines = OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(n=Count("pk"))
    queryset = Order.objects.select_related("customer").annotate(
        line_count=Coalesce(Subquery(lines.values("n")[:1]), 0)
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.placed_from:
        queryset = queryset.filter(placed_at__gte=_day_start(filters.placed_from))
    if filters.placed_to:
        queryset = queryset.filter(placed_at__lt=_day_start(filters.placed_to + timedelta(days=1)))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.province:
        queryset = queryset.filter(province=filters.province)
    if filters.min_total_fen is not None:
        queryset = queryset.filter(total_fen__gte=filters.min_total_fen)
    if filters.max_total_fen is not None:
        queryset = queryset.filter(total_fen__lte=filters.max_total_fen)
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(Q(number=term) | Q(recipient=term) | Q(mobile=term))
    return queryset.order_by("-placed_at", "-id")


def order_channels() -> list[str]:
    """The channels orders came through, in order, for the list's filter. A plain DISTINCT reads
    every order (0.4 s at a million); this walks the channel index instead, one step per channel
    (each the smallest channel after the one before: a "loose index scan", 0.3 ms)."""
    table = connection.ops.quote_name(Order._meta.db_table)
    column = connection.ops.quote_name(Order._meta.get_field("channel").column)
    # only the model's own table and column names go into the text, quoted: no input reaches it
    sql = (
        f"WITH RECURSIVE seen(channel) AS ("  # noqa: S608
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > seen.channel) FROM seen"
        f" WHERE seen.channel IS NOT NULL"
        f") SELECT channel FROM seen WHERE channel IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def orders_for_export(filters: OrderFilters) -> Iterator[tuple[Order, list[OrderLine]]]:
    """Orders with their lines, in batches, for CSV/XLSX export (memory stays flat)."""
    queryset = order_list_staff(filters)
    last: tuple[datetime, int] | None = None
    while True:
        batch_qs = queryset
        if last is not None:
            batch_qs = batch_qs.filter(Q(placed_at__lt=last[0]) | Q(placed_at=last[0], pk__lt=last[1]))
        batch = list(batch_qs.prefetch_related("lines")[:EXPORT_BATCH])
        if not batch:
            return
        for order in batch:
            yield order, list(order.lines.all())
        last = (batch[-1].placed_at, batch[-1].pk)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def order_status_counts() -> list[StatusCount]:
    counts = dict(Order.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [
        StatusCount(status=value, label=str(label), count=counts.get(value, 0)) for value, label in OrderStatus.choices
    ]


@dataclass(frozen=True)
class LineDelivery:
    """One of a customer's order lines and when it reached them (None: not delivered yet)."""

    line: OrderLine
    order: Order
    delivered_at: datetime | None

    @property
    def review_key(self) -> str:
        return f"order-line:{self.line.pk}"


def line_delivery(*, customer: User, number: str, line_id: int) -> LineDelivery | None:
    line = (
        OrderLine.objects.select_related("order")
        .filter(pk=line_id, order__number=number, order__customer=customer)
        .first()
    )
    if line is None:
        return None
    delivered = (
        OrderEvent.objects.filter(order_id=line.order_id, kind="deliver")
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if delivered is None and line.order.status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
        delivered = line.order.placed_at
    return LineDelivery(line=line, order=line.order, delivered_at=delivered)


def pending_refund_by_line(refunds: Iterable[OrderRefund]) -> dict[int, int]:
    """Fen asked back per order line and not yet confirmed by the gateway (line 0: shipping).

    Such amounts are held on the line: what is left to refund is its paid share less refunds made
    and refunds under way.
    """
    pending: dict[int, int] = {}
    for refund in refunds:
        if refund.status == RefundStatus.PENDING:
            for part in refund.lines:
                pending[int(part["line_id"])] = pending.get(int(part["line_id"]), 0) + int(part["amount_fen"])
    return pending


# --- fulfilment reads ---


def order_for_fulfilment(*, order_id: int) -> Order | None:
    """The order with its lines, to open shipments from (one query for each)."""
    return Order.objects.filter(pk=order_id).prefetch_related("lines").first()


def orders_count_in(*, statuses: Iterable[str]) -> int:
    """How many orders are in these statuses (the demo's progress bars)."""
    return Order.objects.filter(status__in=list(statuses)).count()


def orders_for_fulfilment(*, statuses: Iterable[str], after_id: int = 0, limit: int = 2000) -> list[Order]:
    """A batch of orders in these statuses with their lines, in id order after `after_id` (the
    demo opens their shipments batch by batch)."""
    queryset = Order.objects.filter(status__in=list(statuses), pk__gt=after_id).prefetch_related("lines")
    return list(queryset.order_by("pk")[:limit])


def order_timeline_times(*, order_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], datetime]:
    """When each order first took each step of its timeline (e.g. "ship", "deliver")."""
    rows = (
        OrderEvent.objects.filter(order_id__in=list(order_ids), kind__in=list(kinds))
        .order_by("order_id", "kind", "created_at")
        .values_list("order_id", "kind", "created_at")
    )
    found: dict[tuple[int, str], datetime] = {}
    for order_id, kind, created_at in rows:
        found.setdefault((order_id, kind), created_at)
    return found


# --- coupons reads ---


def customer_has_paid_order(*, customer_id: int) -> bool:
    """Whether the customer ever paid for an order (a first-order coupon is for those who never did)."""
    return Order.objects.filter(customer_id=customer_id, paid_at__isnull=False).exists()


# --- customers reads (membership tiers from spend) ---


def customer_spend() -> QuerySet[Order, dict[str, Any]]:
    """What each customer spent: one row per customer with `customer_id` and `spent` (fen): what
    they paid less what was refunded to them. A values queryset, so a bulk update can take it as
    a subquery (customers.services.customers_tiers_from_spend)."""
    return (
        Order.objects.filter(paid_fen__gt=0)
        .values("customer_id")
        .annotate(spent=Sum(F("paid_fen") - F("refunded_fen")))
        .order_by()
    )


def customer_spent(customer_id: int) -> int:
    """What one customer spent in fen, as `customer_spend` counts it (one query)."""
    rows = list(customer_spend().filter(customer_id=customer_id)[:1])
    return int(rows[0]["spent"] or 0) if rows else 0


# --- promotions reads ---


def order_line_ids(order_id: int) -> dict[int, int]:
    """The order's line ids by position (the index of the line in the priced cart it came from)."""
    return dict(OrderLine.objects.filter(order_id=order_id).values_list("position", "pk"))


@dataclass(frozen=True)
class PastLine:
    sku_id: int
    sku_code: str
    title: str
    unit_price_fen: int
    quantity: int


@dataclass(frozen=True)
class PastOrder:
    order_id: int
    placed_at: datetime
    region: str
    lines: tuple[PastLine, ...]


PAST_ORDERS_LIMIT = 50_000  # the most orders one replay reads (a web request's worth)


@dataclass(frozen=True)
class PastOrders:
    """The orders of a period to replay: all of them, or an even sample when there are more than
    the limit (`every` > 1: every `every`-th order by id, spread over the whole period)."""

    orders: list[PastOrder]
    in_period: int  # orders placed in the period
    every: int  # 1: all of them


def past_orders(*, since: datetime, until: datetime, limit: int | None = None) -> PastOrders:
    """Orders placed in a period (cancelled ones too: they were carts) with their lines at list
    price, for replaying through proposed promotions (batched queries). Past `limit` orders an
    even sample is taken across the period, never its first days only."""
    limit = PAST_ORDERS_LIMIT if limit is None else limit
    period = Order.objects.filter(placed_at__gte=since, placed_at__lt=until)
    in_period = period.count()
    every = max(1, -(-in_period // limit)) if limit > 0 else 1
    if every > 1:
        period = period.alias(bucket=Mod("pk", every)).filter(bucket=0)
    heads = list(period.order_by("placed_at", "pk").values_list("pk", "placed_at", "region")[:limit])
    lines: dict[int, list[PastLine]] = {}
    ids = [pk for pk, _placed, _region in heads]
    for start in range(0, len(ids), 5000):
        rows = (
            OrderLine.objects.filter(order_id__in=ids[start : start + 5000], sku_id__isnull=False, unit_price_fen__gt=0)
            .order_by("order_id", "position")
            .values_list("order_id", "sku_id", "sku_code", "title", "unit_price_fen", "quantity")
        )
        for order_id, sku_id, code, title, price, quantity in rows:
            lines.setdefault(order_id, []).append(PastLine(sku_id, code, title, price, quantity))
    found = [
        PastOrder(order_id=pk, placed_at=placed, region=region, lines=tuple(lines[pk]))
        for pk, placed, region in heads
        if pk in lines
    ]
    return PastOrders(orders=found, in_period=in_period, every=every)
