"""Plain views of core: the health endpoint and the error pages (HTML or JSON by path)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shopkeeper.core.errors import ErrorCode, error_payload
from shopkeeper.core.health import run_checks
from shopkeeper.core.permissions import public


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks()
    healthy = all(result.ok for result in results)
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {result.name: {"ok": result.ok, "ms": result.millis, "detail": result.detail} for result in results},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_payload(ErrorCode.NOT_FOUND, f"No API route at {request.path}", {"path": request.path}),
            status=404,
        )
    return render(request, "404.html", {"path": request.path}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_payload(ErrorCode.PERMISSION_DENIED, "Forbidden"), status=403)
    return render(request, "403.html", {"permission": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_payload(ErrorCode.BAD_REQUEST, "Bad request"), status=400)
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_payload(ErrorCode.SERVER_ERROR, "Internal error; it has been logged"), status=500)
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_payload(
                ErrorCode.PERMISSION_DENIED,
                "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header",
                {"reason": reason},
            ),
            status=403,
        )
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
