"""Keep the API's error shape for answers Django produces before the API runs (404, 405, 403).

Unknown /api/ routes with DEBUG on, wrong HTTP methods and CSRF refusals would otherwise come
back as HTML or plain text; clients always get {"code", "message", "details"} instead.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from shopkeeper.core.errors import STATUS_BY_CODE, ErrorCode, error_payload

_CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}


def api_error_shape(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code = _CODE_BY_STATUS.get(response.status_code, ErrorCode.BAD_REQUEST)
        messages = {
            ErrorCode.NOT_FOUND: _("No API route at %(path)s") % {"path": request.path},
            ErrorCode.METHOD_NOT_ALLOWED: _("%(method)s is not allowed on %(path)s")
            % {"method": request.method, "path": request.path},
        }
        details: dict[str, object] = {"path": request.path}
        if code is ErrorCode.METHOD_NOT_ALLOWED and response.has_header("Allow"):
            details["allowed"] = [m.strip() for m in response["Allow"].split(",")]
        shaped = JsonResponse(
            error_payload(code, messages.get(code, _("Request refused")), details), status=response.status_code
        )
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped

    return middleware
