from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

CART_SESSION_KEY = "cart_token"  # the guest cart's token in the session (storefront sets it)


def merge_guest_cart(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At sign-in, a customer's guest cart joins their own cart."""
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.get(CART_SESSION_KEY)
    if not token:
        return
    from shopkeeper.checkout import services
    from shopkeeper.customers import selectors as customers

    if customers.customer_profile(user) is None:
        return  # staff signing in to the console keep their guest cart as it is
    services.cart_merge_guest(customer=user, guest_token=token)
    request.session.pop(CART_SESSION_KEY, None)


class CheckoutConfig(AppConfig):
    name = "shopkeeper.checkout"
    label = "checkout"
    verbose_name = _("Checkout")

    def ready(self) -> None:
        user_logged_in.connect(merge_guest_cart, dispatch_uid="checkout.merge_guest_cart")
