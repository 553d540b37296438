"""Customer-facing pages: home, category and scene listings, product pages, search.

Only listed products show. Filters come from the address bar, so a value a shopper mistypes
(`min_price=abc`, `sort=bogus`) is ignored and its default used instead of refusing the page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shopkeeper.catalog.selectors import reviews as review_reads
from shopkeeper.catalog.selectors import storefront as shop
from shopkeeper.core.domain.money import Money, MoneyError
from shopkeeper.core.errors import NotFound
from shopkeeper.core.permissions import public
from shopkeeper.storefront import panels

PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 100
SPEC_PART_MAX_LENGTH = 64


def _sort_labels() -> list[tuple[str, str]]:
    return [
        ("sales", _("Best selling")),
        ("newest", _("Newest")),
        ("price_asc", _("Price: low to high")),
        ("price_desc", _("Price: high to low")),
    ]


# --- reading the address bar ----------------------------------------------------------------


def _fen(raw: str | None) -> int | None:
    """A yuan amount typed by the shopper, in fen; anything that is not a price is ignored."""
    if not raw or len(raw) > 16:
        return None
    try:
        amount = Money.from_yuan(raw)
    except MoneyError:
        return None
    return amount.fen if amount.fen >= 0 else None


def _positive_int(raw: str | None) -> int | None:
    if raw is None or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw) or None


def _specs(raw: list[str]) -> tuple[shop.SpecChoice, ...]:
    """`spec=颜色:雾霾蓝` (repeatable); malformed ones are skipped."""
    choices: list[shop.SpecChoice] = []
    for item in raw:
        name, colon, value = item.partition(":")
        name, value = name.strip(), value.strip()
        if colon and name and value and max(len(name), len(value)) <= SPEC_PART_MAX_LENGTH:
            choices.append(shop.SpecChoice(name=name, value=value))
    return tuple(dict.fromkeys(choices))


def _filters(request: HttpRequest, scope: shop.ProductFilters) -> tuple[shop.ProductFilters, dict[str, Any]]:
    """The shopper's filters within `scope` (a category or scene), and the values the form shows back."""
    params = request.GET
    low, high = _fen(params.get("min_price")), _fen(params.get("max_price"))
    if low is not None and high is not None and low > high:
        low, high = high, low  # the shopper typed the range backwards
    sort = params.get("sort", "")
    filters = replace(
        scope,
        brand_id=_positive_int(params.get("brand")),
        min_price_fen=low,
        max_price_fen=high,
        specs=_specs(params.getlist("spec")),
        sort=sort if sort in shop.SORTS else shop.DEFAULT_SORT,
    )
    shown = {
        "min_price": f"{Money(low).yuan}" if low is not None else "",
        "max_price": f"{Money(high).yuan}" if high is not None else "",
        "sort": filters.sort,
        "active": any(value is not None for value in (filters.brand_id, low, high)) or bool(filters.specs),
    }
    return filters, shown


def _listing(request: HttpRequest, scope: shop.ProductFilters) -> dict[str, Any]:
    """The context every listing page shares: the page of cards, the filter form and the sort tabs."""
    filters, shown = _filters(request, scope)
    paginator = Paginator(shop.product_list_public(filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    facets = shop.product_facets(category=filters.category, scene=filters.scene)
    picked = {choice.name: choice.value for choice in filters.specs}
    return {
        "page_obj": page,
        "cards": shop.product_cards(page.object_list),
        "total": paginator.count,
        "brand_options": [(pk, name, pk == filters.brand_id) for pk, name in facets.brands],
        "spec_options": [
            (name, [(f"{name}:{value}", value, picked.get(name) == value) for value in values])
            for name, values in facets.specs
        ],
        "shown": shown,
        "sorts": _sort_labels(),
    }


# --- pages ----------------------------------------------------------------------------------


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/home.html", {"home": shop.home_page()})


@public
@require_GET
def category_index(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/categories.html", {"forest": shop.category_forest()})


@public
@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = shop.category_public(slug=slug)
    except NotFound:
        raise Http404(_("No such category")) from None
    context = {
        "heading": shop.display_name(found),
        "breadcrumb": [shop.category_entry(node) for node in shop.category_ancestors(found)[:-1]],
        "children": [shop.category_entry(child) for child in shop.category_children(found)],
        **_listing(request, shop.ProductFilters(category=found)),
    }
    return render(request, "storefront/listing.html", context)


@public
@require_GET
def scene(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = shop.scene_public(slug=slug)
    except NotFound:
        raise Http404(_("No such scene")) from None
    context = {
        "heading": shop.display_name(found),
        "scene": shop.scene_entry(found),
        **_listing(request, shop.ProductFilters(scene=found)),
    }
    return render(request, "storefront/listing.html", context)


@public
@require_GET
def product(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        page = shop.product_page(product_id=product_id)
    except NotFound:
        raise Http404(_("No such product")) from None
    summary = review_reads.rating_summary(rating=page.rating, product_id=product_id)
    newest = (
        review_reads.reviews_newest(product_id=product_id, limit=review_reads.PRODUCT_PAGE_REVIEWS)
        if summary.review_count
        else []
    )
    context = {
        "page": page,
        "product": page.product,
        "brand": shop.display_name(page.product.brand),
        "breadcrumb": [shop.category_entry(node) for node in page.breadcrumb],
        "scenes": [shop.scene_entry(found) for found in page.scenes],
        "skus_json": shop.sku_options_json(page),
        "low_stock": shop.LOW_STOCK,
        "summary": summary,
        "reviews": newest,
        "more_reviews": summary.review_count > len(newest),
        "panels": panels.product_panels(request, page),
    }
    return render(request, "storefront/product.html", context)


# --- reviews --------------------------------------------------------------------------------


@public
@require_GET
def product_reviews(request: HttpRequest, product_id: int) -> HttpResponse:
    """All of a product's visible reviews, a page at a time. Asked by HTMX ("more reviews"), it
    answers only the next reviews and the button for the ones after them."""
    number = _positive_int(request.GET.get("page")) or 1
    size = review_reads.REVIEWS_PAGE_SIZE
    try:
        found = review_reads.product_reviews_public(product_id=product_id, limit=size, offset=(number - 1) * size)
    except NotFound:
        raise Http404(_("No such product")) from None
    last = max(1, -(-found.count // size))
    context = {
        "product_id": product_id,
        "title": found.product_title,
        "summary": found.summary,
        "reviews": found.items,
        "number": number,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if number < last else None,
        "last_page": last,
    }
    template = "storefront/_review_page.html" if request.headers.get("HX-Request") else "storefront/reviews.html"
    return render(request, template, context)


@public
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    number = _positive_int(request.GET.get("page")) or 1
    result = shop.product_search_public(query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    last = max(1, -(-result.total // PAGE_SIZE))
    if number > last and result.total:
        number = last
        result = shop.product_search_public(query, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    context = {
        "query": query,
        "cards": shop.product_cards(result.products),
        "total": result.total,
        "number": number,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if number < last else None,
        "last_page": last,
    }
    return render(request, "storefront/search.html", context)


@public
@require_GET
def search_suggest(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the search box's datalist, fetched by HTMX as the shopper types."""
    prefix = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    return render(request, "storefront/_suggestions.html", {"suggestions": shop.search_suggestions(prefix)})
