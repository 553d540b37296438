"""The one NinjaAPI at /api/v1: authentication, the error shape, and every app's router."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from shopkeeper.catalog.api import router as catalog_router
from shopkeeper.core.api import router as core_router
from shopkeeper.core.auth import API_AUTH
from shopkeeper.core.errors import STATUS_BY_CODE, ErrorCode, ShopkeeperError, error_payload

api = NinjaAPI(
    title="Shopkeeper API",
    version="1",
    description=(
        "The REST API of Shopkeeper. Authenticate with a personal API token "
        "(`Authorization: Bearer skt_…`) or the console session. Every 4xx answer has the shape "
        '`{"code", "message", "details"}`. Lists take `limit` and `offset` and answer '
        '`{"items": [...], "count": N}`.'
    ),
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/", core_router)
api.add_router("/catalog", catalog_router)
api.add_router("/catalog", "shopkeeper.catalog.api_imports.router")  # import/export jobs and sheets
api.add_router("/catalog", "shopkeeper.catalog.api_reviews.router")  # review moderation
api.add_router("/shop", "shopkeeper.catalog.api_storefront.router")  # storefront reads, anonymous
# --- inventory routers ---
api.add_router("/inventory", "shopkeeper.inventory.api.router")  # warehouses, stock, ledger, alerts
# --- customers routers ---
api.add_router("/shop/account", "shopkeeper.customers.api.router")  # customer sign-in, me, addresses
api.add_router("/customers", "shopkeeper.customers.api_staff.router")  # staff: look customers up, set tiers
# --- payments routers ---
api.add_router("/payments", "shopkeeper.payments.api.router")  # staff reads of payments and refunds
# --- checkout and orders routers ---
api.add_router("/shop", "shopkeeper.checkout.api_shop.router")  # the customer's cart, checkout and orders
api.add_router("/orders", "shopkeeper.orders.api.router")  # the order desk (staff)
# --- fulfillment routers ---
api.add_router("/fulfillment", "shopkeeper.fulfillment.api.router")  # queue, shipments, ship, tracking
api.add_router("/shop", "shopkeeper.fulfillment.api_shop.router")  # my parcels, confirm receipt
# --- aftersales routers ---
api.add_router("/aftersales", "shopkeeper.aftersales.api.router")  # the after-sales desk (staff)
api.add_router("/shop/aftersales", "shopkeeper.aftersales.api_shop.router")  # the customer's applications
# --- promotions routers (rules) ---
api.add_router("/promotions", "shopkeeper.promotions.api.router")  # promotions, verdict, preview, simulator
# --- coupons routers ---
api.add_router("/coupons", "shopkeeper.promotions.coupons.api.router")  # coupon templates, CS issuance (staff)
api.add_router("/shop/coupons", "shopkeeper.promotions.coupons.api_shop.router")  # claim centre, my coupons
# --- flash sale routers ---
api.add_router("/flash", "shopkeeper.promotions.flash.api.router")  # flash sales, sessions, items (staff)
api.add_router("/shop/flash", "shopkeeper.promotions.flash.api.shop_router")  # the customer's flash-sale grab
# --- presale routers ---
api.add_router("/shop", "shopkeeper.promotions.presale.api_shop.router")  # presales: deposit and balance
api.add_router("/presales", "shopkeeper.promotions.presale.api.router")  # the campaign operator's presales
# --- group buy and lottery routers ---
api.add_router("/groupbuys", "shopkeeper.promotions.groupbuy.api.router")  # group buys and counters (staff)
api.add_router("/shop/groups", "shopkeeper.promotions.groupbuy.api_shop.router")  # open, join, show a group
api.add_router("/lotteries", "shopkeeper.promotions.lottery.api.router")  # lotteries and draw logs (staff)

CSRF_MESSAGE = "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header"


def _respond(
    request: HttpRequest, code: ErrorCode, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(request, error_payload(code, message, details), status=STATUS_BY_CODE[code])


@api.exception_handler(ShopkeeperError)
def _shopkeeper_error(request: HttpRequest, exc: ShopkeeperError) -> HttpResponse:
    return api.create_response(request, exc.as_payload(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    return _respond(request, ErrorCode.VALIDATION, "The request has invalid fields", {"fields": fields})


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _respond(
        request,
        ErrorCode.UNAUTHENTICATED,
        "Sign in to the console or send a valid personal API token (Authorization: Bearer …)",
    )


@api.exception_handler(AuthorizationError)
def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _respond(request, ErrorCode.PERMISSION_DENIED, str(exc) or "Forbidden")


@api.exception_handler(DjangoPermissionDenied)
def _django_permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    message = str(exc)
    if "CSRF" in message:
        return _respond(request, ErrorCode.PERMISSION_DENIED, CSRF_MESSAGE, {"header": "X-CSRFToken"})
    return _respond(request, ErrorCode.PERMISSION_DENIED, "You do not have permission to do this")


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    details: dict[str, Any] = (
        {key: list(value) for key, value in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"messages": list(exc.messages)}
    )
    return _respond(request, ErrorCode.VALIDATION, "The request has invalid values", details)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, ErrorCode.NOT_FOUND, str(exc) or "Not found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:
        # Ninja wraps body parse failures in a 400; callers get a 422 naming the problem.
        message = (
            f"{cause.msg} at line {cause.lineno} column {cause.colno}"
            if isinstance(cause, json.JSONDecodeError)
            else str(cause)
        )
        return _respond(
            request,
            ErrorCode.VALIDATION,
            "The request body is not valid JSON",
            {"fields": [{"loc": ["body"], "message": message, "type": "json_invalid"}]},
        )
    code = next((c for c, status in STATUS_BY_CODE.items() if status == exc.status_code), ErrorCode.BAD_REQUEST)
    if exc.status_code == 403 and "CSRF" in exc.message:
        return _respond(request, code, CSRF_MESSAGE, {"header": "X-CSRFToken"})
    return _respond(request, code, exc.message)
