"""Flash-sale reads for the console, the API and the storefront: sales with their sessions and
items, live counters, the flash offer on a product page and the day's listing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from shopkeeper.catalog import selectors as catalog
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound
from shopkeeper.promotions.flash import gate
from shopkeeper.promotions.flash.enums import ClaimStatus, SaleStatus
from shopkeeper.promotions.flash.models import FlashAttemptCount, FlashClaim, FlashItem, FlashSale, FlashSession

logger = logging.getLogger(__name__)


def sale_list() -> QuerySet[FlashSale]:
    return FlashSale.objects.annotate(
        session_count=Count("sessions", distinct=True), item_count=Count("sessions__items", distinct=True)
    ).order_by("-created_at", "-id")


def sale_get(*, sale_id: int) -> FlashSale:
    """A sale with its sessions and their items loaded (3 queries)."""
    items = FlashItem.objects.select_related("sku__product").order_by("position", "pk")
    sale = (
        FlashSale.objects.prefetch_related(
            Prefetch("sessions", queryset=FlashSession.objects.prefetch_related(Prefetch("items", queryset=items)))
        )
        .filter(pk=sale_id)
        .first()
    )
    if sale is None:
        raise NotFound("No such flash sale.", details={"sale_id": sale_id})
    return sale


def item_get(*, item_id: int) -> FlashItem:
    item = FlashItem.objects.select_related("session__sale").filter(pk=item_id).first()
    if item is None:
        raise NotFound("No such flash-sale item.", details={"item_id": item_id})
    return item


@dataclass(frozen=True)
class Counters:
    attempts: int  # attempts that reached the gate
    admitted: int  # claims made (every status)
    held: int  # orders placed, awaiting payment
    paid: int
    released: int  # given back: cancelled or unpaid in time
    sold: int  # units taken now (held + paid + pending)
    pool: int
    gate_left: int | None  # what the Redis gate shows left (None without Redis or not seeded)
    in_stock_pool: int = 0  # units reserved in inventory for the pool now: pool − held − paid while set aside

    @property
    def remaining(self) -> int:
        return max(self.pool - self.sold, 0)


def item_counters(items: Iterable[FlashItem]) -> dict[int, Counters]:
    """Live counters per item: two queries, plus one Redis round trip when configured."""
    by_id = {item.pk: item for item in items}
    if not by_id:
        return {}
    ids = list(by_id)
    claims: dict[int, dict[str, int]] = {}
    for item_id, status, units, count in (
        FlashClaim.objects.filter(item_id__in=ids)
        .values("item_id", "status")
        .annotate(units=Sum("quantity"), count=Count("pk"))
        .values_list("item_id", "status", "units", "count")
    ):
        claims.setdefault(item_id, {})[status] = int(units or 0)
        claims[item_id]["_count"] = claims[item_id].get("_count", 0) + int(count)
    attempts = dict(
        FlashAttemptCount.objects.filter(item_id__in=ids)
        .values("item_id")
        .annotate(total=Sum("attempts"))
        .order_by()
        .values_list("item_id", "total")
    )
    live: dict[int, gate.Live] = {}
    if gate.enabled():
        try:
            live = gate.live(ids)
        except redis.RedisError:
            logger.warning("flash counters: Redis unavailable", exc_info=True)
    found: dict[int, Counters] = {}
    for item_id, item in by_id.items():
        mine = claims.get(item_id, {})
        in_redis = live.get(item_id)
        found[item_id] = Counters(
            attempts=(in_redis.attempts if in_redis else 0) + int(attempts.get(item_id) or 0),
            admitted=mine.get("_count", 0),
            held=mine.get(ClaimStatus.HELD, 0),
            paid=mine.get(ClaimStatus.PAID, 0),
            released=mine.get(ClaimStatus.RELEASED, 0),
            sold=item.sold,
            pool=item.pool,
            gate_left=in_redis.left if in_redis else None,
            in_stock_pool=(
                max(item.pool - mine.get(ClaimStatus.HELD, 0) - mine.get(ClaimStatus.PAID, 0), 0)
                if item.pool_reserved
                else 0
            ),
        )
    return found


def claims_of_item(*, item_id: int, limit: int = 50) -> list[FlashClaim]:
    return list(FlashClaim.objects.filter(item_id=item_id).select_related("customer").order_by("-created_at")[:limit])


# --- storefront -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """A flash-sale item as a shopper sees it."""

    item_id: int
    sku_id: int
    product_id: int
    title: str
    spec_label: str
    image: str
    price: Money
    normal_price: Money
    pool: int
    remaining: int
    limit: int
    starts_at: datetime
    ends_at: datetime
    sale_name: str

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    @property
    def percent_off(self) -> int:
        if not self.normal_price.fen:
            return 0
        return round(100 * (self.normal_price.fen - self.price.fen) / self.normal_price.fen)


def _offers(items: QuerySet[FlashItem]) -> list[Offer]:
    rows = list(items.select_related("session__sale").order_by("session__starts_at", "position", "pk"))
    skus = catalog.sale_skus(item.sku_id for item in rows)
    offers: list[Offer] = []
    for item in rows:
        sku = skus.get(item.sku_id)
        if sku is None or not sku.on_sale:
            continue
        offers.append(
            Offer(
                item_id=item.pk,
                sku_id=item.sku_id,
                product_id=sku.product_id,
                title=sku.title,
                spec_label=sku.spec_label,
                image=sku.image,
                price=Money(item.sale_price_fen),
                normal_price=Money(sku.sale_price_fen),
                pool=item.pool,
                remaining=item.remaining,
                limit=item.per_customer_limit,
                starts_at=item.session.starts_at,
                ends_at=item.session.ends_at,
                sale_name=item.session.sale.name,
            )
        )
    return offers


def _today_end(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def offers_today(*, now: datetime | None = None) -> list[Offer]:
    """Live sales' items running now or starting later today (Shanghai time), soonest first."""
    now = now or timezone.now()
    return _offers(
        FlashItem.objects.filter(
            session__sale__status=SaleStatus.LIVE, session__ends_at__gt=now, session__starts_at__lt=_today_end(now)
        )
    )


def product_offers(*, sku_ids: Iterable[int], now: datetime | None = None) -> list[Offer]:
    """The flash offers on a product page: its SKUs' items running now or later today (1 query when
    there is none, 3 when there are)."""
    now = now or timezone.now()
    ids = list(sku_ids)
    if not ids:
        return []
    return _offers(
        FlashItem.objects.filter(
            Q(sku_id__in=ids),
            session__sale__status=SaleStatus.LIVE,
            session__ends_at__gt=now,
            session__starts_at__lt=_today_end(now),
        )
    )


def claim_for_customer(*, customer_id: int, item_id: int) -> FlashClaim | None:
    """The customer's latest claim on an item that still counts (to link to its order)."""
    return (
        FlashClaim.objects.filter(
            customer_id=customer_id, item_id=item_id, status__in=(ClaimStatus.HELD, ClaimStatus.PAID)
        )
        .order_by("-created_at")
        .first()
    )
