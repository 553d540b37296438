"""Writes on promotions: save (every field checked, the margin guard on publishing), pause,
resume, end, the periodic status change by window, and the record of what each promotion did on
each order (written when the order is placed, counted when it is paid, dropped when cancelled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders.events import OrderCancelled, OrderPaid
from shopkeeper.promotions import rules as rule_builder
from shopkeeper.promotions import selectors
from shopkeeper.promotions.domain.base import Scope
from shopkeeper.promotions.domain.rules import rule_problems
from shopkeeper.promotions.enums import KIND_GROUP, PromotionKind, PromotionStatus, UseState
from shopkeeper.promotions.models import Promotion, PromotionUse
from shopkeeper.promotions.problems import problem_field, problem_message

MAX_WINDOW_DAYS = 366


@dataclass(frozen=True)
class PromotionInput:
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    params: Mapping[str, Any] = field(default_factory=dict)
    scope: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    stacks: bool = False
    min_margin_percent: int | None = None
    min_price_fen: int | None = None
    publish: bool = False  # False: keep as a draft; True: scheduled/active by its window


def _snapshot(promotion: Promotion) -> dict[str, Any]:
    return {
        "name": promotion.name,
        "label": promotion.label,
        "kind": promotion.kind,
        "params": promotion.params,
        "scope": promotion.scope,
        "stacks": promotion.stacks,
        "status": promotion.status,
        "starts_at": promotion.starts_at,
        "ends_at": promotion.ends_at,
        "min_margin_percent": promotion.min_margin_percent,
        "min_price_fen": promotion.min_price_fen,
    }


def _live_status(starts_at: datetime, now: datetime) -> str:
    return PromotionStatus.ACTIVE if starts_at <= now else PromotionStatus.SCHEDULED


def margin_breaches_described(breaches: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """The margin guard's breaches (domain `Breach`es) for people and for programs: up to five
    "SKU: price (cost) falls to worst case, below the floor" phrases joined, and one row per breach
    with its SKU code and figures in fen. Promotions, coupons and group buys refuse with these."""
    codes = {pk: sku.sku_code for pk, sku in catalog.promo_skus((b.sku_id for b in breaches), scenes=False).items()}
    shown = []
    for b in breaches[:5]:
        figures = {
            "sku": codes.get(b.sku_id, b.sku_id),
            "price": b.price,
            "cost": b.cost,
            "worst": b.worst_price,
            "floor": b.floor_price,
        }
        if b.cost is not None:
            shown.append(
                _("%(sku)s: %(price)s (cost %(cost)s) falls to %(worst)s, below the floor %(floor)s") % figures
            )
        else:
            shown.append(_("%(sku)s: %(price)s falls to %(worst)s, below the floor %(floor)s") % figures)
    text = "; ".join(shown)
    more = len(breaches) - len(shown)
    if more > 0:
        text += " " + _("(and %(count)d more SKUs)") % {"count": more}
    rows = [
        {
            "sku_id": b.sku_id,
            "sku_code": codes.get(b.sku_id, ""),
            "price_fen": b.price.fen,
            "cost_fen": b.cost.fen if b.cost is not None else None,
            "worst_price_fen": b.worst_price.fen,
            "floor_price_fen": b.floor_price.fen,
        }
        for b in breaches
    ]
    return text, rows


def margin_refusal(verdict: Any) -> ValidationFailed:
    """The refusal of a promotion whose worst case breaks its floor, naming SKUs and figures."""
    text, rows = margin_breaches_described(verdict.breaches)
    return ValidationFailed(
        _("The margin guard refuses this promotion: %(list)s") % {"list": text}, details={"margin": rows}
    )


def _member_price_problems(prices: Mapping[Any, Any], problems: dict[str, str]) -> None:
    """Member prices for SKUs that do not exist, or not below the SKU's own price (they would do
    nothing), by field: params.prices.<tier>.<SKU id>. The shape itself is the rule builder's."""
    named = {
        (str(tier), str(sku)): fen
        for tier, per_sku in prices.items()
        if isinstance(per_sku, Mapping)
        for sku, fen in per_sku.items()
        if str(sku).isdigit() and isinstance(fen, int) and not isinstance(fen, bool)
    }
    skus = catalog.promo_skus({int(sku) for _tier, sku in named}, scenes=False)
    for (tier, sku), fen in named.items():
        found = skus.get(int(sku))
        if found is None:
            problems[f"params.prices.{tier}.{sku}"] = _("No such SKUs: %(ids)s") % {"ids": sku}
        elif fen >= found.sale_price_fen:
            problems[f"params.prices.{tier}.{sku}"] = _(
                "The member price %(price)s is not below the price of %(sku)s, %(sale)s."
            ) % {"price": Money(fen), "sku": found.sku_code, "sale": Money(found.sale_price_fen)}


def _validated(data: PromotionInput, *, rule_id: str) -> tuple[dict[str, Any], Any]:
    """The row's fields and the domain rule, or ValidationFailed with every problem by field."""
    problems: dict[str, str] = {}
    name = data.name.strip()
    label = data.label.strip()
    if not name:
        problems["name"] = _("Give the promotion a name.")
    elif len(name) > 80:
        problems["name"] = _("At most 80 characters.")
    if len(label) > 40:
        problems["label"] = _("At most 40 characters.")
    if data.kind not in PromotionKind.values:
        problems["kind"] = _("Unknown kind of promotion.")
    if data.ends_at <= data.starts_at:
        problems["ends_at"] = _("The promotion must end after it starts.")
    elif (data.ends_at - data.starts_at).days > MAX_WINDOW_DAYS:
        problems["ends_at"] = _("A promotion runs for at most a year.")
    if data.min_margin_percent is not None and not 0 <= data.min_margin_percent <= 1000:
        problems["min_margin_percent"] = _("A minimum margin is between 0 and 1000 %.")
    if data.min_price_fen is not None and data.min_price_fen < 0:
        problems["min_price_fen"] = _("A minimum price cannot be negative.")
    if problems.get("kind"):
        raise ValidationFailed(_("The promotion has invalid fields."), details=problems)
    params = dict(data.params or {})
    rule: Any = None
    scope: Scope | None = None
    try:
        scope = rule_builder.scope_of(data.scope or {})
    except rule_builder.ParamsError as wrong:
        problems.update(wrong.problems)
    else:
        problems.update(selectors.scope_missing_problems(scope))
    if data.kind == PromotionKind.GIFT and isinstance(params.get("gift_sku_id"), int):
        gift_id = params["gift_sku_id"]
        gift = catalog.promo_skus([gift_id]).get(gift_id)
        quantity = params.get("gift_quantity") or 1
        if gift is None or not gift.on_sale:
            problems["params.gift_sku_id"] = _("The gift SKU is not on sale.")
        else:
            params["gift_title"] = gift.title
            available = inventory.sku_availability([gift_id]).get(gift_id, 0)
            if isinstance(quantity, int) and available < quantity:
                problems["params.gift_sku_id"] = _("The gift SKU %(sku)s has no stock (%(count)d available).") % {
                    "sku": gift.sku_code,
                    "count": available,
                }
    if data.kind == PromotionKind.BUNDLE and isinstance(params.get("sku_ids"), list):
        wanted = [pk for pk in params["sku_ids"] if isinstance(pk, int)]
        missing = sorted(set(wanted) - set(catalog.promo_skus(wanted)))
        if missing:
            problems["params.sku_ids"] = _("No such SKUs: %(ids)s") % {"ids": ", ".join(map(str, missing))}
    if data.kind == PromotionKind.MEMBER_PRICE and isinstance(params.get("prices"), Mapping):
        _member_price_problems(params["prices"], problems)
    if scope is not None:
        fields: dict[str, Any] = {
            "rule_id": rule_id,
            "label": label or rule_builder.default_label(data.kind, params),
            "kind": data.kind,
            "params": params,
            "scope": scope,
            "stacks": data.stacks,
            "floor": selectors.floor_of(
                Promotion(min_margin_percent=data.min_margin_percent, min_price_fen=data.min_price_fen)
            ),
        }
        try:
            rule = rule_builder.build_rule(**fields)
        except rule_builder.ParamsError as wrong:
            for key, message in wrong.problems.items():
                problems.setdefault(key if key.startswith("scope") else f"params.{key}", message)
        else:
            for problem in rule_problems(rule):
                problems.setdefault(problem_field(problem.field), problem_message(problem))
    if problems:
        raise ValidationFailed(_("The promotion has invalid fields."), details=problems)
    row = {
        "name": name,
        "label": label,
        "kind": data.kind,
        "params": params,
        "scope": {
            key: sorted(data.scope[key]) for key in rule_builder.SCOPE_KEYS if data.scope and data.scope.get(key)
        },
        "group": KIND_GROUP[PromotionKind(data.kind)],
        "stacks": data.stacks,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "min_margin_percent": data.min_margin_percent,
        "min_price_fen": data.min_price_fen,
    }
    return row, rule


def _guard(rule: Any, scope: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    verdict = selectors.margin_check(rule, scope, extra_sku_ids=params.get("sku_ids") or [])
    if not verdict.ok:
        raise margin_refusal(verdict)


def promotion_save(*, data: PromotionInput, actor: ActorContext, promotion_id: int | None = None) -> Promotion:
    """Create or change a promotion. A published one must pass the margin guard; an ended one
    cannot change. Bad input changes nothing and is refused field by field."""
    now = timezone.now()
    with transaction.atomic():
        existing = None
        if promotion_id is not None:
            selectors.promotion_get(promotion_id)
            existing = Promotion.objects.select_for_update().get(pk=promotion_id)
            if existing.status == PromotionStatus.ENDED:
                raise Conflict(_("An ended promotion cannot change."), details={"status": existing.status})
        row, rule = _validated(data, rule_id=f"promo:{promotion_id or 'new'}")
        publish = data.publish or (existing is not None and existing.status in selectors.LIVE_STATUSES)
        if publish and data.ends_at <= now:
            raise ValidationFailed(
                _("The promotion has invalid fields."), details={"ends_at": _("The promotion would end in the past.")}
            )
        if publish:
            _guard(rule, row["scope"], row["params"])
        if existing is None:
            promotion = Promotion(**row, created_by=actor.user, changed_by=actor.user)
            promotion.status = _live_status(data.starts_at, now) if publish else PromotionStatus.DRAFT
            promotion.save(force_insert=True)
            audit_record(actor=actor, action="promotion.create", target=promotion, after=_snapshot(promotion))
            return promotion
        before = _snapshot(existing)
        for name, value in row.items():
            setattr(existing, name, value)
        if publish and existing.status != PromotionStatus.PAUSED:
            existing.status = _live_status(data.starts_at, now)
        existing.changed_by = actor.user
        existing.save()
        audit_record(actor=actor, action="promotion.change", target=existing, before=before, after=_snapshot(existing))
        return existing


def _set_status(
    *, promotion_id: int, actor: ActorContext, allowed: Iterable[str], status: str, action: str
) -> Promotion:
    selectors.promotion_get(promotion_id)
    with transaction.atomic():
        promotion = Promotion.objects.select_for_update().get(pk=promotion_id)
        if promotion.status not in set(allowed):
            raise Conflict(
                _("This promotion is %(status)s and cannot be changed that way.")
                % {"status": PromotionStatus(promotion.status).label},
                details={"status": promotion.status},
            )
        before = promotion.status
        promotion.status = status
        promotion.changed_by = actor.user
        promotion.save(update_fields=["status", "changed_by", "changed_at"])
        audit_record(actor=actor, action=action, target=promotion, before={"status": before}, after={"status": status})
    return promotion


def promotion_pause(*, promotion_id: int, actor: ActorContext) -> Promotion:
    """Stop applying a published promotion at once (it can be resumed)."""
    return _set_status(
        promotion_id=promotion_id,
        actor=actor,
        allowed=selectors.LIVE_STATUSES,
        status=PromotionStatus.PAUSED,
        action="promotion.pause",
    )


def promotion_resume(*, promotion_id: int, actor: ActorContext) -> Promotion:
    """Publish a paused promotion or a draft again: the margin guard checks it first."""
    promotion = selectors.promotion_get(promotion_id)
    now = timezone.now()
    if promotion.ends_at <= now:
        raise Conflict(_("This promotion's window is over."), details={"ends_at": promotion.ends_at.isoformat()})
    _guard(selectors.promotion_rule(promotion), promotion.scope, promotion.params)
    return _set_status(
        promotion_id=promotion_id,
        actor=actor,
        allowed=(PromotionStatus.PAUSED, PromotionStatus.DRAFT),
        status=_live_status(promotion.starts_at, now),
        action="promotion.resume",
    )


def promotion_end(*, promotion_id: int, actor: ActorContext) -> Promotion:
    """End a promotion for good (its uses and counters stay)."""
    return _set_status(
        promotion_id=promotion_id,
        actor=actor,
        allowed=(*selectors.LIVE_STATUSES, PromotionStatus.PAUSED, PromotionStatus.DRAFT),
        status=PromotionStatus.ENDED,
        action="promotion.end",
    )


def promotions_advance(*, now: datetime | None = None) -> int:
    """Move published promotions along by their windows: scheduled → active → ended (the worker
    runs this every minute; pricing reads the window itself, so a late run changes no price)."""
    moment = now or timezone.now()
    started = Promotion.objects.filter(status=PromotionStatus.SCHEDULED, starts_at__lte=moment).update(
        status=PromotionStatus.ACTIVE
    )
    ended = Promotion.objects.filter(status__in=selectors.LIVE_STATUSES, ends_at__lte=moment).update(
        status=PromotionStatus.ENDED
    )
    return started + ended


# --- uses on orders -----------------------------------------------------------------------------


def promotion_uses_record(
    *,
    order_id: int,
    order_number: str,
    placed_at: datetime,
    price: selectors.CartPrice,
    line_ids: Mapping[str, int],
) -> int:
    """Write what each applied promotion did on the order's lines (in the order's transaction)."""
    rows: list[PromotionUse] = []
    for use in price.uses:
        rows.append(
            PromotionUse(
                promotion_id=use.promotion_id,
                order_id=order_id,
                order_number=order_number,
                line_id=line_ids.get(use.line_key),
                sku_id=use.sku_id,
                discount_fen=use.discount_fen,
                units=use.units,
                placed_at=placed_at,
            )
        )
    noted = {use.promotion_id for use in price.uses} | {gift.promotion_id for gift in price.gifts}
    for applied in price.applied:  # shipping and other order-wide promotions with no line share
        if applied.promotion_id is not None and applied.promotion_id not in noted:
            rows.append(
                PromotionUse(
                    promotion_id=applied.promotion_id,
                    order_id=order_id,
                    order_number=order_number,
                    discount_fen=max(applied.discount.fen, 0),
                    placed_at=placed_at,
                )
            )
            noted.add(applied.promotion_id)
    for gift in price.gifts:
        if gift.promotion_id is not None:
            rows.append(
                PromotionUse(
                    promotion_id=gift.promotion_id,
                    order_id=order_id,
                    order_number=order_number,
                    line_id=line_ids.get(gift.key),
                    sku_id=gift.sku_id,
                    gift_units=gift.quantity,
                    gift_refund_rule=gift.refund_rule,
                    placed_at=placed_at,
                )
            )
    PromotionUse.objects.bulk_create(rows)
    return len(rows)


def on_order_paid(event: OrderPaid) -> None:
    """The order is paid: its promotion uses count."""
    PromotionUse.objects.filter(order_id=event.order_id, state=UseState.PLACED).update(
        state=UseState.PAID, paid_at=event.paid_at
    )


def on_order_cancelled(event: OrderCancelled) -> None:
    """The order was given up: its promotion uses no longer count."""
    PromotionUse.objects.filter(order_id=event.order_id).exclude(state=UseState.CANCELLED).update(
        state=UseState.CANCELLED
    )


__all__ = [
    "PromotionInput",
    "margin_breaches_described",
    "margin_refusal",
    "on_order_cancelled",
    "on_order_paid",
    "promotion_end",
    "promotion_pause",
    "promotion_resume",
    "promotion_save",
    "promotion_uses_record",
    "promotions_advance",
]
