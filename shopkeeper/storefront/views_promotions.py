"""Promotions in the shop: the badges on a product page ("满200减30", "第2件半价"), the member
price of the shopper's tier (and a higher tier's as a teaser), and choosing the coupons of the
cart (the cart page shows what applies and why)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from shopkeeper.checkout import services as checkout
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.customers import selectors as customers
from shopkeeper.promotions import selectors
from shopkeeper.storefront.panels import Panel


def _running(request: HttpRequest) -> list[Any]:
    """The running promotions, read once per request for the panels that show them."""
    found: list[Any] | None = getattr(request, "_running_promotions", None)
    if found is None:
        found = selectors.running_promotions()
        request._running_promotions = found  # type: ignore[attr-defined]
    return found


def promotion_badges_panel(request: HttpRequest, page: Any) -> Panel | None:
    """The running promotions that reach this product, as badges (one query per page, shared
    with the member-price panel)."""
    product = page.product
    labels = selectors.product_page_badges(
        product_id=product.pk,
        brand_id=product.brand_id,
        category_ids=[node.pk for node in page.breadcrumb],
        scene_ids=[scene.pk for scene in page.scenes],
        sku_ids=[sku.id for sku in page.skus],
        running=_running(request),
    )
    if not labels:
        return None
    return Panel("storefront/promotions/_badges.html", {"labels": labels})


def member_price_panel(request: HttpRequest, page: Any) -> Panel | None:
    """The member price of the shopper's tier, and a higher tier's better one as a teaser
    ("黄金会员价 ¥159.00"), from the running member-price promotions (read once per page)."""
    product = page.product
    profile = customers.customer_profile(request.user)
    offers = selectors.product_member_prices(
        product_id=product.pk,
        brand_id=product.brand_id,
        category_ids=[node.pk for node in page.breadcrumb],
        scene_ids=[scene.pk for scene in page.scenes],
        sku_prices={sku.id: sku.price.fen for sku in page.skus},
        tier=profile.tier if profile is not None else None,
        running=_running(request),
    )
    if not offers.any:
        return None
    return Panel(
        "storefront/promotions/_member_price.html",
        {"mine": offers.mine, "teaser": offers.teaser, "signed_in": profile is not None},
    )


@require_POST
@public
def cart_coupons(request: HttpRequest) -> HttpResponse:
    """The customer picks a coupon for the cart ("auto": the best one; "none": no coupon)."""
    user = request.user
    if not (isinstance(user, User) and customers.is_customer(user)):
        return redirect("storefront:cart")
    choice = request.POST.get("coupon", "auto")
    coupon_ids: list[int] | None
    if choice == "auto":
        coupon_ids = None
    elif choice == "none":
        coupon_ids = []
    elif choice.isdigit():
        coupon_ids = [int(choice)]
    else:
        return redirect("storefront:cart")
    try:
        checkout.cart_choose_coupons(cart=checkout.cart_for_customer(user), coupon_ids=coupon_ids)
    except ShopkeeperError as refused:
        messages.error(request, refused.message)
    back = request.POST.get("back", "")
    if back == "checkout":
        return redirect("storefront:checkout")
    return redirect("storefront:cart")
