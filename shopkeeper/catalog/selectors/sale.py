"""What a cart and a checkout need to know about the SKUs they sell, read in one query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from shopkeeper.catalog.enums import ImageKind, ProductStatus
from shopkeeper.catalog.models import ProductImage, Sku
from shopkeeper.catalog.services.reviews import spec_label


@dataclass(frozen=True)
class SaleSku:
    sku_id: int
    sku_code: str
    product_id: int
    title: str
    spec_label: str
    image: str
    sale_price_fen: int
    weight_g: int
    on_sale: bool  # the product is listed and this variant is active


def sale_skus(sku_ids: Iterable[int]) -> dict[int, SaleSku]:
    """The SKUs asked for (whatever their state), with their product's title and first main image."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    main_images = Prefetch(
        "product__images",
        queryset=ProductImage.objects.filter(kind=ImageKind.MAIN).order_by("position", "id"),
        to_attr="main_images",
    )
    skus = Sku.objects.filter(pk__in=ids).select_related("product").prefetch_related(main_images)
    found: dict[int, SaleSku] = {}
    for sku in skus:
        product = sku.product
        images = getattr(product, "main_images", [])
        found[sku.pk] = SaleSku(
            sku_id=sku.pk,
            sku_code=sku.code,
            product_id=product.pk,
            title=product.title,
            spec_label=spec_label(sku.spec_values, product.spec_names),
            image=images[0].url if images else "",
            sale_price_fen=sku.sale_price_fen,
            weight_g=sku.weight_g,
            on_sale=product.status == ProductStatus.LISTED and sku.is_active,
        )
    return found


def skus_for_sale(sku_ids: Iterable[int]) -> set[int]:
    """Which of these SKUs a customer may buy now."""
    return set(
        Sku.objects.filter(pk__in=list(sku_ids), is_active=True, product__status=ProductStatus.LISTED).values_list(
            "pk", flat=True
        )
    )


def listed_skus_with_sales() -> list[tuple[SaleSku, int]]:
    """Every SKU on sale now with its product's units sold (for demo histories and reports)."""
    ids = list(
        Sku.objects.filter(is_active=True, product__status=ProductStatus.LISTED)
        .order_by("pk")
        .values_list("pk", "product__sales_count")
    )
    found: dict[int, SaleSku] = {}
    for start in range(0, len(ids), 5000):  # SQLite caps the parameters of one query
        found.update(sale_skus(pk for pk, _sales in ids[start : start + 5000]))
    return [(found[pk], sales) for pk, sales in ids if pk in found]
