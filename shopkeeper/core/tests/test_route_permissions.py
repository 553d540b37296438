"""Every console page and every API operation declares the permission it needs (or `public`)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from shopkeeper.config.api import api
from shopkeeper.core.permissions import declared_permission


def _console_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    found: list[URLPattern] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (prefix + str(pattern.pattern)).startswith("console/"):
                found.append(pattern)

    walk(resolver.url_patterns, "")
    return found


def test_every_console_page_declares_a_permission() -> None:
    patterns = _console_patterns()
    assert len(patterns) >= 10
    missing = [str(p.pattern) for p in patterns if declared_permission(p.callback) is None]
    assert missing == []


def test_every_api_operation_declares_a_permission() -> None:
    operations = [
        (path, operation)
        for _prefix, router in api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
    ]
    assert len(operations) >= 10
    missing = [f"{','.join(op.methods)} {path}" for path, op in operations if declared_permission(op.view_func) is None]
    assert missing == []
