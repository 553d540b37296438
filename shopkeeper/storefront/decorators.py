"""`customer_page`: a storefront page for the signed-in customer.

Visitors, and staff whose console session is open in the same browser, are sent to the
storefront's sign-in page with `?next=` back to where they were: a staff account is not a
customer and sees no customer's data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from shopkeeper.core.permissions import PERMISSION_ATTR
from shopkeeper.customers import selectors as customers

F = TypeVar("F", bound=Callable[..., HttpResponse])

CUSTOMER = "customer"  # the declared permission of customer pages


def customer_page(func: F) -> F:
    @functools.wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not customers.is_customer(request.user):
            return redirect_to_login(request.get_full_path(), login_url=reverse("storefront:account_login"))
        return func(request, *args, **kwargs)

    setattr(wrapper, PERMISSION_ATTR, CUSTOMER)  # read by the route test
    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature
