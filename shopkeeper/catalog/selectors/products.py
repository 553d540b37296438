"""Product, category, scene and report reads with a constant number of queries per call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from shopkeeper.catalog.domain.compliance import Hit
from shopkeeper.catalog.enums import ImageKind
from shopkeeper.catalog.models import Brand, Category, HomeModule, PriceChange, Product, ProductImage, Scene, Sku
from shopkeeper.core.errors import NotFound


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.order_by("name")


def category_tree() -> list[Category]:
    """Every category in tree order: each parent, then its children by position (then age), one
    query. Not `order_by("path")`: the path spells ids as text, so siblings would sort "10/" before
    "9/" and the order would hang on which ids the database happened to hand out."""
    children: dict[int | None, list[Category]] = {}
    for category in Category.objects.order_by("position", "pk"):
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[Category] = []
    pending = list(reversed(children.get(None, [])))
    while pending:
        category = pending.pop()
        ordered.append(category)
        pending.extend(reversed(children.get(category.pk, [])))
    return ordered


def category_get(*, slug: str | None = None, category_id: int | None = None) -> Category:
    found = Category.objects.filter(Q(slug=slug) if slug else Q(pk=category_id)).first()
    if found is None:
        raise NotFound(_("No such category"), details={"slug": slug, "id": category_id})
    return found


def category_descendant_ids(category: Category) -> list[int]:
    return list(Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True))


def scene_list(*, active_only: bool = True) -> QuerySet[Scene]:
    queryset = Scene.objects.order_by("position", "pk")
    return queryset.filter(is_active=True) if active_only else queryset


def scene_get(*, slug: str) -> Scene:
    found = Scene.objects.filter(slug=slug, is_active=True).first()
    if found is None:
        raise NotFound(_("No such scene"), details={"slug": slug})
    return found


def product_get(*, product_id: int) -> Product:
    found = Product.objects.filter(pk=product_id).first()
    if found is None:
        raise NotFound(_("No product with id %(id)s") % {"id": product_id}, details={"id": product_id})
    return found


def product_detail(*, product_id: int, listed_only: bool = False) -> Product:
    """A product with brand, category, scenes, SKUs, images and documents loaded (5 queries)."""
    queryset = Product.objects.select_related("brand", "category").prefetch_related(
        "scenes",
        Prefetch("skus", queryset=Sku.objects.order_by("position", "pk")),
        Prefetch("images", queryset=ProductImage.objects.order_by("kind", "position", "pk")),
        "qualifications",
    )
    if listed_only:
        queryset = queryset.filter(status="listed")
    found = queryset.filter(pk=product_id).first()
    if found is None:
        raise NotFound(_("No product with id %(id)s") % {"id": product_id}, details={"id": product_id})
    return found


def main_image(product: Product) -> str:
    """The first main image, read from a prefetch of `images` when there is one."""
    images = [image for image in product.images.all() if image.kind == ImageKind.MAIN]
    return images[0].url if images else ""


def product_list_staff(
    *,
    status: str | None = None,
    tier: str | None = None,
    category_id: int | None = None,
    scene_id: int | None = None,
    brand_id: int | None = None,
    compliance: bool | None = None,
    max_sales: int | None = None,
    query: str | None = None,
) -> QuerySet[Product]:
    """The store operator's product list; `compliance=True` keeps products with banned-word hits,
    `max_sales` keeps slow sellers (at most that many units sold)."""
    queryset = Product.objects.select_related("brand", "category").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.filter(kind=ImageKind.MAIN).order_by("position", "pk"))
    )
    if status:
        queryset = queryset.filter(status=status)
    if tier:
        queryset = queryset.filter(tier=tier)
    if category_id:
        category = Category.objects.filter(pk=category_id).first()
        queryset = queryset.filter(category__path__startswith=category.path) if category else queryset.none()
    if scene_id:
        queryset = queryset.filter(scenes=scene_id)
    if brand_id:
        queryset = queryset.filter(brand_id=brand_id)
    if compliance is True:
        queryset = queryset.filter(compliance_hits__gt=0)
    elif compliance is False:
        queryset = queryset.filter(compliance_hits=0)
    if max_sales is not None:
        queryset = queryset.filter(sales_count__lte=max_sales)
    if query:
        term = query.strip()
        queryset = queryset.filter(Q(title__icontains=term) | Q(skus__code=term) | Q(skus__barcode=term)).distinct()
    return queryset.order_by("-id")


def product_sku_ids(*, product_ids: list[int]) -> list[int]:
    """Every SKU of the given products (active or not), for changing their prices together."""
    return list(Sku.objects.filter(product_id__in=product_ids).order_by("pk").values_list("pk", flat=True))


def price_history(*, product: Product) -> QuerySet[PriceChange]:
    return PriceChange.objects.filter(sku__product=product).select_related("sku").order_by("-at", "-id")


@dataclass(frozen=True)
class SkuRef:
    """A SKU as other apps name it (inventory, the demo); stock lives in inventory, not here."""

    id: int
    code: str
    product_id: int
    product_title: str
    is_active: bool
    catalog_quantity: int  # the quantity last typed into the product editor or an import


def sku_refs(*, ids: Iterable[int] | None = None, codes: Iterable[str] | None = None) -> list[SkuRef]:
    """SKUs by id or by code (every SKU when neither is given), in id order: one query."""
    queryset = Sku.objects.order_by("pk")
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if codes is not None:
        queryset = queryset.filter(code__in=list(codes))
    rows = queryset.values_list("pk", "code", "product_id", "product__title", "is_active", "stock_quantity")
    return [SkuRef(*row) for row in rows]


@dataclass(frozen=True)
class ComplianceRow:
    product_id: int
    title: str
    status: str
    hits: list[Hit]


def compliance_report(*, batch_size: int = 1000) -> list[ComplianceRow]:
    """Scan the whole catalog against the current banned-word list: every product with a hit."""
    from shopkeeper.catalog.services.compliance import compliance_checker, product_copy

    checker = compliance_checker()
    rows: list[ComplianceRow] = []
    last_pk = 0
    queryset = Product.objects.order_by("pk").only("pk", "title", "status", "selling_points", "description")
    while batch := list(queryset.filter(pk__gt=last_pk)[:batch_size]):
        for product in batch:
            hits = checker.scan(product_copy(product.title, product.selling_points, product.description))
            if hits:
                rows.append(ComplianceRow(product_id=product.pk, title=product.title, status=product.status, hits=hits))
        last_pk = batch[-1].pk
    return rows


def home_modules(*, active_only: bool = True) -> list[HomeModule]:
    queryset = HomeModule.objects.order_by("position", "pk")
    return list(queryset.filter(is_active=True) if active_only else queryset)
