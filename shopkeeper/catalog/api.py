"""Staff catalog endpoints: everything the store operator's console does, for scripts and tools.

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.domain.compliance import Hit
from shopkeeper.catalog.models import BannedWord, Brand, Category, HomeModule, PriceChange, Product, Scene
from shopkeeper.catalog.schemas import (
    BannedWordIn,
    BannedWordOut,
    BannedWordUpdateIn,
    BrandOut,
    CategoryOut,
    ComplianceRowOut,
    CopyIn,
    HitOut,
    HomeModuleIn,
    HomeModuleOut,
    IdsIn,
    NamedIn,
    PriceChangeIn,
    PriceChangeOut,
    ProductIn,
    ProductOut,
    ProductRowOut,
    ProductUpdateIn,
    QualificationIn,
    SceneOut,
    ScheduleIn,
    SkuIn,
)
from shopkeeper.catalog.services.compliance import product_copy
from shopkeeper.catalog.services.products import QualificationInput
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import NotFound, PermissionDenied
from shopkeeper.core.permissions import requires
from shopkeeper.core.roles import (
    ARRANGE_HOME,
    CHANGE_PRICES,
    MANAGE_BANNED_WORDS,
    MANAGE_PRODUCTS,
    VIEW_CATALOG,
    VIEW_COMPLIANCE_REPORT,
)
from shopkeeper.core.services import ActorContext

router = Router(tags=["catalog (staff)"])


def _actor(request: HttpRequest) -> ActorContext:
    return ActorContext.from_request(request, AuditChannel.API)


def _sku_input(sku: SkuIn) -> services.SkuInput:
    return services.SkuInput(
        code=sku.code,
        spec_values=sku.spec_values,
        sale_price=Money.from_yuan(sku.sale_price),
        list_price=Money.from_yuan(sku.list_price),
        cost_price=Money.from_yuan(sku.cost_price),
        weight_g=sku.weight_g,
        barcode=sku.barcode,
        stock_quantity=sku.stock_quantity,
        is_active=sku.is_active,
    )


def _qualification(doc: QualificationIn) -> QualificationInput:
    return QualificationInput(
        name=doc.name, number=doc.number, issued_by=doc.issued_by, expires_on=doc.expires_on, file_url=doc.file_url
    )


def _product_input(payload: ProductIn) -> services.ProductInput:
    return services.ProductInput(
        title=payload.title,
        brand_id=payload.brand_id,
        category_id=payload.category_id,
        tier=payload.tier,
        selling_points=payload.selling_points,
        description=payload.description,
        spec_names=payload.spec_names,
        scene_ids=payload.scene_ids,
        main_images=payload.main_images,
        detail_images=payload.detail_images,
        video_url=payload.video_url,
        qualifications=[_qualification(doc) for doc in payload.qualifications],
        skus=[_sku_input(sku) for sku in payload.skus],
    )


def _hit_out(hit: Hit) -> HitOut:
    return HitOut(field=hit.field, word=hit.word, start=hit.start, end=hit.end, kind=hit.kind)


# --- products -------------------------------------------------------------------------------
# Product ids are typed in the paths ({int:product_id}): an untyped segment would also match
# "bulk-list" and "bulk-delist", and a POST there would reach the product's route and get a 405.


@router.get("/products", response=list[ProductRowOut], summary="Products, with the console's filters")
@requires(VIEW_CATALOG, api=True)
@paginate(LimitOffsetPagination)
def product_list(
    request: HttpRequest,
    status: str | None = None,
    tier: str | None = None,
    category_id: int | None = None,
    scene_id: int | None = None,
    brand_id: int | None = None,
    compliance: bool | None = None,
    max_sales: int | None = None,
    q: str | None = None,
) -> QuerySet[Product]:
    return selectors.product_list_staff(
        status=status,
        tier=tier,
        category_id=category_id,
        scene_id=scene_id,
        brand_id=brand_id,
        compliance=compliance,
        max_sales=max_sales,
        query=q,
    )


@router.get("/products/{int:product_id}", response=ProductOut, summary="One product with SKUs, media, documents")
@requires(VIEW_CATALOG, api=True)
def product_get(request: HttpRequest, product_id: int) -> Product:
    return selectors.product_detail(product_id=product_id)


@router.post("/products", response={201: ProductOut}, summary="Create a product (as a draft)")
@requires(MANAGE_PRODUCTS, api=True)
def product_create(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    product = services.product_create(actor=_actor(request), data=_product_input(payload))
    return Status(201, selectors.product_detail(product_id=product.pk))


def _changes_prices(product: Product, data: services.ProductInput) -> bool:
    """Whether the new fields change a price of a SKU the product has (SKUs matched by code)."""
    existing = {sku.code: sku for sku in product.skus.all()}
    for item in data.skus:
        sku = existing.get(item.code.strip())
        if sku is not None and (item.sale_price.fen, item.list_price.fen, item.cost_price.fen) != (
            sku.sale_price_fen,
            sku.list_price_fen,
            sku.cost_price_fen,
        ):
            return True
    return False


@router.put(
    "/products/{int:product_id}",
    response=ProductOut,
    summary="Replace a product's fields and SKUs (a price change also needs catalog.change_prices)",
)
@requires(MANAGE_PRODUCTS, api=True)
def product_update(request: HttpRequest, product_id: int, payload: ProductUpdateIn) -> Product:
    product = selectors.product_get(product_id=product_id)
    data = _product_input(payload)
    # As in the console editor: editing a product and changing its prices are separate permissions.
    if not request.user.has_perm(CHANGE_PRICES) and _changes_prices(product, data):
        raise PermissionDenied(
            _("You may not change prices; leave them as they were or ask a colleague who may."),
            details={"permission": CHANGE_PRICES},
        )
    services.product_update(actor=_actor(request), product=product, data=data, price_reason=payload.price_reason)
    return selectors.product_detail(product_id=product_id)


@router.post("/products/{int:product_id}/list", response=ProductOut, summary="List (put on sale)")
@requires(MANAGE_PRODUCTS, api=True)
def product_list_one(request: HttpRequest, product_id: int) -> Product:
    services.product_list(actor=_actor(request), product=selectors.product_get(product_id=product_id))
    return selectors.product_detail(product_id=product_id)


@router.post("/products/{int:product_id}/delist", response=ProductOut, summary="Delist (take off sale)")
@requires(MANAGE_PRODUCTS, api=True)
def product_delist_one(request: HttpRequest, product_id: int) -> Product:
    services.product_delist(actor=_actor(request), product=selectors.product_get(product_id=product_id))
    return selectors.product_detail(product_id=product_id)


@router.post("/products/bulk-list", response=list[int], summary="List many; all or nothing")
@requires(MANAGE_PRODUCTS, api=True)
def products_bulk_list(request: HttpRequest, payload: IdsIn) -> list[int]:
    return [p.pk for p in services.products_bulk_list(actor=_actor(request), product_ids=payload.ids)]


@router.post("/products/bulk-delist", response=list[int], summary="Delist many; all or nothing")
@requires(MANAGE_PRODUCTS, api=True)
def products_bulk_delist(request: HttpRequest, payload: IdsIn) -> list[int]:
    return [p.pk for p in services.products_bulk_delist(actor=_actor(request), product_ids=payload.ids)]


@router.put("/products/{int:product_id}/schedule", response=ProductOut, summary="Schedule listing/delisting")
@requires(MANAGE_PRODUCTS, api=True)
def product_schedule(request: HttpRequest, product_id: int, payload: ScheduleIn) -> Product:
    services.product_schedule(
        actor=_actor(request),
        product=selectors.product_get(product_id=product_id),
        list_at=payload.list_at,
        delist_at=payload.delist_at,
    )
    return selectors.product_detail(product_id=product_id)


@router.get("/products/{int:product_id}/price-history", response=list[PriceChangeOut], summary="Price history")
@requires(VIEW_CATALOG, api=True)
@paginate(LimitOffsetPagination)
def product_price_history(request: HttpRequest, product_id: int) -> QuerySet[PriceChange]:
    return selectors.price_history(product=selectors.product_get(product_id=product_id))


@router.post("/prices/bulk-change", response=list[PriceChangeOut], summary="Change a price of many SKUs")
@requires(CHANGE_PRICES, api=True)
def prices_bulk_change(request: HttpRequest, payload: PriceChangeIn) -> list[PriceChange]:
    return services.skus_bulk_change_price(
        actor=_actor(request),
        sku_ids=payload.sku_ids,
        field=payload.field,
        mode=payload.mode,
        value=Decimal(payload.value),
        reason=payload.reason,
    )


# --- compliance -----------------------------------------------------------------------------


@router.post("/compliance/check", response=list[HitOut], summary="Check copy against the banned words")
@requires(VIEW_CATALOG, api=True)
def compliance_check(request: HttpRequest, payload: CopyIn) -> list[HitOut]:
    checker = services.compliance_checker()
    return [
        _hit_out(hit) for hit in checker.scan(product_copy(payload.title, payload.selling_points, payload.description))
    ]


@router.get("/compliance/report", response=list[ComplianceRowOut], summary="Scan the whole catalog")
@requires(VIEW_COMPLIANCE_REPORT, api=True)
def compliance_report(request: HttpRequest) -> list[ComplianceRowOut]:
    return [
        ComplianceRowOut(
            product_id=row.product_id, title=row.title, status=row.status, hits=[_hit_out(hit) for hit in row.hits]
        )
        for row in selectors.compliance_report()
    ]


@router.get("/banned-words", response=list[BannedWordOut], summary="The banned-word list")
@requires(VIEW_COMPLIANCE_REPORT, api=True)
def banned_word_list(request: HttpRequest) -> QuerySet[BannedWord]:
    return BannedWord.objects.order_by("word")


@router.post("/banned-words", response={201: BannedWordOut}, summary="Add a banned word")
@requires(MANAGE_BANNED_WORDS, api=True)
def banned_word_add(request: HttpRequest, payload: BannedWordIn) -> Status[BannedWord]:
    return Status(
        201, services.banned_word_add(actor=_actor(request), word=payload.word, kind=payload.kind, note=payload.note)
    )


def _banned(word_id: int) -> BannedWord:
    banned = BannedWord.objects.filter(pk=word_id).first()
    if banned is None:
        raise NotFound("No such banned word", details={"id": word_id})
    return banned


@router.put("/banned-words/{word_id}", response=BannedWordOut, summary="Change a banned word")
@requires(MANAGE_BANNED_WORDS, api=True)
def banned_word_update(request: HttpRequest, word_id: int, payload: BannedWordUpdateIn) -> BannedWord:
    return services.banned_word_update(
        actor=_actor(request),
        banned=_banned(word_id),
        kind=payload.kind,
        note=payload.note,
        is_active=payload.is_active,
    )


@router.delete("/banned-words/{word_id}", response={204: None}, summary="Remove a banned word")
@requires(MANAGE_BANNED_WORDS, api=True)
def banned_word_delete(request: HttpRequest, word_id: int) -> Status[None]:
    services.banned_word_delete(actor=_actor(request), banned=_banned(word_id))
    return Status(204, None)


# --- brands, categories, scenes -------------------------------------------------------------


@router.get("/brands", response=list[BrandOut], summary="Brands")
@requires(VIEW_CATALOG, api=True)
def brand_list(request: HttpRequest) -> QuerySet[Brand]:
    return selectors.brand_list()


@router.post("/brands", response={201: BrandOut}, summary="Create a brand")
@requires(MANAGE_PRODUCTS, api=True)
def brand_create(request: HttpRequest, payload: NamedIn) -> Status[Brand]:
    return Status(201, services.brand_create(actor=_actor(request), name=payload.name, name_en=payload.name_en))


@router.get("/categories", response=list[CategoryOut], summary="The category tree, parents first")
@requires(VIEW_CATALOG, api=True)
def category_list(request: HttpRequest) -> list[Category]:
    return selectors.category_tree()


@router.post("/categories", response={201: CategoryOut}, summary="Create a category")
@requires(MANAGE_PRODUCTS, api=True)
def category_create(request: HttpRequest, payload: NamedIn) -> Status[Category]:
    parent = selectors.category_get(category_id=payload.parent_id) if payload.parent_id else None
    category = services.category_create(
        actor=_actor(request), name=payload.name, name_en=payload.name_en, parent=parent
    )
    return Status(201, category)


@router.get("/scenes", response=list[SceneOut], summary="Scenes")
@requires(VIEW_CATALOG, api=True)
def scene_list(request: HttpRequest) -> QuerySet[Scene]:
    return selectors.scene_list(active_only=False)


@router.post("/scenes", response={201: SceneOut}, summary="Create a scene")
@requires(MANAGE_PRODUCTS, api=True)
def scene_create(request: HttpRequest, payload: NamedIn) -> Status[Scene]:
    return Status(201, services.scene_create(actor=_actor(request), name=payload.name, name_en=payload.name_en))


# --- home page modules ----------------------------------------------------------------------


@router.get("/home-modules", response=list[HomeModuleOut], summary="Home-page modules in order")
@requires(ARRANGE_HOME, api=True)
def home_module_list(request: HttpRequest) -> list[HomeModule]:
    return selectors.home_modules(active_only=False)


@router.post("/home-modules", response={201: HomeModuleOut}, summary="Add a home-page module")
@requires(ARRANGE_HOME, api=True)
def home_module_add(request: HttpRequest, payload: HomeModuleIn) -> Status[HomeModule]:
    module = services.home_module_save(
        actor=_actor(request),
        kind=payload.kind,
        title=payload.title,
        config=payload.config,
        is_active=payload.is_active,
    )
    return Status(201, module)


def _module(module_id: int) -> HomeModule:
    module = HomeModule.objects.filter(pk=module_id).first()
    if module is None:
        raise NotFound("No such home-page module", details={"id": module_id})
    return module


@router.put("/home-modules/{module_id}", response=HomeModuleOut, summary="Change a home-page module")
@requires(ARRANGE_HOME, api=True)
def home_module_update(request: HttpRequest, module_id: int, payload: HomeModuleIn) -> HomeModule:
    return services.home_module_save(
        actor=_actor(request),
        module=_module(module_id),
        kind=payload.kind,
        title=payload.title,
        config=payload.config,
        is_active=payload.is_active,
    )


@router.delete("/home-modules/{module_id}", response={204: None}, summary="Remove a home-page module")
@requires(ARRANGE_HOME, api=True)
def home_module_delete(request: HttpRequest, module_id: int) -> Status[None]:
    services.home_module_delete(actor=_actor(request), module=_module(module_id))
    return Status(204, None)


@router.put("/home-modules-order", response=list[HomeModuleOut], summary="Reorder every home-page module")
@requires(ARRANGE_HOME, api=True)
def home_module_reorder(request: HttpRequest, payload: IdsIn) -> list[HomeModule]:
    return services.home_modules_reorder(actor=_actor(request), module_ids=payload.ids)
