"""`{% shop_customer as shopper %}`: the signed-in customer's profile (None for visitors and staff), for the header."""

from __future__ import annotations

from typing import Any

from django import template

from shopkeeper.customers import selectors as customers

register = template.Library()


@register.simple_tag(takes_context=True)
def shop_customer(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return customers.customer_profile(request.user) if request is not None else None
