"""`console_page(perm)`: sign-in required (redirect to login), then the permission (403)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required

from shopkeeper.core.permissions import PERMISSION_ATTR, requires

F = TypeVar("F", bound=Callable[..., Any])


def console_page(permission: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        guarded = requires(permission)(func)
        wrapped: F = login_required(guarded)
        setattr(wrapped, PERMISSION_ATTR, permission)  # read by the route test
        return wrapped

    return decorate
