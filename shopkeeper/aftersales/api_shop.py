"""The customer's after-sales API on the storefront session: apply for one line, my
applications, cancel, ship the return.

No `from __future__ import annotations` here: django-ninja reads these annotations at import time.
"""

from django.http import HttpRequest
from ninja import Router, Status

from shopkeeper.aftersales import selectors, services
from shopkeeper.aftersales.schemas import ApplicationOut, ApplicationPageOut, ApplyIn, ShipReturnIn, application_out
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation

router = Router(tags=["shop: my after-sales"], auth=CustomerSessionAuth())


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.STOREFRONT)


def _mine(request: HttpRequest, number: str) -> object:
    app = selectors.application_for_customer(customer=_me(request), number=number)
    if app is None:
        raise NotFound("No such after-sales application", details={"number": number})
    return app


@router.get("", response=ApplicationPageOut, summary="My applications, newest first")
@customer_operation
def my_applications(request: HttpRequest, limit: int = 20, offset: int = 0) -> ApplicationPageOut:
    queryset = selectors.applications_of_customer(_me(request)).prefetch_related("gifts")
    limit, offset = max(1, min(limit, 100)), max(offset, 0)
    return ApplicationPageOut(
        items=[application_out(app, with_events=False) for app in queryset[offset : offset + limit]],
        count=queryset.count(),
    )


@router.post("", response={201: ApplicationOut}, summary="Apply for after-sales on one order line")
@customer_operation
def apply(request: HttpRequest, payload: ApplyIn) -> Status[ApplicationOut]:
    app = services.application_apply(
        customer=_me(request),
        order_number=payload.order_number,
        line_id=payload.line_id,
        kind=payload.kind,
        reason=payload.reason,
        quantity=payload.quantity,
        description=payload.description,
        photos=payload.photos,
        actor=_actor(request),
    )
    return Status(201, application_out(_mine(request, app.number)))


@router.get("/{number}", response=ApplicationOut, summary="One of my applications with its timeline")
@customer_operation
def my_application(request: HttpRequest, number: str) -> ApplicationOut:
    return application_out(_mine(request, number))


@router.post("/{number}/cancel", response=ApplicationOut, summary="Withdraw an application not yet under way")
@customer_operation
def cancel(request: HttpRequest, number: str) -> ApplicationOut:
    app = _mine(request, number)
    services.application_cancel(application_id=app.pk, customer=_me(request), actor=_actor(request))  # type: ignore[attr-defined]
    return application_out(_mine(request, number))


@router.post("/{number}/ship", response=ApplicationOut, summary="I sent the goods back: carrier and tracking number")
@customer_operation
def ship(request: HttpRequest, number: str, payload: ShipReturnIn) -> ApplicationOut:
    app = _mine(request, number)
    services.application_ship_return(
        application_id=app.pk,  # type: ignore[attr-defined]
        customer=_me(request),
        carrier=payload.carrier,
        tracking_no=payload.tracking_no,
        actor=_actor(request),
    )
    return application_out(_mine(request, number))
