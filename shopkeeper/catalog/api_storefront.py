"""Storefront read endpoints for shop clients (apps, mini-programs, partners): listed products,
categories, scenes, search and ratings. Anyone may call them: no token, no session. Drafts and
delisted products do not exist here (404).

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from shopkeeper.catalog.models import Brand, Category, Product, ProductImage
from shopkeeper.catalog.schemas import money_out
from shopkeeper.catalog.schemas_storefront import (
    ShopBrand,
    ShopCategoryNode,
    ShopCategoryRef,
    ShopImage,
    ShopProductCard,
    ShopProductDetail,
    ShopProductFilter,
    ShopReview,
    ShopReviewPage,
    ShopScene,
    ShopSceneRef,
    ShopSearchPage,
    ShopSku,
    ShopStarCount,
    ShopSuggestions,
    rating_out,
)
from shopkeeper.catalog.selectors import reviews as review_reads
from shopkeeper.catalog.selectors import storefront as shop
from shopkeeper.core.domain.money import Money
from shopkeeper.core.permissions import public

router = Router(tags=["storefront"], auth=None)

SEARCH_MAX_LIMIT = 100


def _brand(brand: Brand) -> ShopBrand:
    return ShopBrand(id=brand.pk, name=brand.name, name_en=brand.name_en)


def _category(category: Category) -> ShopCategoryRef:
    return ShopCategoryRef(id=category.pk, slug=category.slug, name=category.name, name_en=category.name_en)


def _node(node: shop.CategoryNode) -> ShopCategoryNode:
    category = node.category
    return ShopCategoryNode(
        id=category.pk,
        slug=category.slug,
        name=category.name,
        name_en=category.name_en,
        icon_url=category.icon_url,
        children=[_node(child) for child in node.children],
    )


def _images(images: list[ProductImage]) -> list[ShopImage]:
    return [ShopImage(url=image.url, alt=image.alt) for image in images]


def _filters(params: ShopProductFilter) -> shop.ProductFilters:
    """The API's filters as the selector takes them; an unknown category or scene slug is a 404."""
    return shop.ProductFilters(
        category=shop.category_public(slug=params.category) if params.category else None,
        scene=shop.scene_public(slug=params.scene) if params.scene else None,
        brand_id=params.brand_id,
        min_price_fen=Money.from_yuan(params.min_price).fen if params.min_price is not None else None,
        max_price_fen=Money.from_yuan(params.max_price).fen if params.max_price is not None else None,
        specs=tuple(
            shop.SpecChoice(name=name.strip(), value=value.strip())
            for name, _colon, value in (item.partition(":") for item in params.spec)
        ),
        sort=params.sort,
    )


@router.get(
    "/products",
    response=list[ShopProductCard],
    summary="Listed products, filtered and sorted",
    description=(
        "Filters combine (AND). `category` includes the category's whole subtree. Prices are yuan strings "
        "compared with each product's lowest SKU price. Answers `{items, count}`; page with `limit` and `offset`."
    ),
)
@public
@paginate(LimitOffsetPagination)
def product_list(request: HttpRequest, filters: Query[ShopProductFilter]) -> QuerySet[Product]:
    return shop.product_list_public(_filters(filters))


@router.get("/products/{product_id}", response=ShopProductDetail, summary="One listed product with its SKUs")
@public
def product_detail(request: HttpRequest, product_id: int) -> ShopProductDetail:
    page = shop.product_page(product_id=product_id)
    product = page.product
    return ShopProductDetail(
        id=product.pk,
        title=product.title,
        brand=_brand(product.brand),
        category=_category(product.category),
        breadcrumb=[_category(node) for node in page.breadcrumb],
        selling_points=[str(point) for point in product.selling_points or []],
        description=product.description,
        spec_names=[str(name) for name in product.spec_names or []],
        skus=[
            ShopSku(
                id=sku.id,
                code=sku.code,
                spec_values=sku.spec_values,
                price=money_out(sku.price.fen),
                list_price=money_out(sku.list_price.fen),
                available=sku.available,
                in_stock=sku.in_stock,
            )
            for sku in page.skus
        ],
        main_images=_images(page.main_images),
        detail_images=_images(page.detail_images),
        video_url=product.video_url,
        scenes=[
            ShopSceneRef(id=scene.pk, slug=scene.slug, name=scene.name, name_en=scene.name_en) for scene in page.scenes
        ],
        price_min=money_out(page.min_price.fen),
        price_max=money_out(page.max_price.fen),
        sales_count=product.sales_count,
        rating=rating_out(page.rating),
        listed_at=product.listed_at,
    )


class ReviewPaging(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


@router.get(
    "/products/{product_id}/reviews",
    response=ShopReviewPage,
    summary="A listed product's rating, star distribution and written reviews",
    description=(
        "Visible reviews, newest first; page with `limit` and `offset`. Customers post a review after "
        "delivery, one per order line; reviews hidden by staff are left out of the list and the rating."
    ),
)
@public
def product_reviews(request: HttpRequest, product_id: int, paging: Query[ReviewPaging]) -> ShopReviewPage:
    page = review_reads.product_reviews_public(product_id=product_id, limit=paging.limit, offset=paging.offset)
    return ShopReviewPage(
        rating=rating_out(page.summary.rating),
        stars=[ShopStarCount(stars=bar.stars, count=bar.count, percent=bar.percent) for bar in page.summary.stars],
        items=[
            ShopReview(
                id=review.id,
                author=review.author,
                rating=review.rating,
                text=review.text,
                photos=review.photos,
                spec=review.spec,
                created_at=review.created_at,
            )
            for review in page.items
        ],
        count=page.count,
    )


@router.get("/categories", response=list[ShopCategoryNode], summary="The category tree, nested")
@public
def category_tree(request: HttpRequest) -> list[ShopCategoryNode]:
    return [_node(root) for root in shop.category_forest()]


@router.get("/scenes", response=list[ShopScene], summary="Active scenes (shopping occasions) in order")
@public
def scene_list(request: HttpRequest) -> list[ShopScene]:
    return [
        ShopScene(
            id=scene.pk,
            slug=scene.slug,
            name=scene.name,
            name_en=scene.name_en,
            description=scene.description,
            banner_url=scene.banner_url,
        )
        for scene in shop.scenes_public()
    ]


class SearchParams(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="Words to look for; Chinese is segmented")
    limit: int = Field(20, ge=1, le=SEARCH_MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/search", response=ShopSearchPage, summary="Search listed products, best match first")
@public
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    result = shop.product_search_public(params.q, limit=params.limit, offset=params.offset)
    # Ninja turns the products into ShopProductCard through the schema's resolvers, as lists do.
    return {"q": result.query, "items": result.products, "count": result.total}


class SuggestParams(Schema):
    prefix: str = Field(..., min_length=1, max_length=100)
    limit: int = Field(8, ge=1, le=20)


@router.get("/search/suggestions", response=ShopSuggestions, summary="Search words that start with a prefix")
@public
def search_suggestions(request: HttpRequest, params: Query[SuggestParams]) -> ShopSuggestions:
    return ShopSuggestions(prefix=params.prefix, items=shop.search_suggestions(params.prefix, limit=params.limit))
