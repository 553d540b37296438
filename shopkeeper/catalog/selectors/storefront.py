"""Shopper-facing catalog reads: listed products filtered and sorted, the product page, the home
page's modules filled in, and the filter choices of a category or scene. Only listed products
are ever returned, and every function runs a fixed number of queries whatever the number of
SKUs, images or products involved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shopkeeper.catalog.domain.reviews import average_rating
from shopkeeper.catalog.enums import HomeModuleKind, ImageKind, ProductStatus
from shopkeeper.catalog.models import Brand, Category, HomeModule, Product, ProductImage, Scene, Sku
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound
from shopkeeper.inventory.selectors import sku_availability

# Sort keys shoppers choose from; the last field breaks ties so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "sales": ("-sales_count", "-pk"),
    "price_asc": ("min_price_fen", "pk"),
    "price_desc": ("-min_price_fen", "-pk"),
    "newest": ("-listed_at", "-pk"),
}
DEFAULT_SORT = "sales"
HOME_DEFAULT_COUNT = 8
LOW_STOCK = 5  # at or below this many units the page says "only N left"
FACET_SKU_ROWS = 5000  # spec choices are read from at most this many distinct spec combinations
FACET_VALUES_PER_SPEC = 30


def display_name(thing: Brand | Category | Scene) -> str:
    """The English name when the shopper reads English and one is set, otherwise the Chinese name."""
    language = (get_language() or "").lower()
    return thing.name_en if language.startswith("en") and thing.name_en else thing.name


@dataclass(frozen=True)
class NavEntry:
    """A category or scene as a link shows it, named in the shopper's language."""

    slug: str
    name: str
    image_url: str = ""
    description: str = ""

    @property
    def initial(self) -> str:
        """What an entry without a picture shows instead: its first character, a capital in
        English ("home" → "H"); a Chinese name's first character as it is (家居 → 家)."""
        return self.name.strip()[:1].upper()


def category_entry(category: Category) -> NavEntry:
    return NavEntry(slug=category.slug, name=display_name(category), image_url=category.icon_url)


def scene_entry(scene: Scene) -> NavEntry:
    return NavEntry(
        slug=scene.slug, name=display_name(scene), image_url=scene.banner_url, description=scene.description
    )


def listed_products() -> QuerySet[Product]:
    return Product.objects.filter(status=ProductStatus.LISTED)


def _main_images() -> Prefetch[Any]:
    return Prefetch("images", queryset=ProductImage.objects.filter(kind=ImageKind.MAIN).order_by("position", "pk"))


def _for_cards(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """What a product card needs: the brand and the main images, in two queries for any page size."""
    return queryset.select_related("brand").prefetch_related(_main_images()).defer("description")


# --- ratings and cards ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """Average rating on a 1–5 scale from the product's running totals (kept by the review services)."""

    count: int
    total: int

    @property
    def average(self) -> Decimal | None:
        return average_rating(total=self.total, count=self.count)


def product_rating(product: Product) -> Rating:
    return Rating(count=product.rating_count, total=product.rating_sum)


def product_rating_public(*, product_id: int) -> Rating:
    """The rating of a listed product (one query); drafts and delisted products are not found."""
    found = listed_products().filter(pk=product_id).values_list("rating_count", "rating_sum").first()
    if found is None:
        raise NotFound(_("No product with id %(id)s") % {"id": product_id}, details={"id": product_id})
    return Rating(count=found[0], total=found[1])


@dataclass(frozen=True)
class ProductCard:
    """One product as a list shows it: picture, title, brand, "from" price, sales and rating."""

    id: int
    title: str
    brand: str
    image: str
    min_price: Money
    max_price: Money
    sales_count: int
    rating: Rating
    selling_point: str

    @property
    def has_price_range(self) -> bool:
        return self.max_price.fen > self.min_price.fen


def product_card(product: Product) -> ProductCard:
    """Build a card from a product loaded with `_for_cards` (no query)."""
    images = [image.url for image in product.images.all() if image.kind == ImageKind.MAIN]
    points = [str(point) for point in (product.selling_points or []) if str(point).strip()]
    return ProductCard(
        id=product.pk,
        title=product.title,
        brand=display_name(product.brand),
        image=images[0] if images else "",
        min_price=Money(product.min_price_fen),
        max_price=Money(max(product.max_price_fen, product.min_price_fen)),
        sales_count=product.sales_count,
        rating=product_rating(product),
        selling_point=points[0] if points else "",
    )


def product_cards(products: Iterable[Product]) -> list[ProductCard]:
    return [product_card(product) for product in products]


# --- filtering and sorting ------------------------------------------------------------------


@dataclass(frozen=True)
class SpecChoice:
    """A spec the shopper filters by, e.g. 颜色 = 雾霾蓝."""

    name: str
    value: str


@dataclass(frozen=True)
class ProductFilters:
    """The shopper's filters; prices are in fen and both bounds apply to the product's lowest price."""

    category: Category | None = None
    scene: Scene | None = None
    brand_id: int | None = None
    min_price_fen: int | None = None
    max_price_fen: int | None = None
    specs: tuple[SpecChoice, ...] = ()
    sort: str = DEFAULT_SORT


def _scoped(category: Category | None, scene: Scene | None) -> QuerySet[Product]:
    queryset = listed_products()
    if category is not None:
        queryset = queryset.filter(category__path__startswith=category.path)
    if scene is not None:
        queryset = queryset.filter(scenes=scene)
    return queryset


def product_list_public(filters: ProductFilters) -> QuerySet[Product]:
    """Listed products matching the filters, sorted, loaded for cards (a category includes its subtree)."""
    queryset = _scoped(filters.category, filters.scene)
    if filters.brand_id is not None:
        queryset = queryset.filter(brand_id=filters.brand_id)
    if filters.min_price_fen is not None:
        queryset = queryset.filter(min_price_fen__gte=filters.min_price_fen)
    if filters.max_price_fen is not None:
        queryset = queryset.filter(min_price_fen__lte=filters.max_price_fen)
    for spec in filters.specs:
        # An explicit key transform: a spec name is data, never part of a lookup path.
        matching = (
            Sku.objects.filter(is_active=True)
            .annotate(spec_value=KeyTransform(spec.name, "spec_values"))
            .filter(spec_value=spec.value)
            .values("product_id")
        )
        queryset = queryset.filter(pk__in=matching)
    return _for_cards(queryset).order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


@dataclass(frozen=True)
class Facets:
    """What a category or scene page offers to filter by: its brands and its specs' values."""

    brands: list[tuple[int, str]]
    specs: list[tuple[str, list[str]]]


def product_facets(*, category: Category | None = None, scene: Scene | None = None) -> Facets:
    """Brands and spec values among the listed products of a category subtree or scene (2 queries)."""
    scope = _scoped(category, scene)
    brands = sorted(
        ((brand.pk, display_name(brand)) for brand in Brand.objects.filter(pk__in=scope.values("brand_id"))),
        key=lambda pair: pair[1],
    )
    combos = (
        Sku.objects.filter(is_active=True, product__in=scope)
        .values_list("spec_values", flat=True)
        .distinct()
        .order_by()[:FACET_SKU_ROWS]
    )
    values: dict[str, set[str]] = defaultdict(set)
    uses: Counter[str] = Counter()
    for combo in combos:
        if isinstance(combo, dict):
            for name, value in combo.items():
                values[str(name)].add(str(value))
                uses[str(name)] += 1
    # The specs most products share come first (颜色 before a spec only one product has).
    specs = [(name, sorted(values[name])[:FACET_VALUES_PER_SPEC]) for name, _uses in uses.most_common()]
    return Facets(brands=brands, specs=specs)


def products_by_ids(ids: Sequence[int]) -> list[Product]:
    """Listed products loaded for cards, in the order given (search ranks them); unlisted ids drop out."""
    found = {product.pk: product for product in _for_cards(listed_products().filter(pk__in=list(ids)))}
    return [found[pk] for pk in ids if pk in found]


# --- categories and scenes ------------------------------------------------------------------


def category_public(*, slug: str) -> Category:
    found = Category.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound(_("No such category"), details={"slug": slug})
    return found


def category_ancestors(category: Category) -> list[Category]:
    """The category and its parents, root first (one query)."""
    ids = [int(part) for part in category.path.strip("/").split("/") if part.isdigit()]
    by_id = {node.pk: node for node in Category.objects.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id] or [category]


def category_children(category: Category | None) -> list[Category]:
    return list(Category.objects.filter(parent=category).order_by("position", "pk"))


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)

    @property
    def name(self) -> str:
        return display_name(self.category)


def category_forest() -> list[CategoryNode]:
    """The whole category tree as nested nodes, siblings by position (one query)."""
    nodes = {category.pk: CategoryNode(category) for category in Category.objects.order_by("depth", "position", "pk")}
    roots: list[CategoryNode] = []
    for node in nodes.values():
        parent = nodes.get(node.category.parent_id) if node.category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def scene_public(*, slug: str) -> Scene:
    found = Scene.objects.filter(slug=slug, is_active=True).first()
    if found is None:
        raise NotFound(_("No such scene"), details={"slug": slug})
    return found


def scenes_public() -> list[Scene]:
    return list(Scene.objects.filter(is_active=True).order_by("position", "pk"))


# --- the product page -----------------------------------------------------------------------


@dataclass(frozen=True)
class SkuOption:
    """One variant as the spec selector offers it."""

    id: int
    code: str
    spec_values: dict[str, str]
    price: Money
    list_price: Money
    available: int

    @property
    def in_stock(self) -> bool:
        return self.available > 0

    @property
    def low_stock(self) -> bool:
        return 0 < self.available <= LOW_STOCK


@dataclass(frozen=True)
class ProductVideo:
    """The product's video as its page shows it: played in the page when it is an .mp4 file,
    otherwise a link to wherever it is hosted."""

    url: str
    playable: bool


def product_video(url: str) -> ProductVideo | None:
    """Operators type the link; only a site path or a web address is shown (never javascript:)."""
    safe = _safe_link(url or "")
    if not safe:
        return None
    return ProductVideo(url=safe, playable=urlsplit(safe).path.lower().endswith(".mp4"))


@dataclass(frozen=True)
class ProductPage:
    """Everything the product page and the product endpoint show (6 queries: 5 here, 1 for stock)."""

    product: Product
    breadcrumb: list[Category]
    main_images: list[ProductImage]
    detail_images: list[ProductImage]
    skus: list[SkuOption]
    spec_choices: list[tuple[str, list[str]]]
    scenes: list[Scene]
    rating: Rating

    @property
    def min_price(self) -> Money:
        return min((sku.price for sku in self.skus), default=Money(self.product.min_price_fen))

    @property
    def max_price(self) -> Money:
        return max((sku.price for sku in self.skus), default=Money(self.product.max_price_fen))

    @property
    def has_price_range(self) -> bool:
        return self.max_price.fen > self.min_price.fen

    @property
    def available(self) -> int:
        return sum(sku.available for sku in self.skus)

    @property
    def video(self) -> ProductVideo | None:
        return product_video(self.product.video_url)

    @property
    def only_sku(self) -> SkuOption | None:
        """The SKU to show straight away when there is nothing to choose."""
        return self.skus[0] if len(self.skus) == 1 else None


def _spec_choices(spec_names: Sequence[str], skus: Sequence[SkuOption]) -> list[tuple[str, list[str]]]:
    """Each spec with its values in the order the SKUs first use them."""
    names = [str(name) for name in spec_names] or sorted({name for sku in skus for name in sku.spec_values})
    choices: list[tuple[str, list[str]]] = []
    for name in names:
        values: list[str] = []
        for sku in skus:
            value = sku.spec_values.get(name)
            if value is not None and value not in values:
                values.append(value)
        if values:
            choices.append((name, values))
    return choices


def product_page(*, product_id: int) -> ProductPage:
    """A listed product with what its page shows; drafts and delisted products are not found."""
    product = (
        listed_products()
        .select_related("brand", "category")
        .prefetch_related(
            Prefetch("scenes", queryset=Scene.objects.filter(is_active=True).order_by("position", "pk")),
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("position", "pk")),
            Prefetch("images", queryset=ProductImage.objects.order_by("kind", "position", "pk")),
        )
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFound(_("No product with id %(id)s") % {"id": product_id}, details={"id": product_id})
    skus = list(product.skus.all())
    available = sku_availability(sku.pk for sku in skus)  # one query, over the active warehouses
    options = [
        SkuOption(
            id=sku.pk,
            code=sku.code,
            spec_values={str(name): str(value) for name, value in (sku.spec_values or {}).items()},
            price=Money(sku.sale_price_fen),
            list_price=Money(sku.list_price_fen),
            available=available.get(sku.pk, 0),
        )
        for sku in skus
    ]
    images = list(product.images.all())
    return ProductPage(
        product=product,
        breadcrumb=category_ancestors(product.category),
        main_images=[image for image in images if image.kind == ImageKind.MAIN],
        detail_images=[image for image in images if image.kind == ImageKind.DETAIL],
        skus=options,
        spec_choices=_spec_choices(product.spec_names or [], options),
        scenes=list(product.scenes.all()),
        rating=product_rating(product),
    )


def sku_options_json(page: ProductPage) -> list[dict[str, Any]]:
    """The SKUs as the spec selector's script reads them: prices already formatted, never floats."""
    return [
        {
            "id": sku.id,
            "code": sku.code,
            "spec": sku.spec_values,
            "price": str(sku.price),
            "list_price": str(sku.list_price) if sku.list_price.fen > sku.price.fen else "",
            "available": sku.available,
        }
        for sku in page.skus
    ]


# --- the home page --------------------------------------------------------------------------


@dataclass
class HomeBlock:
    """One home module with what it shows: a banner, category or scene entries, or product cards."""

    kind: str
    title: str
    image_url: str = ""
    link: str = ""
    subtitle: str = ""
    categories: list[NavEntry] = field(default_factory=list)
    scenes: list[NavEntry] = field(default_factory=list)
    products: list[ProductCard] = field(default_factory=list)


@dataclass(frozen=True)
class HomePage:
    blocks: list[HomeBlock]
    has_products: bool
    arranged: bool  # False: the operator has arranged nothing yet and the default layout shows


def _safe_link(link: str) -> str:
    """Operators type banner links; only site paths and web addresses become links."""
    link = link.strip()
    if link.startswith("/") and not link.startswith("//"):
        return link
    return link if link.startswith(("https://", "http://")) else ""


def _as_ids(values: Any) -> list[int]:
    ids: list[int] = []
    for value in values if isinstance(values, list) else []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def _settings(module: HomeModule) -> dict[str, Any]:
    return module.config if isinstance(module.config, dict) else {}


def _count(module: HomeModule) -> int:
    try:
        return max(1, min(int(_settings(module).get("count", HOME_DEFAULT_COUNT)), 40))
    except (TypeError, ValueError):
        return HOME_DEFAULT_COUNT


def _default_modules() -> list[HomeModule]:
    """What the home page shows until the store operator arranges it: every entry point, unsaved."""
    return [
        HomeModule(kind=HomeModuleKind.CATEGORY_NAV, title="", config={}),
        HomeModule(kind=HomeModuleKind.SCENE_ENTRIES, title="", config={}),
        HomeModule(kind=HomeModuleKind.BEST_SELLERS, title="", config={"count": HOME_DEFAULT_COUNT}),
        HomeModule(kind=HomeModuleKind.NEW_ARRIVALS, title="", config={"count": HOME_DEFAULT_COUNT}),
    ]


def home_page() -> HomePage:
    """The active home modules in order, filled in with at most 7 queries however many there are."""
    modules = list(HomeModule.objects.filter(is_active=True).order_by("position", "pk"))
    arranged = bool(modules)
    if not arranged:
        modules = _default_modules()
    kinds = {module.kind for module in modules}

    category_ids = [
        pk for m in modules if m.kind == HomeModuleKind.CATEGORY_NAV for pk in _as_ids(_settings(m).get("category_ids"))
    ]
    categories: dict[int, Category] = {}
    if HomeModuleKind.CATEGORY_NAV in kinds:
        # A module with no ids chosen shows the top-level categories.
        wanted = Q(pk__in=category_ids) | Q(parent__isnull=True)
        categories = {c.pk: c for c in Category.objects.filter(wanted).order_by("position", "pk")}
    scenes: dict[int, Scene] = {}
    if HomeModuleKind.SCENE_ENTRIES in kinds:
        scenes = {s.pk: s for s in Scene.objects.filter(is_active=True).order_by("position", "pk")}

    def top(kind: HomeModuleKind, order: Sequence[str]) -> list[ProductCard]:
        wanted = max((_count(m) for m in modules if m.kind == kind), default=0)
        return product_cards(_for_cards(listed_products()).order_by(*order)[:wanted]) if wanted else []

    best = top(HomeModuleKind.BEST_SELLERS, SORTS["sales"])
    newest = top(HomeModuleKind.NEW_ARRIVALS, SORTS["newest"])
    has_products = bool(best or newest) or listed_products().exists()

    labels = dict(HomeModuleKind.choices)
    blocks: list[HomeBlock] = []
    for module in modules:
        settings = _settings(module)
        block = HomeBlock(kind=module.kind, title=module.title or str(labels.get(module.kind, module.kind)))
        if module.kind == HomeModuleKind.HERO_BANNER:
            block.image_url = str(settings.get("image_url", ""))
            block.link = _safe_link(str(settings.get("link", "")))
            block.subtitle = str(settings.get("subtitle", ""))
            if not block.image_url:
                continue
        elif module.kind == HomeModuleKind.CATEGORY_NAV:
            ids = _as_ids(settings.get("category_ids"))
            chosen = [categories[pk] for pk in ids if pk in categories] if ids else None
            roots = [c for c in categories.values() if c.parent_id is None]
            block.categories = [category_entry(c) for c in (chosen if chosen is not None else roots)]
        elif module.kind == HomeModuleKind.SCENE_ENTRIES:
            ids = _as_ids(settings.get("scene_ids"))
            shown = [scenes[pk] for pk in ids if pk in scenes] if ids else list(scenes.values())
            block.scenes = [scene_entry(scene) for scene in shown]
        elif module.kind == HomeModuleKind.BEST_SELLERS:
            block.products = best[: _count(module)]
        elif module.kind == HomeModuleKind.NEW_ARRIVALS:
            block.products = newest[: _count(module)]
        if block.kind != HomeModuleKind.HERO_BANNER and not (block.categories or block.scenes or block.products):
            continue  # nothing to show yet: the block stays out rather than sitting empty
        blocks.append(block)
    return HomePage(blocks=blocks, has_products=has_products, arranged=arranged)


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    query: str
    products: list[Product]  # loaded for cards
    total: int


def product_search_public(query: str, *, limit: int, offset: int = 0) -> SearchPage:
    """Listed products matching the words, best match first (search ranks, this loads the cards)."""
    # Imported on use, as the services do: the search backend (jieba) loads only when needed.
    from shopkeeper.catalog.search import product_search

    query = query.strip()
    if not query:
        return SearchPage(query="", products=[], total=0)
    result = product_search(query, listed_only=True, limit=limit, offset=offset)
    return SearchPage(query=query, products=products_by_ids(result.ids), total=result.total)


def search_suggestions(prefix: str, *, limit: int = 8) -> list[str]:
    from shopkeeper.catalog.search import search_suggest

    prefix = prefix.strip()
    return search_suggest(prefix, limit=limit) if prefix else []
