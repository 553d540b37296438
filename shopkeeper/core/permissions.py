"""Declaring and checking the permission every API endpoint and console page needs.

`requires(perm)` wraps a view or an API operation, refuses with 403 when the user lacks the
permission, and records the permission on the function so a test can prove every route
declares one. `public` marks the few routes that need none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shopkeeper.core.errors import PermissionDenied

F = TypeVar("F", bound=Callable[..., Any])

PERMISSION_ATTR = "shopkeeper_permission"
PUBLIC = "public"


def requires(permission: str, *, api: bool = False) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.has_perm(permission):
                if api:
                    raise PermissionDenied(
                        _("You do not have permission to do this"),
                        details={"permission": permission},
                    )
                raise DjangoPermissionDenied(permission)
            return func(request, *args, **kwargs)

        setattr(wrapper, PERMISSION_ATTR, permission)
        return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature

    return decorate


def public(func: F) -> F:
    setattr(func, PERMISSION_ATTR, PUBLIC)
    return func


def declared_permission(func: Callable[..., Any]) -> str | None:
    return getattr(func, PERMISSION_ATTR, None)
