"""Staff API schemas for the catalog. Prices go in as yuan strings ("129.00") and come out as
{"fen": 12900, "yuan": "129.00"}: money never passes through a float."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from shopkeeper.core.schemas import MoneyOut, money_out

__all__ = ["MoneyOut", "money_out"]  # re-exported: catalog schemas took them from here first

YUAN_PATTERN = r"^-?\d{1,9}(\.\d{1,2})?$"


class SkuIn(Schema):
    code: str = Field(..., min_length=1, max_length=64)
    spec_values: dict[str, str] = Field(default_factory=dict)
    sale_price: str = Field(..., pattern=YUAN_PATTERN, description='Yuan, e.g. "129.00"')
    list_price: str = Field(..., pattern=YUAN_PATTERN)
    cost_price: str = Field(..., pattern=YUAN_PATTERN)
    weight_g: int = Field(0, ge=0)
    barcode: str = Field("", max_length=32)
    stock_quantity: int = Field(0, ge=0)
    is_active: bool = True


class QualificationIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    number: str = Field("", max_length=100)
    issued_by: str = Field("", max_length=100)
    expires_on: date | None = None
    file_url: str = Field("", max_length=500)


class ProductIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    brand_id: int
    category_id: int
    tier: str = "long_tail"
    selling_points: list[str] = Field(default_factory=list)
    description: str = ""
    spec_names: list[str] = Field(default_factory=list)
    scene_ids: list[int] = Field(default_factory=list)
    main_images: list[str] = Field(default_factory=list)
    detail_images: list[str] = Field(default_factory=list)
    video_url: str = ""
    qualifications: list[QualificationIn] = Field(default_factory=list)
    skus: list[SkuIn] = Field(..., min_length=1)


class ProductUpdateIn(ProductIn):
    price_reason: str = Field("", max_length=200, description="Required when any price changes")


class SkuOut(Schema):
    id: int
    code: str
    spec_values: dict[str, Any]
    barcode: str
    sale_price: MoneyOut
    list_price: MoneyOut
    cost_price: MoneyOut
    weight_g: int
    stock_quantity: int
    is_active: bool

    @staticmethod
    def resolve_sale_price(obj: Any) -> MoneyOut:
        return money_out(obj.sale_price_fen)

    @staticmethod
    def resolve_list_price(obj: Any) -> MoneyOut:
        return money_out(obj.list_price_fen)

    @staticmethod
    def resolve_cost_price(obj: Any) -> MoneyOut:
        return money_out(obj.cost_price_fen)


class ProductRowOut(Schema):
    id: int
    title: str
    status: str
    tier: str
    brand: str
    category: str
    min_price: MoneyOut
    max_price: MoneyOut
    sales_count: int
    compliance_hits: int
    scheduled_list_at: datetime | None
    scheduled_delist_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_brand(obj: Any) -> str:
        return str(obj.brand.name)

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.category.name)

    @staticmethod
    def resolve_min_price(obj: Any) -> MoneyOut:
        return money_out(obj.min_price_fen)

    @staticmethod
    def resolve_max_price(obj: Any) -> MoneyOut:
        return money_out(obj.max_price_fen)


class ImageOut(Schema):
    kind: str
    url: str
    position: int


class QualificationOut(Schema):
    name: str
    number: str
    issued_by: str
    expires_on: date | None
    file_url: str


class ProductOut(ProductRowOut):
    selling_points: list[str]
    description: str
    spec_names: list[str]
    video_url: str
    brand_id: int
    category_id: int
    scene_ids: list[int]
    listed_at: datetime | None
    delisted_at: datetime | None
    skus: list[SkuOut]
    images: list[ImageOut]
    qualifications: list[QualificationOut]

    @staticmethod
    def resolve_scene_ids(obj: Any) -> list[int]:
        return [scene.pk for scene in obj.scenes.all()]

    @staticmethod
    def resolve_skus(obj: Any) -> list[Any]:
        return list(obj.skus.all())

    @staticmethod
    def resolve_images(obj: Any) -> list[Any]:
        return list(obj.images.all())

    @staticmethod
    def resolve_qualifications(obj: Any) -> list[Any]:
        return list(obj.qualifications.all())


class IdsIn(Schema):
    ids: list[int] = Field(..., min_length=1, max_length=1000)


class ScheduleIn(Schema):
    list_at: datetime | None = None
    delist_at: datetime | None = None


class PriceChangeIn(Schema):
    sku_ids: list[int] = Field(..., min_length=1, max_length=5000)
    field: str = Field("sale", description="sale | list | cost")
    mode: str = Field("set", description="set (new price) | percent (e.g. -10) | amount (yuan, e.g. -5)")
    value: str = Field(..., pattern=r"^-?\d{1,9}(\.\d{1,4})?$")
    reason: str = Field(..., min_length=1, max_length=200)


class PriceChangeOut(Schema):
    sku_code: str
    field: str
    old: MoneyOut
    new: MoneyOut
    reason: str
    actor: str
    at: datetime

    @staticmethod
    def resolve_sku_code(obj: Any) -> str:
        return str(obj.sku.code)

    @staticmethod
    def resolve_old(obj: Any) -> MoneyOut:
        return money_out(obj.old_fen)

    @staticmethod
    def resolve_new(obj: Any) -> MoneyOut:
        return money_out(obj.new_fen)

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


class CopyIn(Schema):
    title: str = ""
    selling_points: list[str] = Field(default_factory=list)
    description: str = ""


class HitOut(Schema):
    field: str
    word: str
    start: int
    end: int
    kind: str


class ComplianceRowOut(Schema):
    product_id: int
    title: str
    status: str
    hits: list[HitOut]


class BannedWordIn(Schema):
    word: str = Field(..., min_length=1, max_length=32)
    kind: str = "extreme"
    note: str = Field("", max_length=200)


class BannedWordUpdateIn(Schema):
    kind: str = "extreme"
    note: str = Field("", max_length=200)
    is_active: bool = True


class BannedWordOut(Schema):
    id: int
    word: str
    kind: str
    note: str
    is_active: bool


class NamedIn(Schema):
    name: str = Field(..., min_length=1, max_length=64)
    name_en: str = Field("", max_length=64)
    parent_id: int | None = None


class BrandOut(Schema):
    id: int
    name: str
    name_en: str
    slug: str


class CategoryOut(Schema):
    id: int
    name: str
    name_en: str
    slug: str
    parent_id: int | None
    depth: int
    path: str


class SceneOut(Schema):
    id: int
    name: str
    name_en: str
    slug: str
    is_active: bool


class HomeModuleIn(Schema):
    kind: str
    title: str = Field("", max_length=64)
    config: dict[str, Any] = Field(default_factory=dict)
    is_active: bool = True


class HomeModuleOut(Schema):
    id: int
    kind: str
    title: str
    position: int
    is_active: bool
    config: dict[str, Any]
