"""Coupon pages of the shop: the claim centre (领券中心), "my coupons" (我的优惠券) with the
available / used / expired tabs, and the claimable coupons on a product page (a product panel).

Rules live in the coupons services; these views call them and show refusals as messages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ShopkeeperError
from shopkeeper.core.models import User
from shopkeeper.core.permissions import public
from shopkeeper.customers import selectors as customers
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, CouponState
from shopkeeper.storefront.decorators import customer_page
from shopkeeper.storefront.panels import Panel


def _shopper(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and customers.is_customer(user) else None


def _back(request: HttpRequest) -> str:
    """Where to go after claiming: the page the shopper came from, when it is on this site."""
    raw = request.POST.get("next", "")
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and len(raw) < 500:
        return raw
    return reverse("storefront:coupon_centre")


def coupon_face(template: Any) -> dict[str, str]:
    """What a coupon card shows: the big figure, its unit, and the condition."""
    if template.kind == CouponKind.FREE_SHIPPING:
        figure, unit = _("Free shipping"), ""
    elif template.kind == CouponKind.PERCENT:
        if (get_language() or "").startswith("zh"):
            rate = 100 - (template.percent_off or 0)  # 9折: the shopper pays 90 %
            figure, unit = (f"{rate // 10}.{rate % 10}" if rate % 10 else str(rate // 10)), "折"
        else:
            figure, unit = f"{template.percent_off}%", "off"
    else:
        figure, unit = f"¥{Money(template.amount_fen or 0).yuan.normalize():f}", ""
    if template.threshold_fen:
        condition = _("On orders over %(threshold)s") % {"threshold": Money(template.threshold_fen)}
    else:
        condition = _("No minimum spend")
    if template.kind == CouponKind.PERCENT and template.cap_fen:
        condition += _(", at most %(cap)s off") % {"cap": Money(template.cap_fen)}
    if template.first_order_only:
        condition += _(", first order only")
    return {"figure": figure, "unit": unit, "condition": condition}


def _validity(template: Any) -> str:
    if template.valid_days:
        return _("Valid for %(days)s days after claiming") % {"days": template.valid_days}
    if template.valid_until:
        return _("Use by %(date)s") % {"date": timezone.localtime(template.valid_until).strftime("%Y-%m-%d %H:%M")}
    return ""


def _cards(items: list[selectors.Claimable]) -> list[dict[str, Any]]:
    return [
        {
            "item": item,
            "template": item.template,
            "face": coupon_face(item.template),
            "validity": _validity(item.template),
            "sold_out": item.remaining is not None and item.remaining <= 0,
            "claimed": item.held >= item.template.per_customer_limit,
        }
        for item in items
    ]


@public
@require_GET
def coupon_centre(request: HttpRequest) -> HttpResponse:
    """领券中心: every coupon claimable now, with how many are left."""
    shopper = _shopper(request)
    items = selectors.claim_centre(customer_id=shopper.pk if shopper else None)
    context = {
        "cards": _cards(items),
        "shopper": shopper,
        "login_url": f"{reverse('storefront:account_login')}?{urlencode({'next': request.path})}",
    }
    return render(request, "storefront/coupons/centre.html", context)


def _claimed_text(coupon: Any) -> str:
    return _("“%(name)s” is in your coupons, usable until %(until)s.") % {
        "name": coupon.template.name,
        "until": timezone.localtime(coupon.valid_until).strftime("%Y-%m-%d %H:%M"),
    }


@require_POST
@customer_page
def coupon_claim(request: HttpRequest, template_id: int) -> HttpResponse:
    """Claim one coupon. Asked by HTMX (the claim button on a card), it answers the card again
    with the outcome on it; otherwise it goes back to the page with a message."""
    shopper = _shopper(request)
    assert shopper is not None  # customer_page let only a customer through
    note, ok = "", False
    try:
        coupon = services.coupon_claim(customer=shopper, channel=ClaimChannel.CLAIM_CENTRE, template_id=template_id)
    except ShopkeeperError as exc:
        note = exc.message
    else:
        note, ok = _claimed_text(coupon), True
    if request.headers.get("HX-Request"):
        found = selectors.claimable_template(template_id=template_id, customer_id=shopper.pk)
        if found is not None:
            context = {
                "card": _cards([found])[0],
                "shopper": shopper,
                "note": note,
                "note_ok": ok,
                "back": _back(request),
            }
            return render(request, "storefront/coupons/_card.html", context)
    if ok:
        messages.success(request, note)
    else:
        messages.error(request, note)
    return redirect(_back(request))


@require_POST
@customer_page
def coupon_claim_code(request: HttpRequest) -> HttpResponse:
    """Claim by a public code typed in the claim centre (e.g. from a live stream)."""
    shopper = _shopper(request)
    assert shopper is not None
    code = request.POST.get("code", "")[:40]
    if not code.strip():
        messages.error(request, _("Type the coupon code first."))
        return redirect(_back(request))
    try:
        coupon = services.coupon_claim(customer=shopper, channel=ClaimChannel.CLAIM_CENTRE, code=code)
    except ShopkeeperError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _claimed_text(coupon))
    return redirect(_back(request))


@require_GET
@customer_page
def my_coupons(request: HttpRequest) -> HttpResponse:
    """我的优惠券: available (with an "expires soon" badge), used and expired coupons."""
    shopper = _shopper(request)
    assert shopper is not None
    tab = request.GET.get("tab", "available")
    if tab not in selectors.WALLET_TABS:
        tab = "available"
    now = timezone.now()
    soon = {coupon.pk for coupon in selectors.coupons_expiring_soon(customer_id=shopper.pk, now=now)}
    counts = selectors.wallet_counts(customer_id=shopper.pk, now=now)
    coupons = list(selectors.coupons_of_customer(customer_id=shopper.pk, tab=tab, now=now)[:200])
    labels = {
        "available": pgettext("coupon", "Available"),
        "used": pgettext("coupon", "Used"),
        "expired": pgettext("coupon", "Expired"),
    }
    context = {
        "tab": tab,
        "tabs": [(value, labels[value], counts[value]) for value in selectors.WALLET_TABS],
        "rows": [
            {
                "coupon": coupon,
                "face": coupon_face(coupon.template),
                "soon": coupon.pk in soon,
                "locked": coupon.state == CouponState.LOCKED,
            }
            for coupon in coupons
        ],
        "soon_count": len(soon),
    }
    return render(request, "storefront/coupons/mine.html", context)


def _ids(raw: str, limit: int = 200) -> list[int]:
    return [int(part) for part in raw.split(",")[:limit] if part.isdigit()]


def coupon_product_panel(request: HttpRequest, page: Any) -> Panel | None:
    """The product page's coupon strip, loaded by HTMX after the page (no query on the page itself):
    the panel passes the product's facts to `product_coupons`, which answers the claimable coupons."""
    product = page.product
    query = {
        "skus": ",".join(str(sku.id) for sku in page.skus),
        "brand": product.brand_id or "",
        "categories": ",".join(str(category.pk) for category in page.breadcrumb),
        "scenes": ",".join(str(scene.pk) for scene in page.scenes),
    }
    url = f"{reverse('storefront:product_coupons', args=[product.pk])}?{urlencode(query)}"
    return Panel(template="storefront/coupons/_product_panel_lazy.html", context={"url": url})


@public
@require_GET
def product_coupons(request: HttpRequest, product_id: int) -> HttpResponse:
    """The claimable coupons that cover a product (up to four), for its page; empty when none."""
    shopper = _shopper(request)
    brand = request.GET.get("brand", "")
    items = selectors.claimable_for_product(
        product_id=product_id,
        sku_ids=_ids(request.GET.get("skus", "")),
        brand_id=int(brand) if brand.isdigit() else None,
        category_ids=_ids(request.GET.get("categories", "")),
        scene_ids=_ids(request.GET.get("scenes", "")),
        customer_id=shopper.pk if shopper else None,
    )
    if not items:
        return HttpResponse("")
    back = reverse("storefront:product", args=[product_id])
    panel = {
        "cards": _cards(items[:4]),
        "more": len(items) > 4,
        "shopper": shopper,
        "login_url": f"{reverse('storefront:account_login')}?{urlencode({'next': back})}",
        "back": back,
    }
    return render(request, "storefront/coupons/_product_panel.html", {"panel": panel})
