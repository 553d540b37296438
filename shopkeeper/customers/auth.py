"""How the customer endpoints of the API know the caller: the storefront's sign-in session.

Staff authentication (`core.auth.API_AUTH`: personal tokens and the console session) is left as
it is; these endpoints accept only a customer's session, and refuse staff sessions and tokens.
Writes need the CSRF token in the X-CSRFToken header, like every session write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie

from shopkeeper.core.errors import ErrorCode, ShopkeeperError
from shopkeeper.core.permissions import PERMISSION_ATTR
from shopkeeper.customers.errors import NotACustomer
from shopkeeper.customers.selectors import customer_profile

CUSTOMER = "customer"  # the permission customer pages and endpoints declare
F = TypeVar("F", bound=Callable[..., Any])


class CustomerSessionAuth(APIKeyCookie):
    """The customer's storefront session cookie (with the X-CSRFToken header on writes)."""

    param_name: str = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "A customer's storefront session (sign in with POST /api/v1/shop/account/login); "
        "writes need the X-CSRFToken header."
    )

    def __call__(self, request: HttpRequest) -> Any:
        # Who is calling before CSRF: a visitor hears "sign in" (401), not "CSRF" (403).
        if not request.user.is_authenticated:
            raise ShopkeeperError(
                _("Sign in with your mobile number and password first"), code=ErrorCode.UNAUTHENTICATED
            )
        if customer_profile(request.user) is None:
            raise NotACustomer(
                _("These endpoints are for customer accounts; staff accounts have none of this data"),
                details={"account": "staff"},
            )
        return super().__call__(request)  # checks CSRF on writes, then authenticate()

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user


def customer_operation(func: F) -> F:
    """Marks an API operation as the signed-in customer's own (the route test reads the mark)."""
    setattr(func, PERMISSION_ATTR, CUSTOMER)
    return func
