"""Reads on after-sales: the queue with its filters, one application with its timeline, the
customer's applications, what each line of an order may still ask for, service items, and
refund rates (by product, day or reason) that the console, the API and campaign alerts share.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.aftersales.domain import amounts
from shopkeeper.aftersales.domain.gifts import GiftReturn, GiftRule, GiftState, expected_outcome
from shopkeeper.aftersales.domain.rules import Stage, seconds_left
from shopkeeper.aftersales.domain.states import CLAIMING, OPEN, Action, Kind, Status, allowed_actions
from shopkeeper.aftersales.enums import (
    AfterSalesReason,
    AfterSalesStatus,
    GiftReturnChoice,
    GiftStateChoice,
    ServiceItemStatus,
)
from shopkeeper.aftersales.models import Application, AutoApprovalRule, OrderGift, ServiceItem
from shopkeeper.core.domain.money import Money
from shopkeeper.core.models import User
from shopkeeper.promotions import selectors as promotions
from shopkeeper.promotions.enums import GiftRefundRule

OPEN_VALUES = sorted(status.value for status in OPEN)


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""  # a status, "open", or "" for all
    kind: str = ""
    reason: str = ""
    overdue: bool = False
    applied_from: date | None = None
    applied_to: date | None = None
    q: str = ""  # application number or order number


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def application_queue(filters: QueueFilters, *, now: datetime | None = None) -> QuerySet[Application]:
    """The after-sales queue: awaiting review first, by review deadline; then the rest, newest first."""
    now = now or timezone.now()
    queryset = Application.objects.select_related("order", "line", "customer").prefetch_related("gifts")
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_VALUES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.reason:
        queryset = queryset.filter(reason=filters.reason)
    if filters.overdue:
        queryset = queryset.filter(status=Status.APPLIED, review_deadline__lt=now)
    if filters.applied_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.applied_from))
    if filters.applied_to:
        queryset = queryset.filter(created_at__lt=_day_start(filters.applied_to + timedelta(days=1)))
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(Q(number=term) | Q(order__number=term))
    awaiting = Case(When(status=Status.APPLIED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.annotate(awaiting_first=awaiting).order_by("awaiting_first", "review_deadline", "-id")


@dataclass(frozen=True)
class QueueCounts:
    awaiting: int
    overdue: int
    open: int
    service_items: int


def queue_counts(*, now: datetime | None = None) -> QueueCounts:
    now = now or timezone.now()
    counts = Application.objects.aggregate(
        awaiting=Count("pk", filter=Q(status=Status.APPLIED)),
        overdue=Count("pk", filter=Q(status=Status.APPLIED, review_deadline__lt=now)),
        open=Count("pk", filter=Q(status__in=OPEN_VALUES)),
    )
    items = ServiceItem.objects.filter(status=ServiceItemStatus.OPEN).count()
    return QueueCounts(awaiting=counts["awaiting"], overdue=counts["overdue"], open=counts["open"], service_items=items)


def application_get(*, number: str) -> Application | None:
    return (
        Application.objects.select_related("order", "line", "customer", "decided_by")
        .prefetch_related("events__actor", "gifts")
        .filter(number=number)
        .first()
    )


def application_for_customer(*, customer: User, number: str) -> Application | None:
    return (
        Application.objects.select_related("order", "line")
        .prefetch_related("events", "gifts")
        .filter(customer=customer, number=number)
        .first()
    )


def applications_of_customer(customer: User) -> QuerySet[Application]:
    return Application.objects.filter(customer=customer).select_related("order", "line").order_by("-created_at", "-id")


def applications_of_order(*, order_id: int) -> list[Application]:
    return list(Application.objects.filter(order_id=order_id).order_by("-created_at", "-id"))


def order_refund_records(*, order_id: int) -> list[Any]:
    """The order's refunds (through its reverse relation: the console may not read orders' models)."""
    found = Application.objects.filter(order_id=order_id).select_related("order").first()
    return list(found.order.refunds.all()) if found is not None else []


@dataclass(frozen=True)
class LineChoice:
    """One line of an order on the customer's page: its open application, or how many units it
    may still ask for."""

    line: Any
    open_application: Application | None
    units_left: int

    @property
    def can_apply(self) -> bool:
        return self.open_application is None and self.units_left > 0


def line_choices(*, order: Any) -> list[LineChoice]:
    """Per line of the order (lines prefetched): one query for all its applications."""
    apps_by_line: dict[int, list[Application]] = {}
    for app in Application.objects.filter(order_id=order.pk):
        apps_by_line.setdefault(app.line_id, []).append(app)
    choices = []
    for line in order.lines.all():
        mine = apps_by_line.get(line.pk, [])
        open_app = next((app for app in mine if app.status in OPEN_VALUES), None)
        claimed = sum(app.quantity for app in mine if Status(app.status) in CLAIMING)
        fully = line.total_fen > 0 and line.refunded_fen >= line.total_fen
        left = 0 if fully else max(line.quantity - claimed, 0)
        choices.append(LineChoice(line=line, open_application=open_app, units_left=left))
    return choices


SYSTEM_ACTIONS = frozenset({Action.REFUND_SUCCEED, Action.REFUND_FAIL})  # the gateway's word, not a person's


def next_actions(app: Application) -> list[str]:
    """What people may do next (the gateway's refund outcome is not offered)."""
    return [
        action.value for action in allowed_actions(Kind(app.kind), Status(app.status)) if action not in SYSTEM_ACTIONS
    ]


def review_seconds_left(app: Application, *, now: datetime | None = None) -> int | None:
    """Seconds left to review (negative: overdue); None once reviewed."""
    if app.status != Status.APPLIED:
        return None
    return seconds_left(app.review_deadline, now or timezone.now())


def auto_rules() -> QuerySet[AutoApprovalRule]:
    return AutoApprovalRule.objects.select_related("created_by").order_by("kind", "stage", "max_fen", "pk")


def service_items(*, open_only: bool = True) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.select_related("resolved_by")
    return items.filter(status=ServiceItemStatus.OPEN) if open_only else items


# --- refund rates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """Sold and refunded units and money for one product, day or reason.

    Cohort figures: of what was paid for in the period, how much went back through after-sales
    (at any time up to now)."""

    key: str
    label: str
    sold_units: int
    sold_fen: int
    refunded_units: int
    refunded_fen: int

    @staticmethod
    def _percent(part: int, whole: int) -> Decimal | None:
        if whole <= 0:
            return None
        return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def unit_rate(self) -> Decimal | None:
        """Refunded units over sold units, in percent (two decimals); None when nothing sold."""
        return self._percent(self.refunded_units, self.sold_units)

    @property
    def amount_rate(self) -> Decimal | None:
        return self._percent(self.refunded_fen, self.sold_fen)


RATE_DIMENSIONS = ("product", "day", "reason")


def _order_lines() -> Any:
    # The sold side of the rate is the orders app's lines. There is no orders selector for sales
    # totals yet, so the model is fetched from the registry rather than imported (app boundary).
    return apps.get_model("orders", "OrderLine")._default_manager


def refund_rate(
    *, start: date, end: date, by: str = "product", product_ids: Iterable[int] | None = None
) -> list[RateRow]:
    """Refund rates for orders paid from `start` to `end` (inclusive, shop days), per product,
    per day of payment or per reason; `product_ids` narrows to some products (a campaign's).

    Rows are sorted by refunded units, most first (days: in date order)."""
    if by not in RATE_DIMENSIONS:
        raise ValueError(f"by must be one of {RATE_DIMENSIONS}")
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    lines = _order_lines().filter(order__paid_at__gte=since, order__paid_at__lt=until)
    refunded = Application.objects.filter(
        status=Status.REFUNDED, order__paid_at__gte=since, order__paid_at__lt=until
    ).exclude(kind=Kind.EXCHANGE)
    ids = sorted(set(product_ids)) if product_ids is not None else None
    if ids is not None:
        lines = lines.filter(product_id__in=ids)
        refunded = refunded.filter(line__product_id__in=ids)
    if by == "product":
        sold = {
            row["product_id"]: row
            for row in lines.values("product_id").annotate(
                units=Sum("quantity"), fen=Sum("total_fen"), title=_max_title()
            )
        }
        back = {
            row["line__product_id"]: row
            for row in refunded.values("line__product_id").annotate(units=Sum("quantity"), fen=Sum("refunded_fen"))
        }
        rows = [
            RateRow(
                key=str(product_id),
                label=str(sold[product_id]["title"]),
                sold_units=int(sold[product_id]["units"] or 0),
                sold_fen=int(sold[product_id]["fen"] or 0),
                refunded_units=int(back.get(product_id, {}).get("units") or 0),
                refunded_fen=int(back.get(product_id, {}).get("fen") or 0),
            )
            for product_id in sold
        ]
        return sorted(rows, key=lambda row: (-row.refunded_units, -row.sold_units, row.key))
    if by == "day":
        tz = timezone.get_current_timezone()
        sold_days = {
            row["day"]: row
            for row in lines.annotate(day=TruncDate("order__paid_at", tzinfo=tz))
            .values("day")
            .annotate(units=Sum("quantity"), fen=Sum("total_fen"))
        }
        back_days = {
            row["day"]: row
            for row in refunded.annotate(day=TruncDate("order__paid_at", tzinfo=tz))
            .values("day")
            .annotate(units=Sum("quantity"), fen=Sum("refunded_fen"))
        }
        days = []
        day = start
        while day <= end:
            sold_row, back_row = sold_days.get(day, {}), back_days.get(day, {})
            days.append(
                RateRow(
                    key=day.isoformat(),
                    label=day.isoformat(),
                    sold_units=int(sold_row.get("units") or 0),
                    sold_fen=int(sold_row.get("fen") or 0),
                    refunded_units=int(back_row.get("units") or 0),
                    refunded_fen=int(back_row.get("fen") or 0),
                )
            )
            day += timedelta(days=1)
        return days
    totals = lines.aggregate(units=Sum("quantity"), fen=Sum("total_fen"))
    sold_units, sold_fen = int(totals["units"] or 0), int(totals["fen"] or 0)
    back_reasons = {
        row["reason"]: row for row in refunded.values("reason").annotate(units=Sum("quantity"), fen=Sum("refunded_fen"))
    }
    rows = [
        RateRow(
            key=value,
            label=str(label),
            sold_units=sold_units,
            sold_fen=sold_fen,
            refunded_units=int(back_reasons.get(value, {}).get("units") or 0),
            refunded_fen=int(back_reasons.get(value, {}).get("fen") or 0),
        )
        for value, label in AfterSalesReason.choices
    ]
    return sorted(rows, key=lambda row: (-row.refunded_units, row.key))


def _max_title() -> Any:
    return Max("title")


def refund_rate_total(*, start: date, end: date, product_ids: Iterable[int] | None = None) -> RateRow:
    """One row for everything (or the given products) paid in the period: the campaign alert's figure."""
    rows = refund_rate(start=start, end=end, by="product", product_ids=product_ids)
    return RateRow(
        key="all",
        label=_("All products"),
        sold_units=sum(row.sold_units for row in rows),
        sold_fen=sum(row.sold_fen for row in rows),
        refunded_units=sum(row.refunded_units for row in rows),
        refunded_fen=sum(row.refunded_fen for row in rows),
    )


def refund_rate_csv(rows: Sequence[RateRow], *, by: str) -> str:
    """The rows as CSV (UTF-8 with BOM for Excel), amounts in yuan, rates in percent."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [
            {"product": _("Product"), "day": _("Day"), "reason": _("Reason")}[by],
            _("Units sold"),
            _("Sales (yuan)"),
            _("Units refunded"),
            _("Refunded (yuan)"),
            _("Unit refund rate %"),
            _("Amount refund rate %"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.label,
                row.sold_units,
                f"{Decimal(row.sold_fen) / 100:.2f}",
                row.refunded_units,
                f"{Decimal(row.refunded_fen) / 100:.2f}",
                "" if row.unit_rate is None else f"{row.unit_rate}",
                "" if row.amount_rate is None else f"{row.amount_rate}",
            ]
        )
    return buffer.getvalue()


STATUS_LABELS = dict(AfterSalesStatus.choices)


# --- gifts with purchase on refund --------------------------------------------------------------


@dataclass(frozen=True)
class GiftView:
    """A gift with purchase as the customer and the console see it: on an application (what its
    refund does to the gift, with the figure) or on an order (what its rule would do)."""

    label: str  # the promotion, e.g. "满250赠帆布袋"
    title: str
    sku_code: str
    units: int
    rule: str
    rule_label: str
    state: str
    state_label: str
    value_fen: int  # what the units are worth (list price when the order was placed)
    charged_fen: int  # what came off (or, on an open application, is expected to come off) the refund
    returned: str
    returned_label: str
    settled: bool
    notice: str  # what it means for the customer, in a sentence


def _money(fen: int) -> str:
    return str(Money(fen))


def _application_notice(gift: OrderGift, app: Application) -> str:
    value = _money(gift.value_fen)
    state = GiftState(gift.state)
    if state is GiftState.RETURNED:
        return _("The gift came back: nothing came off the refund for it.")
    if state is GiftState.CHARGED:
        return _("%(amount)s came off the refund for the gift you kept.") % {"amount": _money(gift.charged_fen)}
    if state is GiftState.CANCELLED:
        return _("The gift was taken out of the parcel with the goods.")
    if state is GiftState.WITHHELD:
        return _("The gift is not sent: the refund took the order below what earned it.")
    if state is GiftState.HELD:
        return _("The gift will not be sent: this refund takes the order below what earned it.")
    if gift.rule == GiftRule.RECOVER and app.kind == Kind.RETURN_REFUND:
        return _("Send the gift back with the goods: if it is missing or damaged, %(value)s comes off the refund.") % {
            "value": value
        }
    if gift.rule == GiftRule.RECOVER and app.kind == Kind.REFUND_ONLY and app.stage == Stage.BEFORE_SHIPMENT:
        return _("The gift is not shipped either.")
    return _("You keep the gift: %(value)s comes off the refund.") % {"value": value}


def _view(gift: OrderGift, notice: str, *, charged_fen: int | None = None) -> GiftView:
    return GiftView(
        label=gift.label,
        title=gift.title,
        sku_code=gift.sku_code,
        units=gift.units,
        rule=gift.rule,
        rule_label=str(GiftRefundRule(gift.rule).label),
        state=gift.state,
        state_label=str(GiftStateChoice(gift.state).label),
        value_fen=gift.value_fen,
        charged_fen=gift.charged_fen if charged_fen is None else charged_fen,
        returned=gift.returned,
        returned_label=str(GiftReturnChoice(gift.returned).label) if gift.returned else "",
        settled=gift.settled,
        notice=notice,
    )


def application_gifts(app: Application) -> list[GiftView]:
    """The gifts this application takes the order below what earned them (expected while it is
    open, for good once its refund started), each with what that means and its figure: while the
    refund has not started, what is expected to come off (within the application's share)."""
    gifts = sorted(app.gifts.all(), key=lambda gift: gift.pk)
    if not gifts:
        return []
    started = app.status in {s.value for s in (Status.REFUNDING, Status.REFUND_FAILED, Status.REFUNDED)}
    expected: list[int] = []
    for gift in gifts:
        outcome = None
        if not started and not gift.settled and app.kind != Kind.EXCHANGE:
            outcome = expected_outcome(
                rule=GiftRule(gift.rule),
                state=GiftState(gift.state),
                kind=Kind(app.kind),
                stage=Stage(app.stage),
                units=gift.units,
                returned=GiftReturn(gift.returned) if gift.returned else None,
            )
        expected.append(outcome.charged_units * gift.unit_value_fen if outcome is not None else gift.charged_fen)
    charged = amounts.gift_deductions(app.share_fen, expected) if not started else expected
    return [
        _view(gift, _application_notice(gift, app), charged_fen=fen) for gift, fen in zip(gifts, charged, strict=True)
    ]


def _rule_notice(rule: str, state: str, value_fen: int) -> str:
    value = _money(value_fen)
    if rule == GiftRule.AFTER_RECEIPT and state == GiftState.HELD:
        return _(
            "It is sent once you have received the goods; if a refund takes the order below what earned it "
            "before then, it is not sent."
        )
    if rule == GiftRule.RECOVER:
        return _(
            "If a refund takes the order below what earned it, send the gift back with the goods (if it is "
            "missing or damaged, %(value)s comes off the refund); before shipment it is not shipped either."
        ) % {"value": value}
    return _(
        "If a refund takes the order below what earned it, you keep the gift and %(value)s comes off the refund."
    ) % {"value": value}


def order_gift_terms(*, order: Any) -> list[GiftView]:
    """The gifts an order came with that are still the customer's to lose, each with what its rule
    does on a refund that takes the order below what earned it (for the apply page)."""
    tracked = {gift.use_id: gift for gift in OrderGift.objects.filter(order_id=order.pk)}
    lines = {line.pk: line for line in order.lines.all()}
    views = []
    for fact in promotions.order_gifts(order_id=order.pk):
        gift = tracked.get(fact.use_id)
        if gift is None:
            line = lines.get(fact.line_id) if fact.line_id is not None else None
            unit = (
                promotions.gift_unit_value(sku_id=fact.sku_id, product_id=line.product_id, at=order.placed_at).fen
                if line is not None and fact.sku_id is not None
                else 0
            )
            gift = OrderGift(
                use_id=fact.use_id,
                label=fact.label,
                title=line.title if line is not None else "",
                sku_code=line.sku_code if line is not None else "",
                units=fact.units,
                rule=fact.refund_rule,
                unit_value_fen=unit,
            )
        if gift.settled:
            continue
        views.append(_view(gift, _rule_notice(gift.rule, gift.state, gift.value_fen), charged_fen=0))
    return views


@dataclass(frozen=True)
class GiftsToInspect:
    """The order's gifts the warehouse may find in this returned parcel, and whether it must say
    what came back of them (the return is to bring a recovered gift back)."""

    gifts: list[OrderGift]
    required: bool


def gifts_to_inspect(app: Application) -> GiftsToInspect:
    """Gifts not settled yet that are with the customer (sent with the goods, or after receipt)."""
    found = list(
        OrderGift.objects.filter(order_id=app.order_id, state__in=[GiftState.KEPT, GiftState.SENT]).order_by("pk")
    )
    required = any(gift.application_id == app.pk and gift.rule == GiftRule.RECOVER for gift in found)
    return GiftsToInspect(gifts=found, required=required)
