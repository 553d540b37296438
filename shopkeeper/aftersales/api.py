"""The after-sales desk's API (staff): the queue, one application, approve/refuse, receive and
inspect, retry a refund, the automatic rules and refund rates.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from datetime import date, timedelta
from decimal import InvalidOperation

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from shopkeeper.aftersales import selectors, services
from shopkeeper.aftersales.schemas import (
    ApplicationOut,
    ApplicationPageOut,
    InspectIn,
    NoteIn,
    RateOut,
    ReceiveIn,
    RuleIn,
    RuleOut,
    application_out,
    rate_out,
)
from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import (
    DECIDE_AFTERSALES,
    HANDLE_AFTERSALES,
    INSPECT_RETURNS,
    MANAGE_AFTERSALES_RULES,
    VIEW_AFTERSALES,
    VIEW_REFUND_RATES,
)
from shopkeeper.core.schemas import money_out
from shopkeeper.core.services import ActorContext

router = Router(tags=["after-sales (staff)"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _app(number: str) -> object:
    app = selectors.application_get(number=number)
    if app is None:
        raise NotFound("No such after-sales application", details={"number": number})
    return app


class QueueIn(Schema):
    status: str = ""
    kind: str = ""
    reason: str = ""
    overdue: bool = False
    applied_from: date | None = None
    applied_to: date | None = None
    q: str = ""
    limit: int = 50
    offset: int = 0


@router.get("/applications", response=ApplicationPageOut, summary="The queue: awaiting review first, by deadline")
@requires(VIEW_AFTERSALES, api=True)
def application_list(request: HttpRequest, query: Query[QueueIn]) -> ApplicationPageOut:
    filters = selectors.QueueFilters(
        status=query.status,
        kind=query.kind,
        reason=query.reason,
        overdue=query.overdue,
        applied_from=query.applied_from,
        applied_to=query.applied_to,
        q=query.q,
    )
    queryset = selectors.application_queue(filters)
    limit, offset = max(1, min(query.limit, 200)), max(query.offset, 0)
    page = list(queryset[offset : offset + limit])
    return ApplicationPageOut(items=[application_out(app, with_events=False) for app in page], count=queryset.count())


@router.get("/applications/{number}", response=ApplicationOut, summary="One application with its timeline")
@requires(VIEW_AFTERSALES, api=True)
def application_get(request: HttpRequest, number: str) -> ApplicationOut:
    return application_out(_app(number))


@router.post("/applications/{number}/approve", response=ApplicationOut, summary="Approve (twice is once)")
@requires(HANDLE_AFTERSALES, api=True)
def application_approve(request: HttpRequest, number: str, payload: NoteIn) -> ApplicationOut:
    app = _app(number)
    services.application_approve(application_id=app.pk, actor=_actor(request), note=payload.note)  # type: ignore[attr-defined]
    return application_out(_app(number))


@router.post("/applications/{number}/refuse", response=ApplicationOut, summary="Refuse, saying why")
@requires(DECIDE_AFTERSALES, api=True)
def application_refuse(request: HttpRequest, number: str, payload: NoteIn) -> ApplicationOut:
    app = _app(number)
    services.application_refuse(application_id=app.pk, actor=_actor(request), note=payload.note)  # type: ignore[attr-defined]
    return application_out(_app(number))


@router.post("/applications/{number}/receive", response=ApplicationOut, summary="The returned parcel arrived")
@requires(INSPECT_RETURNS, api=True)
def application_receive(request: HttpRequest, number: str, payload: ReceiveIn) -> ApplicationOut:
    app = _app(number)
    services.application_receive(application_id=app.pk, warehouse_id=payload.warehouse_id, actor=_actor(request))  # type: ignore[attr-defined]
    return application_out(_app(number))


@router.post(
    "/applications/{number}/inspect", response=ApplicationOut, summary="Pass (to stock) or damaged (write-off)"
)
@requires(INSPECT_RETURNS, api=True)
def application_inspect(request: HttpRequest, number: str, payload: InspectIn) -> ApplicationOut:
    app = _app(number)
    services.application_inspect(
        application_id=app.pk,  # type: ignore[attr-defined]
        result=payload.result,
        note=payload.note,
        gift_result=payload.gift_result,
        actor=_actor(request),
    )
    return application_out(_app(number))


@router.post("/applications/{number}/refund-retry", response=ApplicationOut, summary="Ask again for a refused refund")
@requires(HANDLE_AFTERSALES, api=True)
def application_refund_retry(request: HttpRequest, number: str) -> ApplicationOut:
    app = _app(number)
    services.application_refund_retry(application_id=app.pk, actor=_actor(request))  # type: ignore[attr-defined]
    return application_out(_app(number))


@router.get("/rules", response=list[RuleOut], summary="The automatic approval rules")
@requires(MANAGE_AFTERSALES_RULES, api=True)
def rule_list(request: HttpRequest) -> list[RuleOut]:
    return [
        RuleOut(id=r.pk, kind=r.kind, stage=r.stage, max_amount=money_out(r.max_fen)) for r in selectors.auto_rules()
    ]


@router.post("/rules", response={201: RuleOut}, summary="Add an automatic approval rule")
@requires(MANAGE_AFTERSALES_RULES, api=True)
def rule_create(request: HttpRequest, payload: RuleIn) -> Status[RuleOut]:
    try:
        ceiling = Money.from_yuan(payload.max_amount)
    except (MoneyError, InvalidOperation, ValueError) as bad:
        raise ValidationFailed(
            "max_amount must be an amount in yuan", details={"max_amount": payload.max_amount}
        ) from bad
    rule = services.auto_rule_create(kind=payload.kind, stage=payload.stage, max_amount=ceiling, actor=_actor(request))
    return Status(201, RuleOut(id=rule.pk, kind=rule.kind, stage=rule.stage, max_amount=money_out(rule.max_fen)))


@router.delete("/rules/{rule_id}", response={204: None}, summary="Remove a rule")
@requires(MANAGE_AFTERSALES_RULES, api=True)
def rule_delete(request: HttpRequest, rule_id: int) -> Status[None]:
    services.auto_rule_delete(rule_id=rule_id, actor=_actor(request))
    return Status(204, None)


class RatesIn(Schema):
    by: str = "product"
    date_from: date | None = None
    date_to: date | None = None
    product_ids: list[int] | None = None
    format: str = "json"


@router.get(
    "/refund-rates", response=list[RateOut], summary="Refund rates by product, day or reason (CSV with format=csv)"
)
@requires(VIEW_REFUND_RATES, api=True)
def refund_rates(request: HttpRequest, query: Query[RatesIn]) -> object:
    if query.by not in selectors.RATE_DIMENSIONS:
        raise ValidationFailed("by must be product, day or reason", details={"by": query.by})
    end = query.date_to or timezone.localdate()
    start = query.date_from or end - timedelta(days=29)
    if start > end or (end - start).days > 366:
        raise ValidationFailed(
            "Give a period of at most 366 days, from before to", details={"from": str(start), "to": str(end)}
        )
    rows = selectors.refund_rate(start=start, end=end, by=query.by, product_ids=query.product_ids)
    if query.format == "csv":
        response = HttpResponse(selectors.refund_rate_csv(rows, by=query.by), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="refund-rate-{query.by}-{start}-{end}.csv"'
        return response
    return [rate_out(row) for row in rows]
