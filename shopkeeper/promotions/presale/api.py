"""Staff presale endpoints at /api/v1/presales: the campaign operator sets presales up, pauses
and resumes them; the director (and store operator) read them with their live counters.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from django.http import HttpRequest
from ninja import Router, Status

from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import MANAGE_PROMOTIONS, VIEW_PROMOTIONS
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.presale import selectors, services
from shopkeeper.promotions.presale.models import Presale
from shopkeeper.promotions.presale.schemas import PresaleDetailOut, PresaleIn, PresaleOut, detail_out, presale_out

router = Router(tags=["presales"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _get(presale_id: int) -> Presale:
    presale = selectors.presale_get(presale_id)
    if presale is None:
        raise NotFound("No such presale", details={"presale_id": presale_id})
    return presale


def _input(payload: PresaleIn) -> services.PresaleInput:
    return services.PresaleInput(**payload.dict())


@router.get("", response=list[PresaleOut], summary="Presales, newest first")
@requires(VIEW_PROMOTIONS, api=True)
def presale_list(request: HttpRequest) -> list[dict[str, object]]:
    return [presale_out(p) for p in selectors.presale_list()]


@router.post("", response={201: PresaleDetailOut}, summary="Set up a deposit presale (terms checked, margin guarded)")
@requires(MANAGE_PROMOTIONS, api=True)
def presale_create(request: HttpRequest, payload: PresaleIn) -> Status[dict[str, object]]:
    presale = services.presale_create(data=_input(payload), actor=_actor(request))
    return Status(201, detail_out(_get(presale.pk)))


@router.get("/{presale_id}", response=PresaleDetailOut, summary="One presale with its live counters")
@requires(VIEW_PROMOTIONS, api=True)
def presale_get(request: HttpRequest, presale_id: int) -> dict[str, object]:
    return detail_out(_get(presale_id))


@router.put(
    "/{presale_id}", response=PresaleDetailOut, summary="Change a presale (money terms fixed once deposits are in)"
)
@requires(MANAGE_PROMOTIONS, api=True)
def presale_update(request: HttpRequest, presale_id: int, payload: PresaleIn) -> dict[str, object]:
    services.presale_update(presale_id=presale_id, data=_input(payload), actor=_actor(request))
    return detail_out(_get(presale_id))


@router.post("/{presale_id}/pause", response=PresaleDetailOut, summary="Stop taking deposits")
@requires(MANAGE_PROMOTIONS, api=True)
def presale_pause(request: HttpRequest, presale_id: int) -> dict[str, object]:
    services.presale_set_status(presale_id=presale_id, status="paused", actor=_actor(request))
    return detail_out(_get(presale_id))


@router.post("/{presale_id}/resume", response=PresaleDetailOut, summary="Take deposits again")
@requires(MANAGE_PROMOTIONS, api=True)
def presale_resume(request: HttpRequest, presale_id: int) -> dict[str, object]:
    services.presale_set_status(presale_id=presale_id, status="active", actor=_actor(request))
    return detail_out(_get(presale_id))
