"""`{% load money %}` then `{{ order.total_fen|fen }}` → "¥1,299.00": amounts kept in fen, shown in yuan."""

from __future__ import annotations

from django import template

from shopkeeper.core.domain.money import Money

register = template.Library()


@register.filter
def fen(value: object) -> str:
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    return str(Money(value))
