"""Catalog models: brands, the category tree, scenes, products (SPU) and their SKUs, media,
qualification documents, price history, banned advertising words and home-page modules.

Money is held in fen (integer minor units). Stock levels do not live here but in inventory (stock
per SKU per warehouse): `Sku.stock_quantity` only keeps the quantity last typed in the product
editor or an import, which the product services hand to inventory as a count; nothing reads it
for availability.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopkeeper.catalog.enums import (
    BannedWordKind,
    HomeModuleKind,
    ImageKind,
    ImportJobKind,
    ImportJobStatus,
    PriceField,
    ProductStatus,
    ProductTier,
)
from shopkeeper.core.models import TimeStampedModel


class Brand(TimeStampedModel):
    name = models.CharField(_("name"), max_length=64, unique=True)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    logo_url = models.CharField(_("logo"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")

    def __str__(self) -> str:
        return self.name


class Category(TimeStampedModel):
    """A node of the category tree. `path` holds the ids from the root ("1/5/12/") for subtree reads."""

    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    icon_url = models.CharField(_("icon"), max_length=500, blank=True)

    class Meta:
        ordering = ["path", "position"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="catalog_category_unique_name")]

    def __str__(self) -> str:
        return self.name


class Scene(TimeStampedModel):
    """A shopping occasion ("office outfits", "home essentials"): a second navigation beside categories."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    banner_url = models.CharField(_("banner"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("scene")

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    """An SPU: what the shopper sees as one product, sold as one or more SKUs."""

    title = models.CharField(_("title"), max_length=120)
    selling_points = models.JSONField(_("selling points"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    brand = models.ForeignKey(Brand, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    scenes = models.ManyToManyField(Scene, verbose_name=_("scenes"), blank=True, related_name="products")
    tier = models.CharField(_("tier"), max_length=16, choices=ProductTier.choices, default=ProductTier.LONG_TAIL)
    status = models.CharField(
        _("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT, db_index=True
    )
    spec_names = models.JSONField(_("spec names"), default=list, blank=True)  # e.g. ["颜色", "尺码"]
    video_url = models.CharField(_("video link"), max_length=500, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("delisted at"), null=True, blank=True)
    scheduled_list_at = models.DateTimeField(_("list at"), null=True, blank=True, db_index=True)
    scheduled_delist_at = models.DateTimeField(_("delist at"), null=True, blank=True, db_index=True)
    # Kept by services so lists can filter and sort without joining every SKU.
    min_price_fen = models.BigIntegerField(_("lowest sale price (fen)"), default=0, db_index=True)
    max_price_fen = models.BigIntegerField(_("highest sale price (fen)"), default=0)
    sales_count = models.PositiveIntegerField(_("units sold"), default=0, db_index=True)
    rating_count = models.PositiveIntegerField(_("reviews"), default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    compliance_hits = models.PositiveSmallIntegerField(_("banned-word hits"), default=0, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("product")
        indexes = [
            models.Index(fields=["status", "category"], name="catalog_product_status_cat"),
            models.Index(fields=["status", "-sales_count"], name="catalog_product_status_sales"),
            models.Index(fields=["status", "-listed_at"], name="catalog_product_status_new"),
        ]

    def __str__(self) -> str:
        return self.title


class Sku(TimeStampedModel):
    """A variant defined by spec values, e.g. {"颜色": "雾霾蓝", "尺码": "M"}."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    spec_values = models.JSONField(_("spec values"), default=dict, blank=True)
    barcode = models.CharField(_("barcode"), max_length=32, blank=True, db_index=True)
    cost_price_fen = models.BigIntegerField(_("cost price (fen)"))
    list_price_fen = models.BigIntegerField(_("list price (fen)"))
    sale_price_fen = models.BigIntegerField(_("sale price (fen)"))
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    stock_quantity = models.IntegerField(_("quantity in stock"), default=0)  # last typed; stock is inventory's
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        verbose_name = _("SKU")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_price_fen__gte=0) & Q(list_price_fen__gte=0) & Q(sale_price_fen__gt=0),
                name="catalog_sku_prices_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    kind = models.CharField(_("kind"), max_length=8, choices=ImageKind.choices, default=ImageKind.MAIN)
    url = models.CharField(_("image"), max_length=500)
    alt = models.CharField(_("alt text"), max_length=120, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["product", "kind", "position", "id"]
        verbose_name = _("product image")

    def __str__(self) -> str:
        return self.url


class QualificationDocument(TimeStampedModel):
    """A licence or test report a product needs to be sold (e.g. 化妆品备案, 3C), with its expiry."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("name"), max_length=100)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_by = models.CharField(_("issued by"), max_length=100, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    file_url = models.CharField(_("file"), max_length=500, blank=True)

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("qualification document")

    def __str__(self) -> str:
        return self.name


class PriceChange(models.Model):
    """One change of one price of one SKU: who, when, old and new, and why."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="price_changes")
    field = models.CharField(_("price"), max_length=8, choices=PriceField.choices)
    old_fen = models.BigIntegerField(_("old (fen)"))
    new_fen = models.BigIntegerField(_("new (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("price change")

    def __str__(self) -> str:
        return f"{self.sku_id} {self.field} {self.old_fen}→{self.new_fen}"


class BannedWord(TimeStampedModel):
    """A word the advertising law forbids in product copy (极限词)."""

    word = models.CharField(_("word"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=BannedWordKind.choices, default=BannedWordKind.EXTREME)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("banned word")

    def __str__(self) -> str:
        return self.word


class HomeModule(TimeStampedModel):
    """One block of the storefront home page, arranged by the store operator."""

    kind = models.CharField(_("kind"), max_length=16, choices=HomeModuleKind.choices)
    title = models.CharField(_("title"), max_length=64, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # hero_banner: {"image_url", "link", "subtitle"}; best_sellers/new_arrivals: {"count"};
    # category_nav: {"category_ids"}; scene_entries: {"scene_ids"}
    config = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("home-page module")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class ImportJob(models.Model):
    """A product import or export run by the worker; its progress is what the console polls."""

    kind = models.CharField(_("kind"), max_length=8, choices=ImportJobKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportJobStatus.choices, default=ImportJobStatus.PENDING
    )
    file_name = models.CharField(_("file name"), max_length=200)
    file_path = models.CharField(max_length=500)  # under MEDIA_ROOT
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)  # {"errors": [{row, field, message}], ...}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


class ProductSearchDocument(models.Model):
    """The product's words, segmented by jieba and space-separated, for full-text search.

    Kept by `catalog.search`; SQLite indexes it with FTS5 and PostgreSQL with a GIN index.
    """

    product = models.OneToOneField(Product, primary_key=True, on_delete=models.CASCADE, related_name="search_doc")
    title_tokens = models.TextField(default="")
    other_tokens = models.TextField(default="")
    is_listed = models.BooleanField(default=False, db_index=True)

    class Meta:
        verbose_name = _("search document")

    def __str__(self) -> str:
        return f"search document of {self.product_id}"


class CatalogAccess(models.Model):
    """Holds catalog permissions that belong to no single table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_products", "Can create, edit, list and delist products"),
            ("change_prices", "Can change prices (with a reason)"),
            ("import_products", "Can import and export products"),
            ("manage_banned_words", "Can edit the banned-word list"),
            ("view_compliance_report", "Can run the catalog compliance report"),
            ("arrange_home", "Can arrange the storefront home page"),
            ("view_catalog", "Can view products in the console"),
        ]

    def __str__(self) -> str:
        return "catalog access"


class Review(models.Model):
    """A customer's rating and words about a product they received, one per delivered order line.

    Hidden reviews stay stored (with who hid them and why) but leave the product's rating totals.
    """

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="reviews")
    sku = models.ForeignKey(
        Sku, verbose_name=_("SKU"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="product_reviews",
    )
    author_label = models.CharField(_("shown as"), max_length=32, blank=True)  # masked at post time: "王**"
    order_line_key = models.CharField(_("order line"), max_length=64, unique=True)  # e.g. "order-line:123"
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.CharField(_("text"), max_length=500, blank=True)
    photos = models.JSONField(_("photos"), default=list, blank=True)  # list of image addresses, at most 9
    spec_label = models.CharField(_("variant"), max_length=200, blank=True)  # "颜色: 雾霾蓝 / 尺码: M"
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review")
        permissions = [("moderate_reviews", "Can hide and unhide product reviews")]
        indexes = [models.Index(fields=["product", "is_hidden", "-created_at"], name="catalog_review_public")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="catalog_review_rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.order_line_key}"
