"""The carriers' tracking callback: /fulfillment/carriers/<code>/notify/ (signed form posts)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shopkeeper.core.errors import NotFound, PermissionDenied
from shopkeeper.core.permissions import public
from shopkeeper.fulfillment import services
from shopkeeper.fulfillment.domain.tracking import ANSWER_OK


@public
@csrf_exempt
@require_POST
def carrier_notify(request: HttpRequest, code: str) -> HttpResponse:
    """Answer "success" once the notice is recorded (or was already); 403 for a bad signature."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    try:
        services.tracking_notice_handle(carrier_code=code, params=params)
    except PermissionDenied:
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    except NotFound:
        return HttpResponse("unknown carrier", status=404, content_type="text/plain")
    return HttpResponse(ANSWER_OK, content_type="text/plain")
