"""What promotions need to know about SKUs: price, cost, brand, category (with its ancestors) and
scenes, for the engine's `CartItem`s and the margin guard. Two queries whatever the count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Model, Q

from shopkeeper.catalog.enums import ProductStatus
from shopkeeper.catalog.models import Brand, Category, Product, Scene, Sku


@dataclass(frozen=True)
class PromoSku:
    sku_id: int
    sku_code: str
    product_id: int
    title: str
    sale_price_fen: int
    cost_price_fen: int
    brand_id: int
    category_ids: frozenset[int]  # the product's category and its ancestors
    scene_ids: frozenset[int]
    on_sale: bool


def _rows(queryset: object, *, scenes_too: bool = True) -> dict[int, PromoSku]:
    rows = list(
        queryset.values_list(  # type: ignore[attr-defined]
            "pk",
            "code",
            "product_id",
            "product__title",
            "sale_price_fen",
            "cost_price_fen",
            "product__brand_id",
            "product__category__path",
            "product__category_id",
            "product__status",
            "is_active",
        )
    )
    product_ids = {row[2] for row in rows}
    scenes: dict[int, set[int]] = {}
    if product_ids and scenes_too:
        through = Product.scenes.through
        for product_id, scene_id in through.objects.filter(product_id__in=product_ids).values_list(
            "product_id", "scene_id"
        ):
            scenes.setdefault(product_id, set()).add(scene_id)
    found: dict[int, PromoSku] = {}
    # a store-wide scope reads every SKU: their categories and scenes are worked out once each
    categories: dict[tuple[str, int], frozenset[int]] = {}
    product_scenes: dict[int, frozenset[int]] = {}
    for pk, code, product_id, title, price, cost, brand_id, path, category_id, status, active in rows:
        category_ids = categories.get((path, category_id))
        if category_ids is None:
            ancestors = {int(part) for part in (path or "").split("/") if part.isdigit()}
            ancestors.add(category_id)
            category_ids = categories[(path, category_id)] = frozenset(ancestors)
        scene_ids = product_scenes.get(product_id)
        if scene_ids is None:
            scene_ids = product_scenes[product_id] = frozenset(scenes.get(product_id, ()))
        found[pk] = PromoSku(
            sku_id=pk,
            sku_code=code,
            product_id=product_id,
            title=title,
            sale_price_fen=price,
            cost_price_fen=cost,
            brand_id=brand_id,
            category_ids=category_ids,
            scene_ids=scene_ids,
            on_sale=status == ProductStatus.LISTED and active,
        )
    return found


def promo_skus(sku_ids: Iterable[int], *, scenes: bool = True) -> dict[int, PromoSku]:
    """The SKUs asked for (whatever their state); `scenes=False` skips reading their scenes (one
    query less, for callers whose rules name no scene)."""
    ids = sorted(set(sku_ids))
    if not ids:
        return {}
    return _rows(Sku.objects.filter(pk__in=ids).order_by("pk"), scenes_too=scenes)


def promo_skus_in_scope(
    *,
    sku_ids: Iterable[int] = (),
    product_ids: Iterable[int] = (),
    category_ids: Iterable[int] = (),
    brand_ids: Iterable[int] = (),
    scene_ids: Iterable[int] = (),
    excluded_product_ids: Iterable[int] = (),
    limit: int | None = None,
) -> list[PromoSku]:
    """The SKUs on sale that a promotion's scope covers (nothing named: every SKU on sale), in id
    order; `limit` keeps the first so many. The margin guard reads them all: it once stopped at
    20,000, so in a larger catalog a store-wide promotion was checked on a third of its SKUs."""
    skus, products, brands, scenes = list(sku_ids), list(product_ids), list(brand_ids), list(scene_ids)
    categories = list(category_ids)
    reach = Q()
    if skus:
        reach |= Q(pk__in=skus)
    if products:
        reach |= Q(product_id__in=products)
    if brands:
        reach |= Q(product__brand_id__in=brands)
    if scenes:
        reach |= Q(product__scenes__in=scenes)
    if categories:
        for category_id, path in Category.objects.filter(pk__in=categories).values_list("pk", "path"):
            reach |= Q(product__category_id=category_id) | Q(
                product__category__path__startswith=path or f"{category_id}/"
            )
    queryset = Sku.objects.filter(is_active=True, product__status=ProductStatus.LISTED)
    if skus or products or brands or scenes or categories:
        queryset = queryset.filter(reach)
    excluded = list(excluded_product_ids)
    if excluded:
        queryset = queryset.exclude(product_id__in=excluded)
    ordered = queryset.order_by("pk").values_list("pk", flat=True).distinct()
    ids = list(ordered[:limit] if limit is not None else ordered)
    found: dict[int, PromoSku] = {}
    for start in range(0, len(ids), 5000):  # SQLite caps the parameters of one query
        found.update(_rows(Sku.objects.filter(pk__in=ids[start : start + 5000]).order_by("pk")))
    return [found[pk] for pk in ids if pk in found]


def product_promo_facts(product_ids: Iterable[int]) -> dict[int, PromoSku]:
    """One SKU's facts per product (its first active SKU), for promotion badges on product cards."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    first: dict[int, int] = {}
    for pk, product_id in (
        Sku.objects.filter(product_id__in=ids, is_active=True)
        .order_by("product_id", "position", "pk")
        .values_list("pk", "product_id")
    ):
        first.setdefault(product_id, pk)
    rows = promo_skus(first.values())
    return {product_id: rows[pk] for product_id, pk in first.items() if pk in rows}


def catalog_ids_missing(ids: Mapping[str, Iterable[int]]) -> dict[str, list[int]]:
    """Which of the ids a promotion's scope names do not exist, per scope key ("sku_ids",
    "product_ids", "excluded_product_ids", "category_ids", "brand_ids", "scene_ids"); keys with
    nothing missing are left out. One query per key given."""
    models: dict[str, type[Model]] = {
        "sku_ids": Sku,
        "product_ids": Product,
        "excluded_product_ids": Product,
        "category_ids": Category,
        "brand_ids": Brand,
        "scene_ids": Scene,
    }
    missing: dict[str, list[int]] = {}
    for key, wanted in ids.items():
        model = models.get(key)
        wanted_ids = set(wanted)
        if model is None or not wanted_ids:
            continue
        found = set(model._default_manager.filter(pk__in=wanted_ids).values_list("pk", flat=True))
        if wanted_ids - found:
            missing[key] = sorted(wanted_ids - found)
    return missing
