"""Load many products at once (demo data, benchmarks): bulk inserts in batches, no per-product
audit entries (the caller audits the load as a whole), derived fields and search index kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.utils.text import slugify

from shopkeeper.catalog.enums import ImageKind, ProductStatus
from shopkeeper.catalog.models import Brand, Category, Product, ProductImage, Scene, Sku
from shopkeeper.catalog.services.compliance import compliance_checker, product_copy
from shopkeeper.catalog.services.products import SkuInput


@dataclass(frozen=True)
class BulkProduct:
    title: str
    brand: str  # brand name
    category: tuple[str, ...]  # path of names from the root, e.g. ("服饰", "女装", "连衣裙")
    skus: Sequence[SkuInput]
    tier: str = "long_tail"
    status: str = ProductStatus.LISTED.value
    scenes: Sequence[str] = ()
    selling_points: Sequence[str] = ()
    description: str = ""
    spec_names: Sequence[str] = ()
    main_images: Sequence[str] = ()
    detail_images: Sequence[str] = ()
    sales_count: int = 0
    listed_at: datetime | None = None


@dataclass(frozen=True)
class CatalogSkeleton:
    brands: Sequence[tuple[str, str]]  # (name, English name)
    categories: Sequence[tuple[tuple[str, ...], str]]  # (path of names, English name), parents first
    scenes: Sequence[tuple[str, str, str]]  # (name, English name, description)


@dataclass
class BulkResult:
    brands: int = 0
    categories: int = 0
    scenes: int = 0
    products: int = 0
    skus: int = 0
    product_ids: list[int] = field(default_factory=list)


def _slug(base: str, taken: set[str], fallback: str) -> str:
    slug = slugify(base)[:50] or fallback
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def catalog_skeleton_load(
    skeleton: CatalogSkeleton,
) -> tuple[dict[str, Brand], dict[tuple[str, ...], Category], dict[str, Scene]]:
    """Create the brands, category tree and scenes that do not exist yet; return them by name/path."""
    brands = {brand.name: brand for brand in Brand.objects.all()}
    slugs = set(Brand.objects.values_list("slug", flat=True))
    for name, name_en in skeleton.brands:
        if name not in brands:
            brands[name] = Brand.objects.create(name=name, name_en=name_en, slug=_slug(name_en or name, slugs, "brand"))
    categories: dict[tuple[str, ...], Category] = {}
    names_by_pk: dict[int, tuple[str, ...]] = {}
    for category in Category.objects.order_by("path"):  # parents sort before their children
        names = (*names_by_pk.get(category.parent_id or 0, ()), category.name)
        names_by_pk[category.pk] = names
        categories[names] = category
    slugs = set(Category.objects.values_list("slug", flat=True))
    for path, name_en in skeleton.categories:
        if path in categories:
            continue
        parent = categories[path[:-1]] if len(path) > 1 else None
        category = Category.objects.create(
            name=path[-1], name_en=name_en, parent=parent, depth=len(path) - 1,
            slug=_slug(name_en or path[-1], slugs, "category"), position=len(categories),
        )  # fmt: skip
        category.path = f"{parent.path if parent else ''}{category.pk}/"
        category.save(update_fields=["path"])
        categories[path] = category
    scenes = {scene.name: scene for scene in Scene.objects.all()}
    slugs = set(Scene.objects.values_list("slug", flat=True))
    for name, name_en, description in skeleton.scenes:
        if name not in scenes:
            scenes[name] = Scene.objects.create(
                name=name, name_en=name_en, description=description,
                slug=_slug(name_en or name, slugs, "scene"), position=len(scenes),
            )  # fmt: skip
    return brands, categories, scenes


def products_bulk_load(
    *,
    skeleton: CatalogSkeleton,
    products: Iterable[BulkProduct],
    batch_size: int = 500,
    on_batch: Callable[[int], object] | None = None,
) -> BulkResult:
    from shopkeeper.catalog.search import search_index_products

    result = BulkResult()
    checker = compliance_checker()
    with transaction.atomic():
        brands, categories, scenes = catalog_skeleton_load(skeleton)
        result.brands, result.categories, result.scenes = len(brands), len(categories), len(scenes)
        iterator = iter(products)
        while batch := list(islice(iterator, batch_size)):
            rows = []
            for item in batch:
                active = [sku.sale_price.fen for sku in item.skus if sku.is_active]
                rows.append(
                    Product(
                        title=item.title,
                        selling_points=list(item.selling_points),
                        description=item.description,
                        brand=brands[item.brand],
                        category=categories[item.category],
                        tier=item.tier,
                        status=item.status,
                        spec_names=list(item.spec_names),
                        listed_at=item.listed_at if item.status != ProductStatus.DRAFT else None,
                        min_price_fen=min(active, default=0),
                        max_price_fen=max(active, default=0),
                        sales_count=item.sales_count,
                        compliance_hits=len(
                            checker.scan(product_copy(item.title, item.selling_points, item.description))
                        ),
                    )
                )
            created = Product.objects.bulk_create(rows)
            skus: list[Sku] = []
            images: list[ProductImage] = []
            links = []
            for product, item in zip(created, batch, strict=True):
                for position, sku in enumerate(item.skus):
                    skus.append(
                        Sku(
                            product=product, code=sku.code, spec_values=dict(sku.spec_values), barcode=sku.barcode,
                            sale_price_fen=sku.sale_price.fen, list_price_fen=sku.list_price.fen,
                            cost_price_fen=sku.cost_price.fen, weight_g=sku.weight_g,
                            stock_quantity=sku.stock_quantity, is_active=sku.is_active, position=position,
                        )
                    )  # fmt: skip
                images += [
                    ProductImage(product=product, kind=ImageKind.MAIN, url=u, position=i)
                    for i, u in enumerate(item.main_images)
                ]
                images += [
                    ProductImage(product=product, kind=ImageKind.DETAIL, url=u, position=i)
                    for i, u in enumerate(item.detail_images)
                ]
                links += [
                    Product.scenes.through(product_id=product.pk, scene_id=scenes[name].pk) for name in item.scenes
                ]
            Sku.objects.bulk_create(skus)
            ProductImage.objects.bulk_create(images)
            Product.scenes.through._default_manager.bulk_create(links)
            ids = [product.pk for product in created]
            search_index_products(ids)
            result.products += len(created)
            result.skus += len(skus)
            result.product_ids += ids
            if on_batch is not None:
                on_batch(len(created))
    return result
