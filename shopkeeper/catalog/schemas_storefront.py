"""Storefront API schemas: what anonymous shop clients read. Money is {"fen": int, "yuan": "12.50"},
never a float; prices in filters are yuan strings. Names start with `Shop` so they never collide
with the staff schemas in the one OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints, model_validator

from shopkeeper.catalog.models import Product
from shopkeeper.catalog.schemas import MoneyOut, money_out
from shopkeeper.catalog.selectors.products import main_image
from shopkeeper.catalog.selectors.storefront import Rating, product_rating

YUAN_FILTER_PATTERN = r"^\d{1,9}(\.\d{1,2})?$"
SPEC_FILTER_PATTERN = r"^[^:]{1,64}:.{1,64}$"
ShopSort = Literal["sales", "price_asc", "price_desc", "newest"]
SpecFilter = Annotated[str, StringConstraints(pattern=SPEC_FILTER_PATTERN, max_length=129)]


class ShopBrand(Schema):
    id: int
    name: str
    name_en: str


class ShopCategoryRef(Schema):
    id: int
    slug: str
    name: str
    name_en: str


class ShopCategoryNode(ShopCategoryRef):
    icon_url: str
    children: list[ShopCategoryNode] = Field(default_factory=list)


class ShopScene(Schema):
    id: int
    slug: str
    name: str
    name_en: str
    description: str
    banner_url: str


class ShopSceneRef(Schema):
    id: int
    slug: str
    name: str
    name_en: str


class ShopRating(Schema):
    count: int = Field(..., description="How many ratings the product has")
    average: str | None = Field(..., description='Average on a 1–5 scale with one decimal, e.g. "4.8"; null if none')


def rating_out(rating: Rating) -> ShopRating:
    average = rating.average
    return ShopRating(count=rating.count, average=None if average is None else str(average))


class ShopImage(Schema):
    url: str
    alt: str


class ShopProductCard(Schema):
    id: int
    title: str
    brand: ShopBrand
    category_id: int
    image: str = Field(..., description="The first main image, or an empty string")
    price_min: MoneyOut = Field(..., description="The lowest sale price of the product's SKUs")
    price_max: MoneyOut
    sales_count: int
    rating: ShopRating
    listed_at: datetime | None

    # Read from a product loaded for cards (brand joined, main images prefetched): no queries.
    @staticmethod
    def resolve_image(obj: Product) -> str:
        return main_image(obj)

    @staticmethod
    def resolve_price_min(obj: Product) -> MoneyOut:
        return money_out(obj.min_price_fen)

    @staticmethod
    def resolve_price_max(obj: Product) -> MoneyOut:
        return money_out(max(obj.max_price_fen, obj.min_price_fen))

    @staticmethod
    def resolve_rating(obj: Product) -> ShopRating:
        return rating_out(product_rating(obj))


class ShopSku(Schema):
    id: int
    code: str
    spec_values: dict[str, str]
    price: MoneyOut
    list_price: MoneyOut
    available: int = Field(..., description="Units a shopper may buy now")
    in_stock: bool


class ShopProductDetail(Schema):
    id: int
    title: str
    brand: ShopBrand
    category: ShopCategoryRef
    breadcrumb: list[ShopCategoryRef] = Field(..., description="The category and its parents, root first")
    selling_points: list[str]
    description: str
    spec_names: list[str]
    skus: list[ShopSku] = Field(..., description="Active SKUs only")
    main_images: list[ShopImage]
    detail_images: list[ShopImage]
    video_url: str
    scenes: list[ShopSceneRef]
    price_min: MoneyOut
    price_max: MoneyOut
    sales_count: int
    rating: ShopRating
    listed_at: datetime | None


class ShopProductFilter(Schema):
    category: str | None = Field(None, max_length=64, description="Category slug; its whole subtree is included")
    scene: str | None = Field(None, max_length=64, description="Scene slug")
    brand_id: int | None = Field(None, ge=1)
    min_price: str | None = Field(
        None, pattern=YUAN_FILTER_PATTERN, description='Yuan, e.g. "50" or "49.90"; compared to the lowest SKU price'
    )
    max_price: str | None = Field(None, pattern=YUAN_FILTER_PATTERN, description="Yuan; compared to the lowest price")
    spec: list[SpecFilter] = Field(
        default_factory=list,
        description="`name:value`, e.g. `颜色:雾霾蓝`; repeat for several (all must match one active SKU each)",
    )
    sort: ShopSort = Field("sales", description="sales (best selling first), price_asc, price_desc or newest")

    @model_validator(mode="after")
    def _check_range(self) -> ShopProductFilter:
        low, high = self.min_price, self.max_price
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            raise ValueError("min_price is above max_price")
        return self


class ShopSearchPage(Schema):
    q: str
    items: list[ShopProductCard]
    count: int = Field(..., description="How many listed products match in all")


class ShopSuggestions(Schema):
    prefix: str
    items: list[str]


class ShopReview(Schema):
    id: int
    author: str = Field(..., description='The reviewer\'s masked name, e.g. "王**"; empty when anonymous')
    rating: int = Field(..., ge=1, le=5)
    text: str
    photos: list[str] = Field(..., description="Image addresses, at most 9")
    spec: str = Field(..., description='The variant bought, e.g. "颜色: 雾霾蓝 / 尺码: M"')
    created_at: datetime


class ShopStarCount(Schema):
    stars: int = Field(..., ge=1, le=5)
    count: int
    percent: int = Field(..., description="Share of the written reviews, a whole percentage")


class ShopReviewPage(Schema):
    rating: ShopRating
    stars: list[ShopStarCount] = Field(..., description="Written reviews counted by stars, 5 down to 1")
    items: list[ShopReview] = Field(
        ..., description="Written reviews, newest first. Customers post them after delivery, one per order line."
    )
    count: int = Field(..., description="How many written reviews there are")
