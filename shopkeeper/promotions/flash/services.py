"""Flash-sale writes: sales, sessions and items (validated on save), each item's pool of stock,
the grab (秒杀) itself, and giving units back when an order is not placed, cancelled or left unpaid.

**The pool is set aside in inventory.** While a sale is published (live or paused), each item of a
session that has not ended holds its pool — minus the units already under orders — as a
reservation under `flash:item:<id>` (`FlashItem.pool_reference`), spread over the warehouses in
proportion to their available stock. It is set aside when the sale goes live or paused, or when an
item is saved into a published sale; raising a pool sets more aside, lowering it gives the
difference back; publishing or saving is refused with the SKUs' figures when stock is short, and
nothing changes. It is given back, with a ledger row naming the sale, when the session ends
(`flash_pools_release_ended`, every minute from beat), the item is removed, or the sale goes back to
draft. Normal checkouts see only available stock, so they can never take pool units.

How a grab runs (`flash_attempt`):

1. Rate limits per customer and per address (Redis when configured, else the Django cache).
2. The gate. With Redis, one Lua script checks the customer's limit and the pool and takes the
   units; attempts it refuses never touch the database. Without Redis, a refusal is answered
   from the item row just read.
3. The record, in one short transaction: a `FlashClaim` row (unique per customer and
   idempotency key), the customer's `FlashQuota` (`taken = taken + n WHERE taken + n <= limit`)
   and the item (`sold = sold + n WHERE sold + n <= pool`). These conditional updates run in
   both modes, so the database alone guarantees the pool is never oversold and the limit never
   exceeded; Redis only keeps the crowd away from those rows. When the database refuses what
   Redis admitted, Redis is corrected from the database.
4. The order: `checkout_buy_now(reserve_from=item.pool_reference)` at the flash price with the
   item's payment window: its units *move* from the pool's reservation to the order's, in the same
   stock line (`stock_reservation_transfer`: reserved and available do not change), from the
   warehouse the order's routing prefers among those holding pool units (the one serving the
   province, else the nearest region's), else any pool line that ships there. The claim is linked
   to the order in the same transaction. If the order cannot be placed (no pool warehouse ships
   there) the units go back to the counters at once; the pool's reservation is untouched.

Units come back (pool and the customer's count) when the order is cancelled — by the customer,
staff, or the orders worker when the payment window runs out — through `OrderCancelled`; the
handler is idempotent (only a held claim turns released). While the session runs and the pool is
held, the order's released units go straight back under the pool's reference on the same lines
(`stock_reservation_return`, in the cancel's transaction), so nobody else can take them between.

Who may change what (`_refuse_locked_item`): a draft sale's sessions and items can be changed
freely at any time before the session ends (nothing is set aside yet). In a published sale, items
of a session that has not started can be added, changed and removed; once the session runs, only
its items' pools can change (raised: more set aside, refused if stock is short; lowered: not below
the units taken), and the Redis copy moves by the same difference. An ended session's items do not
change.

Lock order, every path: the sale → the session → stock lines (primary-key order, inside
inventory) → claim → quota → item. A cancel enters at the order and its stock lines.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.checkout import services as checkout
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.inventory import selectors as inventory
from shopkeeper.inventory import services as stock
from shopkeeper.inventory.errors import OutOfStock
from shopkeeper.orders.enums import OrderKind
from shopkeeper.orders.events import OrderCancelled, OrderPaid
from shopkeeper.promotions.flash import gate
from shopkeeper.promotions.flash.domain.rules import (
    ItemFigures,
    Problem,
    Window,
    item_problems,
    overlapping,
    window_problems,
)
from shopkeeper.promotions.flash.enums import DEFAULT_PAY_WINDOW_MINUTES, ClaimStatus, SaleStatus
from shopkeeper.promotions.flash.errors import LimitReached, NotLive, SoldOut, TooManyAttempts
from shopkeeper.promotions.flash.models import (
    FlashAttemptCount,
    FlashClaim,
    FlashItem,
    FlashQuota,
    FlashSale,
    FlashSession,
    pool_reference,
)

logger = logging.getLogger(__name__)

ATTEMPT_SHARDS = 16
PENDING_TIMEOUT = timedelta(minutes=5)  # a claim still pending this long lost its process
SEED_LEAD = timedelta(minutes=15)  # sessions starting this soon are seeded into Redis


def _messages() -> dict[str, str]:
    return {
        "ends_before_start": _("The session must end after it starts."),
        "limit_not_positive": _("The limit per customer must be at least 1."),
        "limit_too_high": _("The limit per customer can be at most 99."),
        "pool_not_positive": _("The units for the sale must be at least 1."),
        "pool_below_sold": _("The units for the sale cannot be fewer than the units already taken."),
        "pool_above_stock": _("The units for the sale are more than the SKU's available stock."),
        "price_not_positive": _("The flash price must be more than ¥0.00."),
        "price_not_below_normal": _("The flash price must be below the normal price."),
        "price_below_floor": _("The flash price is below the margin floor (cost plus the minimum margin)."),
        "pay_window_out_of_range": _("The payment window is 1 to 120 minutes."),
    }


def _refuse(problems: list[Problem], extra: dict[str, Any] | None = None) -> None:
    if not problems:
        return
    said = _messages()
    fields = {problem.field: said[problem.code] for problem in problems}
    raise ValidationFailed(" ".join(fields.values()), details={"fields": fields, **(extra or {})})


# --- sales and sessions ---------------------------------------------------------------------------

# A sale in these statuses is published: its items' pools are set aside in stock.
PUBLISHED = (SaleStatus.LIVE, SaleStatus.PAUSED)


def _sale_snapshot(sale: FlashSale) -> dict[str, Any]:
    return {"name": sale.name, "status": sale.status}


def flash_sale_save(*, actor: ActorContext, name: str, sale_id: int | None = None) -> FlashSale:
    name = name.strip()
    if not name or len(name) > 80:
        raise ValidationFailed(
            _("A flash sale needs a name of 1–80 characters."), details={"fields": {"name": "invalid"}}
        )
    with transaction.atomic():
        if sale_id is None:
            sale = FlashSale.objects.create(name=name)
            audit_record(actor=actor, action="flash.sale_create", target=sale, after=_sale_snapshot(sale))
            return sale
        sale = _locked_sale(sale_id)
        before = _sale_snapshot(sale)
        sale.name = name
        sale.save(update_fields=["name", "updated_at"])
        audit_record(actor=actor, action="flash.sale_update", target=sale, before=before, after=_sale_snapshot(sale))
        return sale


def _locked_sale(sale_id: int) -> FlashSale:
    sale = FlashSale.objects.select_for_update().filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("No such flash sale."), details={"sale_id": sale_id})
    return sale


def flash_sale_set_status(*, actor: ActorContext, sale_id: int, status: str, now: datetime | None = None) -> FlashSale:
    """Put a sale live (its sessions run at their times), pause it, or take it back to draft.

    Going live or paused sets aside the pool of every item whose session has not ended (refused,
    with each short SKU's figures and nothing changed, when stock cannot cover them); back to
    draft gives every pool back to normal stock."""
    if status not in SaleStatus.values:
        raise ValidationFailed(_("Unknown status."), details={"fields": {"status": status}})
    now = now or timezone.now()
    with transaction.atomic():
        sale = _locked_sale(sale_id)
        before = _sale_snapshot(sale)
        if status == SaleStatus.LIVE and not FlashItem.objects.filter(session__sale=sale).exists():
            raise ValidationFailed(
                _("A flash sale goes live with at least one item in a session."),
                details={"fields": {"status": "no_items"}},
            )
        if status in PUBLISHED:
            pools = _pools_set_aside_for_sale(sale, actor=actor, now=now)
        elif sale.status in PUBLISHED:
            pools = -_pools_give_back(
                list(FlashItem.objects.filter(session__sale=sale, pool_reserved=True)),
                actor=actor,
                reason=_("Flash sale “%(sale)s” back to draft: its units back on normal sale") % {"sale": sale.name},
            )
        else:
            pools = 0
        sale.status = status
        sale.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action="flash.sale_status", target=sale, before=before,
            after={**_sale_snapshot(sale), "pool_units_moved": pools},
        )  # fmt: skip
    if status == SaleStatus.LIVE:
        # Forced: whatever Redis kept from before (a pause, a draft's changes) gives way to the record.
        transaction.on_commit(lambda: flash_gate_seed(sale_id=sale_id, force=True))
    return sale


def _session_has_started(session: FlashSession, now: datetime) -> bool:
    return session.starts_at <= now


def _session_has_ended(session: FlashSession, now: datetime) -> bool:
    return session.ends_at <= now


def flash_session_save(
    *,
    actor: ActorContext,
    sale_id: int,
    starts_at: datetime,
    ends_at: datetime,
    session_id: int | None = None,
    now: datetime | None = None,
) -> FlashSession:
    """Add a session to a sale or move one: any session of a draft sale, or one of a published
    sale that has not started. Its items' SKUs may not be on sale in another session at an
    overlapping time."""
    now = now or timezone.now()
    window = Window(starts_at, ends_at)
    _refuse(window_problems(window))
    with transaction.atomic():
        sale = _locked_sale(sale_id)
        if session_id is None:
            session = FlashSession(sale=sale, starts_at=starts_at, ends_at=ends_at)
            before: dict[str, Any] = {}
        else:
            found = FlashSession.objects.select_for_update().filter(pk=session_id, sale=sale).first()
            if found is None:
                raise NotFound(_("No such session."), details={"session_id": session_id})
            session = found
            if sale.status in PUBLISHED and _session_has_started(session, now):
                raise Conflict(
                    _("This session has started: its times can no longer change. Pause the sale instead."),
                    details={"session_id": session.pk},
                )
            before = {"starts_at": session.starts_at, "ends_at": session.ends_at}
            for sku_id in session.items.values_list("sku_id", flat=True):
                _refuse_overlap(sku_id=sku_id, window=window, session_id=session.pk)
            session.starts_at, session.ends_at = starts_at, ends_at
        session.save()
        audit_record(
            actor=actor,
            action="flash.session_save",
            target=session,
            object_label=f"{sale.name} {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
            before=before,
            after={"starts_at": starts_at, "ends_at": ends_at},
        )
    return session


def _refuse_overlap(*, sku_id: int, window: Window, session_id: int | None) -> None:
    others = FlashItem.objects.filter(sku_id=sku_id).select_related("session__sale")
    if session_id is not None:
        others = others.exclude(session_id=session_id)
    windows = {Window(item.session.starts_at, item.session.ends_at): item for item in others}
    clash = overlapping(window, windows)
    if clash:
        other = windows[clash[0]]
        raise ValidationFailed(
            _("This SKU is already in a flash-sale session at an overlapping time (%(sale)s, %(start)s–%(end)s).")
            % {
                "sale": other.session.sale.name,
                "start": f"{timezone.localtime(other.session.starts_at):%m-%d %H:%M}",
                "end": f"{timezone.localtime(other.session.ends_at):%m-%d %H:%M}",
            },
            details={"fields": {"sku_id": "overlapping_session"}, "session_id": other.session_id},
        )


# --- pools in stock -------------------------------------------------------------------------------


def _under_orders(item_ids: list[int]) -> dict[int, int]:
    """Units of held and paid claims per item: what has left the pool for orders (one query)."""
    if not item_ids:
        return {}
    return dict(
        FlashClaim.objects.filter(item_id__in=item_ids, status__in=(ClaimStatus.HELD, ClaimStatus.PAID))
        .values("item_id")
        .annotate(units=Sum("quantity"))
        .order_by()
        .values_list("item_id", "units")
    )


def _short_of_stock(short: OutOfStock, *, field: str, items: list[FlashItem]) -> ValidationFailed:
    """Inventory's refusal in the flash sale's words: each short SKU by code, with its figures."""
    rows = [row for row in short.details.get("skus", []) if isinstance(row, dict)]
    codes = catalog.promo_skus([int(row["sku_id"]) for row in rows])
    items_of: dict[int, list[int]] = {}
    for item in items:
        items_of.setdefault(item.sku_id, []).append(item.pk)
    shortages = [
        {
            "sku_id": row["sku_id"],
            "sku_code": codes[row["sku_id"]].sku_code if row["sku_id"] in codes else str(row["sku_id"]),
            "item_ids": items_of.get(row["sku_id"], []),
            "requested": row["requested"],
            "available": row["available"],
        }
        for row in rows
    ]
    said = "; ".join(
        _("%(code)s needs %(requested)d, %(available)d available")
        % {"code": row["sku_code"], "requested": row["requested"], "available": row["available"]}
        for row in shortages
    )
    message = _("Not enough stock to set the units for the sale aside (nothing changed): %(skus)s.") % {"skus": said}
    return ValidationFailed(message, details={"fields": {field: message}, "shortages": shortages})


def _pools_set_aside(wanted: list[tuple[FlashItem, int]], *, sale: FlashSale, actor: ActorContext, field: str) -> int:
    """Reserve units under each item's pool reference (all or nothing); the units set aside."""
    lines = [stock.PoolLine(reference=item.pool_reference, sku_id=item.sku_id, quantity=n) for item, n in wanted if n]
    if not lines:
        return 0
    try:
        stock.stock_pool_reserve(
            lines=lines, actor=actor, reason=_("Set aside for the flash sale “%(sale)s”") % {"sale": sale.name}
        )
    except OutOfStock as short:
        raise _short_of_stock(short, field=field, items=[item for item, _n in wanted]) from None
    return sum(line.quantity or 0 for line in lines)


def _pools_give_back(items: list[FlashItem], *, actor: ActorContext, reason: str, quantity: int | None = None) -> int:
    """Give back to normal stock what the items' pools hold (or `quantity` of one item's); the units."""
    if not items:
        return 0
    lines = [stock.PoolLine(reference=item.pool_reference, sku_id=item.sku_id, quantity=quantity) for item in items]
    released = stock.stock_pool_release(lines=lines, actor=actor, reason=reason)
    if quantity is None:
        FlashItem.objects.filter(pk__in=[item.pk for item in items]).update(pool_reserved=False)
    return released


def _pools_set_aside_for_sale(sale: FlashSale, *, actor: ActorContext, now: datetime) -> int:
    """Publishing: every item of a session not ended that holds no pool yet gets one (its pool
    less the units already under orders, should the sale have been live before)."""
    items = list(FlashItem.objects.filter(session__sale=sale, session__ends_at__gt=now, pool_reserved=False))
    if not items:
        return 0
    taken = _under_orders([item.pk for item in items])
    units = _pools_set_aside(
        [(item, max(item.pool - taken.get(item.pk, 0), 0)) for item in items], sale=sale, actor=actor, field="status"
    )
    FlashItem.objects.filter(pk__in=[item.pk for item in items]).update(pool_reserved=True)
    return units


def flash_pools_release_ended(*, now: datetime | None = None) -> int:
    """Give back to normal stock what the pools of ended sessions still hold, with a ledger row
    naming the sale (beat runs this every minute). Idempotent: a pool released once holds
    nothing, so a second run releases nothing. Answers the units given back."""
    now = now or timezone.now()
    ended = FlashItem.objects.filter(pool_reserved=True, session__ends_at__lte=now)
    released = 0
    for sale_id in sorted(set(ended.values_list("session__sale_id", flat=True))):
        with transaction.atomic():
            sale = _locked_sale(sale_id)  # after a concurrent sweep or status change, the query below finds less
            items = list(ended.filter(session__sale_id=sale_id))
            units = _pools_give_back(
                items,
                actor=ActorContext.system(),
                reason=_("Flash sale “%(sale)s”: session ended, units left back on normal sale") % {"sale": sale.name},
            )
            if items:
                audit_record(
                    actor=ActorContext.system(), action="flash.pools_release", target=sale,
                    after={"items": [item.pk for item in items], "units": units},
                )  # fmt: skip
            released += units
    return released


# --- items ----------------------------------------------------------------------------------------


def _item_snapshot(item: FlashItem) -> dict[str, Any]:
    return {
        "sku_id": item.sku_id,
        "sale_price_fen": item.sale_price_fen,
        "pool": item.pool,
        "per_customer_limit": item.per_customer_limit,
        "pay_window_minutes": item.pay_window_minutes,
        "pool_reserved": item.pool_reserved,
    }


def _refuse_locked_item(
    *, sale: FlashSale, session: FlashSession, item: FlashItem, changes: dict[str, Any], now: datetime
) -> None:
    """Who may change what (see the module's description): a draft sale's items until their
    session ends; a published sale's before the session starts; then only the pool."""
    if _session_has_ended(session, now):
        raise Conflict(_("This session has ended: its items can no longer change."), details={"session_id": session.pk})
    if sale.status not in PUBLISHED or not _session_has_started(session, now):
        return
    if item.pk is None:
        raise Conflict(
            _("This session is running: it takes no new items. Put the SKU in a later session."),
            details={"session_id": session.pk},
        )
    fixed = sorted(field for field, value in changes.items() if getattr(item, field) != value)
    if fixed:
        raise Conflict(
            _("This session is running: only the units for the sale can change now."),
            details={"session_id": session.pk, "fields": dict.fromkeys(fixed, "fixed_while_running")},
        )


def flash_item_save(
    *,
    actor: ActorContext,
    session_id: int,
    sku_id: int,
    sale_price: Money,
    pool: int,
    per_customer_limit: int,
    pay_window_minutes: int = DEFAULT_PAY_WINDOW_MINUTES,
    item_id: int | None = None,
    now: datetime | None = None,
) -> FlashItem:
    """Put a SKU in a session (or change it), with its flash price, its pool and the limit per
    customer. Refuses, with every problem named, a limit or pool below 1, a price not below the
    normal price or below the margin floor, a pool the SKU's stock cannot cover, and a SKU already
    in an overlapping session; in a published sale the pool is set aside (or its difference given
    back) at once. What may change when: `_refuse_locked_item`."""
    now = now or timezone.now()
    with transaction.atomic():
        sale_id = FlashSession.objects.filter(pk=session_id).values_list("sale_id", flat=True).first()
        if sale_id is None:
            raise NotFound(_("No such session."), details={"session_id": session_id})
        sale = _locked_sale(sale_id)
        session = FlashSession.objects.select_for_update().get(pk=session_id)
        session.sale = sale
        if item_id is None:
            item = FlashItem(session=session, sku_id=sku_id, position=session.items.count())
            before: dict[str, Any] = {}
        else:
            # Not locked yet: the item row is locked after the stock lines (the cancel's order).
            found = FlashItem.objects.filter(pk=item_id, session=session).first()
            if found is None:
                raise NotFound(_("No such flash-sale item."), details={"item_id": item_id})
            item = found
            before = _item_snapshot(item)
            if item.sku_id != sku_id:
                raise ValidationFailed(
                    _("An item's SKU cannot change: add another item instead."),
                    details={"fields": {"sku_id": "fixed"}},
                )
        _refuse_locked_item(
            sale=sale, session=session, item=item, now=now,
            changes={"sale_price_fen": sale_price.fen, "per_customer_limit": per_customer_limit,
                     "pay_window_minutes": pay_window_minutes},
        )  # fmt: skip
        sku = catalog.promo_skus([sku_id]).get(sku_id)
        if sku is None or not sku.on_sale:
            raise ValidationFailed(
                _("This SKU is not on sale in the shop."), details={"fields": {"sku_id": "not_on_sale"}}
            )
        # What the pool may be beyond the units taken: the SKU's available stock, plus what this
        # item's pool holds already (those units are reserved, so not in the available figure).
        covered = inventory.sku_availability([sku_id])[sku_id] + (item.pool - item.sold if item.pool_reserved else 0)
        figures = ItemFigures(
            sale_price_fen=sale_price.fen,
            normal_price_fen=sku.sale_price_fen,
            cost_fen=sku.cost_price_fen,
            pool=pool,
            sold=item.sold,
            available_stock=covered,
            per_customer_limit=per_customer_limit,
            pay_window_minutes=pay_window_minutes,
        )
        _refuse(
            item_problems(figures, min_margin_percent=settings.FLASH_MIN_MARGIN_PERCENT),
            {"normal_price_fen": sku.sale_price_fen, "available_stock": covered},
        )
        _refuse_overlap(sku_id=sku_id, window=Window(session.starts_at, session.ends_at), session_id=session.pk)
        published = sale.status in PUBLISHED
        old_pool = item.pool
        item.sale_price_fen = sale_price.fen
        item.pool = pool
        item.per_customer_limit = per_customer_limit
        item.pay_window_minutes = pay_window_minutes
        if item.pk is None:
            item.pool_reserved = published
            item.save(force_insert=True)  # first: the pool's reference is the item's id
            if published:
                _pools_set_aside([(item, pool)], sale=sale, actor=actor, field="pool")
            moved = 0
        else:
            moved = _item_pool_change(item, old_pool=old_pool, sale=sale, actor=actor) if published else 0
            fields = ["sale_price_fen", "pool", "per_customer_limit", "pay_window_minutes", "pool_reserved"]
            if not FlashItem.objects.filter(pk=item.pk, sold__lte=pool).update(
                **{field: getattr(item, field) for field in fields}
            ):
                _refuse([Problem("pool", "pool_below_sold")])  # units were taken meanwhile
            item.refresh_from_db(fields=["sold"])
        audit_record(
            actor=actor,
            action="flash.item_save",
            target=item,
            object_label=f"{sku.sku_code} {sku.title}"[:200],
            before=before,
            after=_item_snapshot(item),
        )
    if moved and gate.enabled():
        transaction.on_commit(lambda: _redis_add_left(item.pk, moved), robust=True)
    return item


def _item_pool_change(item: FlashItem, *, old_pool: int, sale: FlashSale, actor: ActorContext) -> int:
    """The stock side of saving an item of a published sale: set aside what a raised pool adds,
    give back what a lowered one drops; an item holding no pool yet gets it. Answers the change
    to the units left to grab (for the Redis copy)."""
    if not item.pool_reserved:
        taken = _under_orders([item.pk]).get(item.pk, 0)
        _pools_set_aside([(item, max(item.pool - taken, 0))], sale=sale, actor=actor, field="pool")
        item.pool_reserved = True
        return item.pool - old_pool
    delta = item.pool - old_pool
    if delta > 0:
        _pools_set_aside([(item, delta)], sale=sale, actor=actor, field="pool")
    elif delta < 0:
        _pools_give_back(
            [item], actor=actor, quantity=-delta,
            reason=_("Flash sale “%(sale)s”: units for the sale lowered to %(pool)d") % {"sale": sale.name,
                                                                                      "pool": item.pool},
        )  # fmt: skip
    return delta


def flash_item_delete(*, actor: ActorContext, item_id: int, now: datetime | None = None) -> None:
    """Take an item out of its session (before the session of a published sale starts, or any time
    in a draft), giving its pool back to normal stock. An item with claims stays."""
    now = now or timezone.now()
    with transaction.atomic():
        sale_id = FlashItem.objects.filter(pk=item_id).values_list("session__sale_id", flat=True).first()
        if sale_id is None:
            raise NotFound(_("No such flash-sale item."), details={"item_id": item_id})
        sale = _locked_sale(sale_id)
        item = FlashItem.objects.select_related("session").get(pk=item_id)
        if (sale.status in PUBLISHED and _session_has_started(item.session, now)) or item.claims.exists():
            raise Conflict(
                _("This item has started selling and cannot be removed. Pause the sale instead."),
                details={"item_id": item_id},
            )
        if item.pool_reserved:
            _pools_give_back(
                [item], actor=actor,
                reason=_("Flash sale “%(sale)s”: item removed, its units back on normal sale") % {"sale": sale.name},
            )  # fmt: skip
        audit_record(actor=actor, action="flash.item_delete", target=item, before=_item_snapshot(item))
        item.delete()


# --- rate limits --------------------------------------------------------------------------------


def _rate_keys(customer_id: int, ip_address: str | None) -> list[tuple[str, int]]:
    keys = [(f"flash:rate:customer:{customer_id}", settings.FLASH_ATTEMPTS_PER_CUSTOMER)]
    if ip_address:
        keys.append((f"flash:rate:ip:{ip_address}", settings.FLASH_ATTEMPTS_PER_IP))
    return keys


def _too_many(seconds: int) -> TooManyAttempts:
    return TooManyAttempts(
        _("Too many attempts: please wait %(seconds)d seconds and try again.") % {"seconds": seconds},
        details={"retry_after_seconds": seconds},
    )


def flash_rate_check(*, customer_id: int, ip_address: str | None) -> None:
    """Count one attempt per customer and per address in a fixed window; raise TooManyAttempts (429)
    past a limit. One Redis round trip when Redis is configured; the Django cache otherwise (one
    process's memory in the embedded set-up)."""
    window = settings.FLASH_RATE_WINDOW_SECONDS
    keys = _rate_keys(customer_id, ip_address)
    if gate.enabled():
        try:
            wait = gate.rate_check(keys, window)
        except redis.RedisError:
            logger.warning("flash rate limit skipped: Redis unavailable", exc_info=True)
            return
        if wait:
            raise _too_many(wait)
        return
    for key, limit in keys:
        now = time.time()
        if cache.add(key, 1, timeout=window):
            cache.set(f"{key}:since", now, timeout=window)
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
                cache.set(f"{key}:since", now, timeout=window)
                count = 1
        if count > limit:
            started = cache.get(f"{key}:since")
            elapsed = now - started if isinstance(started, int | float) else 0
            raise _too_many(max(1, int(window - elapsed + 0.999)))


# --- the grab -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlashAttempt:
    claim: FlashClaim
    order_number: str
    created: bool  # False: a retry with the same key, answered from the first attempt


def _count_attempt(item_id: int) -> None:
    """Attempts per item for the console without Redis (with Redis the script counts them)."""
    shard = random.randrange(ATTEMPT_SHARDS)  # noqa: S311  (spreading row locks, not security)
    if not FlashAttemptCount.objects.filter(item_id=item_id, shard=shard).update(attempts=F("attempts") + 1):
        FlashAttemptCount.objects.bulk_create(
            [FlashAttemptCount(item_id=item_id, shard=shard, attempts=0)], ignore_conflicts=True
        )
        FlashAttemptCount.objects.filter(item_id=item_id, shard=shard).update(attempts=F("attempts") + 1)


def _live_item(item_id: int, now: datetime) -> FlashItem:
    item = FlashItem.objects.select_related("session__sale").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such flash-sale item."), details={"item_id": item_id})
    session = item.session
    if session.sale.status != SaleStatus.LIVE or now >= session.ends_at:
        raise NotLive(
            _("This flash sale has ended."),
            details={"starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat()},
        )
    if now < session.starts_at:
        raise NotLive(
            _("This flash sale starts at %(time)s.") % {"time": f"{timezone.localtime(session.starts_at):%H:%M}"},
            details={"starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat()},
        )
    return item


def _sold_out() -> SoldOut:
    return SoldOut(
        _("Sold out: every unit is taken. Units of unpaid orders come back when their time runs out."),
        details={"remaining": 0},
    )


def _limit_reached(limit: int) -> LimitReached:
    return LimitReached(
        _("You already have %(limit)d of this flash-sale item (the limit per customer).") % {"limit": limit},
        details={"limit": limit},
    )


def _redis_admit(item: FlashItem, customer_id: int, quantity: int) -> bool:
    """The fast gate. True: admitted in Redis; False: Redis is unavailable (the database decides)."""
    try:
        answer = gate.admit(item_id=item.pk, customer_id=customer_id, quantity=quantity, limit=item.per_customer_limit)
        if answer == gate.NOT_SEEDED:  # Redis restarted or the session was never seeded
            _seed_item(item, force=False)
            answer = gate.admit(
                item_id=item.pk, customer_id=customer_id, quantity=quantity, limit=item.per_customer_limit
            )
    except redis.RedisError:
        logger.warning("flash gate: Redis unavailable, the database decides", exc_info=True)
        return False
    if answer == gate.OVER_LIMIT:
        raise _limit_reached(item.per_customer_limit)
    if answer == gate.SOLD_OUT:
        raise _sold_out()
    return answer != gate.NOT_SEEDED  # still not seeded: Redis is failing, the database decides


def _redis_correct(item: FlashItem, customer_id: int, quantity: int, refused: ShopkeeperError) -> None:
    """The database refused what Redis admitted: bring Redis back to the database's figures."""
    try:
        if isinstance(refused, SoldOut):
            sold = FlashItem.objects.filter(pk=item.pk).values_list("sold", flat=True).first() or 0
            gate.give_back(item_id=item.pk, customer_id=customer_id, quantity=quantity)
            gate.set_left(item_id=item.pk, left=item.pool - sold)
        else:
            gate.give_back(item_id=item.pk, customer_id=customer_id, quantity=quantity)
            taken = FlashQuota.objects.filter(item=item, customer_id=customer_id).values_list("taken", flat=True)
            gate.client().hset(gate.Keys.of(item.pk).taken, str(customer_id), int(taken.first() or 0))
    except redis.RedisError:
        logger.warning("flash gate: could not correct Redis for item %s", item.pk, exc_info=True)


def _take(item: FlashItem, customer: User, quantity: int, key: str) -> FlashClaim:
    """The record and the database's own gate, in one short transaction (claim → quota → item)."""
    with transaction.atomic():
        claim = FlashClaim.objects.create(item=item, customer=customer, quantity=quantity, idempotency_key=key)
        FlashQuota.objects.bulk_create([FlashQuota(item=item, customer=customer, taken=0)], ignore_conflicts=True)
        if not FlashQuota.objects.filter(
            item=item, customer=customer, taken__lte=item.per_customer_limit - quantity
        ).update(taken=F("taken") + quantity):
            raise _limit_reached(item.per_customer_limit)
        if not FlashItem.objects.filter(pk=item.pk, sold__lte=F("pool") - quantity).update(sold=F("sold") + quantity):
            raise _sold_out()
    return claim


def _give_back(claim_id: int, *, status: str, note: str = "", order_reference: str = "") -> bool:
    """Return a pending or held claim's units to the pool and the customer's count (once).

    `order_reference`: the claim's order was cancelled and has released its stock; while the
    session runs and the pool is held, those units go back under the pool's reference."""
    with transaction.atomic():
        claim = (
            FlashClaim.objects.filter(pk=claim_id)
            .values("item_id", "customer_id", "quantity", "item__pool_reserved", "item__session__ends_at")
            .first()
        )
        if claim is None:
            return False
        now = timezone.now()
        if not FlashClaim.objects.filter(pk=claim_id, status__in=(ClaimStatus.PENDING, ClaimStatus.HELD)).update(
            status=status, note=note[:200], updated_at=now
        ):
            return False  # already given back (a repeated event)
        quantity = claim["quantity"]
        if order_reference and claim["item__pool_reserved"] and now < claim["item__session__ends_at"]:
            back = stock.stock_reservation_return(
                from_reference=order_reference,
                to_reference=pool_reference(claim["item_id"]),
                actor=ActorContext.system(),
                reason=_("Flash order cancelled: its units back in the pool"),
            )
            if back < quantity:  # only outside the cancel's transaction: the units were sold meanwhile
                logger.warning("flash item %s: %d of %d units back in the pool", claim["item_id"], back, quantity)
        FlashQuota.objects.filter(item_id=claim["item_id"], customer_id=claim["customer_id"]).update(
            taken=F("taken") - quantity
        )
        FlashItem.objects.filter(pk=claim["item_id"]).update(sold=F("sold") - quantity)
        if gate.enabled():
            transaction.on_commit(
                lambda: _redis_give_back(claim["item_id"], claim["customer_id"], quantity), robust=True
            )
    return True


def _redis_add_left(item_id: int, delta: int) -> None:
    try:
        gate.add_left(item_id=item_id, delta=delta)
    except redis.RedisError:
        # Redis keeps the old figure until `shopkeeper flash_seed --force` (the database still decides).
        logger.warning("flash gate: pool change of item %s not copied to Redis", item_id, exc_info=True)


def _redis_give_back(item_id: int, customer_id: int, quantity: int) -> None:
    try:
        gate.give_back(item_id=item_id, customer_id=customer_id, quantity=quantity)
    except redis.RedisError:
        # Redis now shows fewer units than the database (stricter, never an oversell);
        # `shopkeeper flash_seed --force` copies the database's figures back in.
        logger.warning("flash gate: unit of item %s not given back to Redis", item_id, exc_info=True)


def flash_attempt(
    *,
    item_id: int,
    customer: User,
    address_id: int,
    idempotency_key: str,
    actor: ActorContext,
    quantity: int = 1,
    now: datetime | None = None,
) -> FlashAttempt:
    """Grab a flash-sale item: admitted within the pool and the customer's limit, an order is placed
    at the flash price with the item's payment window (see the module's description).

    Raises TooManyAttempts (429), NotFound, NotLive / SoldOut / LimitReached (409), ValidationFailed,
    and the order's own refusals (OutOfStock 409, NotDeliverable 422) with the unit given back. The
    same idempotency key answers the first attempt's claim and order.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 40:
        raise ValidationFailed(
            _("A flash-sale attempt needs an idempotency key of 1–40 characters."),
            details={"fields": {"idempotency_key": "invalid"}},
        )
    existing = FlashClaim.objects.filter(customer=customer, idempotency_key=key).first()
    if existing is not None:
        return FlashAttempt(claim=existing, order_number=existing.order_number, created=False)
    flash_rate_check(customer_id=customer.pk, ip_address=actor.ip_address)
    now = now or timezone.now()
    item = _live_item(item_id, now)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= item.per_customer_limit:
        raise ValidationFailed(
            _("You can take 1 to %(limit)d of this item.") % {"limit": item.per_customer_limit},
            details={"fields": {"quantity": "out_of_range"}, "limit": item.per_customer_limit},
        )
    in_redis = gate.enabled() and _redis_admit(item, customer.pk, quantity)
    if not gate.enabled():
        _count_attempt(item.pk)
        if item.sold + quantity > item.pool:
            raise _sold_out()  # the row just read: no write for the crowd that comes late
    try:
        claim = _take(item, customer, quantity, key)
    except (SoldOut, LimitReached) as refused:
        if in_redis:
            _redis_correct(item, customer.pk, quantity, refused)
        raise
    except IntegrityError:
        if in_redis:
            _redis_give_back(item.pk, customer.pk, quantity)
        raced = FlashClaim.objects.filter(customer=customer, idempotency_key=key).first()
        if raced is None:
            raise
        return FlashAttempt(claim=raced, order_number=raced.order_number, created=False)
    except BaseException:
        if in_redis:
            _redis_give_back(item.pk, customer.pk, quantity)
        raise
    try:
        with transaction.atomic():
            order = checkout.checkout_buy_now(
                customer=customer,
                sku_id=item.sku_id,
                quantity=quantity,
                unit_price=Money(item.sale_price_fen),
                price_label=_("Flash price"),
                address_id=address_id,
                idempotency_key=f"flash:{claim.pk}",
                actor=actor,
                kind=OrderKind.FLASH,
                pay_window=timedelta(minutes=item.pay_window_minutes),
                channel="flash",
                # From the pool set aside in stock; an item published before pools were held
                # (pool_reserved unset) still reserves from normal stock.
                reserve_from=item.pool_reference if item.pool_reserved else "",
            )
            FlashClaim.objects.filter(pk=claim.pk).update(
                status=ClaimStatus.HELD, order_reference=order.reference, order_number=order.number
            )
    except BaseException as failed:
        note = failed.message if isinstance(failed, ShopkeeperError) else type(failed).__name__
        _give_back(claim.pk, status=ClaimStatus.FAILED, note=note)
        raise
    claim.refresh_from_db()
    return FlashAttempt(claim=claim, order_number=order.number, created=True)


# --- order events ---------------------------------------------------------------------------------


def on_order_cancelled(event: OrderCancelled) -> None:
    """An unpaid flash order was cancelled (customer, staff, or the payment window ran out): its
    units go back to the pool and to the customer's limit. Idempotent."""
    if event.kind != OrderKind.FLASH:
        return
    claim_id = (
        FlashClaim.objects.filter(order_reference=event.reference, status=ClaimStatus.HELD)
        .values_list("pk", flat=True)
        .first()
    )
    if claim_id is not None:
        _give_back(claim_id, status=ClaimStatus.RELEASED, note=_("Order cancelled"), order_reference=event.reference)


def on_order_paid(event: OrderPaid) -> None:
    if event.kind != OrderKind.FLASH:
        return
    FlashClaim.objects.filter(order_reference=event.reference, status=ClaimStatus.HELD).update(
        status=ClaimStatus.PAID, updated_at=timezone.now()
    )


def flash_claims_sweep(*, now: datetime | None = None) -> int:
    """Give back claims left pending by a process that died between admitting and placing the order
    (an order and its claim commit together, so a claim pending this long has no order)."""
    now = now or timezone.now()
    stale = FlashClaim.objects.filter(status=ClaimStatus.PENDING, created_at__lte=now - PENDING_TIMEOUT)
    return sum(_give_back(pk, status=ClaimStatus.FAILED, note="abandoned") for pk in stale.values_list("pk", flat=True))


# --- the Redis copy -----------------------------------------------------------------------------


def _seed_item(item: FlashItem, *, force: bool, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    fresh = FlashItem.objects.filter(pk=item.pk).values("pool", "sold").first()
    if fresh is None:
        return False
    taken = dict(FlashQuota.objects.filter(item_id=item.pk, taken__gt=0).values_list("customer_id", "taken"))
    ttl = int((item.session.ends_at - now).total_seconds()) + 86400
    return gate.seed(item_id=item.pk, left=fresh["pool"] - fresh["sold"], taken=taken, ttl_seconds=ttl, force=force)


def flash_gate_seed(
    *, now: datetime | None = None, force: bool = False, sale_id: int | None = None, lead: timedelta = SEED_LEAD
) -> int:
    """Copy the pools and customers' counts of live sessions (running or starting within `lead`)
    from the database into Redis. Without `force` an item already in Redis is left alone, so the
    beat task can run every minute; `force` overwrites (after Redis lost give-backs). Answers the
    items written; 0 without Redis."""
    if not gate.enabled():
        return 0
    now = now or timezone.now()
    items = FlashItem.objects.select_related("session").filter(
        session__sale__status=SaleStatus.LIVE, session__ends_at__gt=now, session__starts_at__lte=now + lead
    )
    if sale_id is not None:
        items = items.filter(session__sale_id=sale_id)
    written = 0
    for item in items:
        try:
            written += _seed_item(item, force=force, now=now)
        except redis.RedisError:
            logger.warning("flash gate: could not seed item %s", item.pk, exc_info=True)
    return written


__all__ = [
    "FlashAttempt",
    "flash_attempt",
    "flash_claims_sweep",
    "flash_gate_seed",
    "flash_item_delete",
    "flash_item_save",
    "flash_pools_release_ended",
    "flash_rate_check",
    "flash_sale_save",
    "flash_sale_set_status",
    "flash_session_save",
    "on_order_cancelled",
    "on_order_paid",
]
