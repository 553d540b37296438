"""Products and their SKUs: create, edit, list, delist, schedule; brands, categories, scenes.

Every write runs in one transaction, locks the products it changes in primary-key order, keeps
the denormalised list fields (price range, compliance hits) and the search index in step, and
leaves an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shopkeeper.catalog.domain.lifecycle import (
    Action,
    IllegalTransition,
    ListingFacts,
    SkuFacts,
    Status,
    listing_problems,
    next_status,
)
from shopkeeper.catalog.enums import ImageKind, PriceField, ProductStatus, ProductTier
from shopkeeper.catalog.errors import ComplianceRefused, ListingRefused
from shopkeeper.catalog.models import (
    Brand,
    Category,
    PriceChange,
    Product,
    ProductImage,
    QualificationDocument,
    Scene,
    Sku,
)
from shopkeeper.catalog.services.compliance import compliance_checker, compliance_refusal, product_copy
from shopkeeper.catalog.services.listing import illegal_transition_message, listing_problem_detail
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import Conflict, NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record


@dataclass(frozen=True)
class SkuInput:
    code: str
    sale_price: Money
    list_price: Money
    cost_price: Money
    spec_values: dict[str, str] = field(default_factory=dict)
    weight_g: int = 0
    barcode: str = ""
    stock_quantity: int = 0
    is_active: bool = True


@dataclass(frozen=True)
class QualificationInput:
    name: str
    number: str = ""
    issued_by: str = ""
    expires_on: date | None = None
    file_url: str = ""


@dataclass(frozen=True)
class ProductInput:
    title: str
    brand_id: int
    category_id: int
    skus: Sequence[SkuInput]
    tier: str = ProductTier.LONG_TAIL.value
    selling_points: Sequence[str] = ()
    description: str = ""
    spec_names: Sequence[str] = ()
    scene_ids: Sequence[int] = ()
    main_images: Sequence[str] = ()
    detail_images: Sequence[str] = ()
    video_url: str = ""
    qualifications: Sequence[QualificationInput] = ()


# --- brands, categories, scenes -------------------------------------------------------------


def _unique_slug(model: Any, base: str, fallback: str) -> str:
    slug = slugify(base)[:50] or fallback
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def brand_create(*, actor: ActorContext, name: str, name_en: str = "", slug: str = "") -> Brand:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A brand needs a name"), details={"name": "required"})
    with transaction.atomic():
        if Brand.objects.filter(name=name).exists():
            raise Conflict(_("The brand “%(name)s” exists") % {"name": name}, details={"name": name})
        brand = Brand.objects.create(
            name=name, name_en=name_en.strip(), slug=slug or _unique_slug(Brand, name_en or name, "brand")
        )
        audit_record(actor=actor, action="brand.create", target=brand, after={"name": name, "name_en": name_en})
    return brand


def category_create(
    *, actor: ActorContext, name: str, parent: Category | None = None, name_en: str = "", slug: str = ""
) -> Category:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A category needs a name"), details={"name": "required"})
    with transaction.atomic():
        if Category.objects.filter(parent=parent, name=name).exists():
            raise Conflict(_("The category “%(name)s” exists here") % {"name": name}, details={"name": name})
        category = Category.objects.create(
            name=name,
            name_en=name_en.strip(),
            parent=parent,
            slug=slug or _unique_slug(Category, name_en or name, "category"),
            depth=(parent.depth + 1) if parent else 0,
        )
        category.path = f"{parent.path if parent else ''}{category.pk}/"
        category.save(update_fields=["path"])
        audit_record(
            actor=actor, action="category.create", target=category, after={"name": name, "path": category.path}
        )
    return category


def scene_create(*, actor: ActorContext, name: str, name_en: str = "", description: str = "", slug: str = "") -> Scene:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A scene needs a name"), details={"name": "required"})
    with transaction.atomic():
        if Scene.objects.filter(name=name).exists():
            raise Conflict(_("The scene “%(name)s” exists") % {"name": name}, details={"name": name})
        scene = Scene.objects.create(
            name=name,
            name_en=name_en.strip(),
            description=description.strip()[:200],
            slug=slug or _unique_slug(Scene, name_en or name, "scene"),
            position=Scene.objects.count(),
        )
        audit_record(actor=actor, action="scene.create", target=scene, after={"name": name})
    return scene


# --- validation -----------------------------------------------------------------------------


def _validate(data: ProductInput, *, product: Product | None) -> dict[str, Any]:
    """Check everything the database would not; raise one ValidationFailed listing every problem."""
    errors: dict[str, str] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = _("A title is required")
    elif len(title) > 120:
        errors["title"] = _("At most 120 characters")
    if data.tier not in ProductTier.values:
        errors["tier"] = _("Unknown tier")
    brand = Brand.objects.filter(pk=data.brand_id).first()
    if brand is None:
        errors["brand_id"] = _("No such brand")
    category = Category.objects.filter(pk=data.category_id).first()
    if category is None:
        errors["category_id"] = _("No such category")
    scenes = list(Scene.objects.filter(pk__in=set(data.scene_ids)))
    if len(scenes) != len(set(data.scene_ids)):
        errors["scene_ids"] = _("No such scene")
    spec_names = [name.strip() for name in data.spec_names if name.strip()]
    if len(set(spec_names)) != len(spec_names):
        errors["spec_names"] = _("Spec names repeat")
    if not data.skus:
        errors["skus"] = _("At least one SKU is required")
    codes = [sku.code.strip() for sku in data.skus]
    if len(set(codes)) != len(codes):
        errors["skus"] = _("SKU codes repeat")
    taken = Sku.objects.filter(code__in=codes)
    if product is not None:
        taken = taken.exclude(product=product)
    for code in taken.values_list("code", flat=True):
        errors[f"skus.{code}.code"] = _("This SKU code belongs to another product")
    combos: set[tuple[str, ...]] = set()
    for sku in data.skus:
        prefix = f"skus.{sku.code.strip() or '?'}"
        if not sku.code.strip() or len(sku.code.strip()) > 64:
            errors[f"{prefix}.code"] = _("A code of 1 to 64 characters is required")
        if sku.sale_price.fen <= 0:
            errors[f"{prefix}.sale_price"] = _("Must be above zero")
        if sku.list_price.fen < 0:
            errors[f"{prefix}.list_price"] = _("Cannot be negative")
        if sku.cost_price.fen < 0:
            errors[f"{prefix}.cost_price"] = _("Cannot be negative")
        if sku.weight_g < 0:
            errors[f"{prefix}.weight_g"] = _("Cannot be negative")
        if sku.stock_quantity < 0:
            errors[f"{prefix}.stock_quantity"] = _("Cannot be negative")
        if spec_names and set(sku.spec_values) != set(spec_names):
            errors[f"{prefix}.spec_values"] = _("Give a value for each spec: %(names)s") % {
                "names": "、".join(spec_names)
            }
        combo = tuple(str(sku.spec_values.get(name, "")) for name in spec_names)
        if spec_names and combo in combos:
            errors[f"{prefix}.spec_values"] = _("Two SKUs have the same spec values")
        combos.add(combo)
    for url in [*data.main_images, *data.detail_images, data.video_url]:
        if len(url) > 500:
            errors["images"] = _("A link is longer than 500 characters")
    for index, doc in enumerate(data.qualifications):
        if not doc.name.strip():
            errors[f"qualifications.{index}.name"] = _("A name is required")
    if errors:
        raise ValidationFailed(_("The product has invalid fields"), details=errors)
    return {"title": title, "brand": brand, "category": category, "scenes": scenes, "spec_names": spec_names}


# --- create and update ----------------------------------------------------------------------


def _snapshot(product: Product) -> dict[str, Any]:
    return {
        "title": product.title,
        "status": product.status,
        "tier": product.tier,
        "brand": product.brand_id,
        "category": product.category_id,
        "selling_points": list(product.selling_points),
        "skus": sorted(product.skus.values_list("code", flat=True)),
    }


def _refresh_derived(product: Product) -> None:
    """Price range and banned-word count, kept on the product so lists need no joins."""
    prices = list(product.skus.filter(is_active=True).values_list("sale_price_fen", flat=True))
    product.min_price_fen = min(prices, default=0)
    product.max_price_fen = max(prices, default=0)
    hits = compliance_checker().scan(product_copy(product.title, product.selling_points, product.description))
    product.compliance_hits = len(hits)
    product.save(update_fields=["min_price_fen", "max_price_fen", "compliance_hits", "updated_at"])


def _reindex(product_ids: Iterable[int]) -> None:
    from shopkeeper.catalog.search import search_index_products

    search_index_products(list(product_ids))


def _write_media(product: Product, data: ProductInput) -> None:
    product.images.all().delete()
    ProductImage.objects.bulk_create(
        [
            ProductImage(product=product, kind=ImageKind.MAIN, url=url, position=i)
            for i, url in enumerate(data.main_images)
        ]
        + [
            ProductImage(product=product, kind=ImageKind.DETAIL, url=url, position=i)
            for i, url in enumerate(data.detail_images)
        ]
    )
    product.qualifications.all().delete()
    QualificationDocument.objects.bulk_create(
        [
            QualificationDocument(
                product=product,
                name=doc.name.strip(),
                number=doc.number.strip(),
                issued_by=doc.issued_by.strip(),
                expires_on=doc.expires_on,
                file_url=doc.file_url,
            )
            for doc in data.qualifications
        ]
    )


def _count_in_inventory(actor: ActorContext, counts: Sequence[tuple[Sku, int]]) -> None:
    """Stock belongs to inventory: a quantity typed here (editor, API, import) is a count of the SKU
    in the default warehouse, recorded there as a stocktake. `Sku.stock_quantity` keeps the number
    typed, so only a changed number counts again; availability never reads it."""
    if not counts:
        return
    # Imported on use: inventory's services read catalog selectors, which import catalog services.
    from shopkeeper.inventory import services as inventory

    lines = [
        inventory.CountLine(
            sku_id=sku.pk, warehouse_id=None, counted=quantity, reason=_("Quantity entered in the catalog")
        )
        for sku, quantity in counts
    ]
    try:
        inventory.stocktake_many(lines=lines, actor=actor, source="catalog")
    except ShopkeeperError as exc:
        refused = exc.details.get("lines", [])
        raise ValidationFailed(
            exc.message,
            details={
                f"skus.{counts[int(line['index'])][0].code}.stock_quantity": _(
                    "%(reserved)s units are reserved for orders: the count cannot be lower"
                )
                % {"reserved": line["reserved"]}
                for line in refused
            }
            or exc.details,
        ) from None


def product_create(*, actor: ActorContext, data: ProductInput, reindex: bool = True) -> Product:
    """A new product starts as a draft; drafts may hold banned words (the report lists them).

    `reindex=False` (here and in the other writes) leaves the search document to the caller, which
    then indexes every product it wrote at once, inside the same transaction (the import does).
    """
    cleaned = _validate(data, product=None)
    with transaction.atomic():
        product = Product.objects.create(
            title=cleaned["title"],
            selling_points=[point.strip() for point in data.selling_points if point.strip()],
            description=data.description,
            brand=cleaned["brand"],
            category=cleaned["category"],
            tier=data.tier,
            spec_names=cleaned["spec_names"],
            video_url=data.video_url,
            created_by=actor.user,
        )
        product.scenes.set(cleaned["scenes"])
        created = Sku.objects.bulk_create(
            [
                Sku(
                    product=product,
                    code=sku.code.strip(),
                    spec_values={key: str(value) for key, value in sku.spec_values.items()},
                    barcode=sku.barcode.strip(),
                    sale_price_fen=sku.sale_price.fen,
                    list_price_fen=sku.list_price.fen,
                    cost_price_fen=sku.cost_price.fen,
                    weight_g=sku.weight_g,
                    stock_quantity=sku.stock_quantity,
                    is_active=sku.is_active,
                    position=index,
                )
                for index, sku in enumerate(data.skus)
            ]
        )
        _count_in_inventory(actor, [(sku, sku.stock_quantity) for sku in created if sku.stock_quantity > 0])
        _write_media(product, data)
        _refresh_derived(product)
        if reindex:
            _reindex([product.pk])
        audit_record(actor=actor, action="product.create", target=product, after=_snapshot(product))
    return product


def _lock(product_ids: Iterable[int]) -> list[Product]:
    """Lock products in primary-key order (the fixed order that keeps concurrent writers deadlock-free)."""
    ids = sorted(set(product_ids))
    locked = list(Product.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        missing = sorted(set(ids) - {p.pk for p in locked})
        raise NotFound(_("No product with id %(ids)s") % {"ids": missing}, details={"ids": missing})
    return locked


def product_update(
    *, actor: ActorContext, product: Product, data: ProductInput, price_reason: str = "", reindex: bool = True
) -> Product:
    """Replace the product's fields and SKUs (matched by code; missing codes are deactivated).

    Changed prices need a reason and enter the price history. A listed product must still pass
    every listing check, banned words included, or nothing is saved.
    """
    cleaned = _validate(data, product=product)
    with transaction.atomic():
        (product,) = _lock([product.pk])
        before = _snapshot(product)
        product.title = cleaned["title"]
        product.selling_points = [point.strip() for point in data.selling_points if point.strip()]
        product.description = data.description
        product.brand = cleaned["brand"]
        product.category = cleaned["category"]
        product.tier = data.tier
        product.spec_names = cleaned["spec_names"]
        product.video_url = data.video_url
        product.save()
        product.scenes.set(cleaned["scenes"])
        existing = {sku.code: sku for sku in product.skus.select_for_update().order_by("pk")}
        now = timezone.now()
        price_changes: list[PriceChange] = []
        counts: list[tuple[Sku, int]] = []
        for index, item in enumerate(data.skus):
            code = item.code.strip()
            sku = existing.pop(code, None) or Sku(product=product, code=code)
            if item.stock_quantity != (sku.stock_quantity if sku.pk is not None else 0):
                counts.append((sku, item.stock_quantity))
            for price_field, new in (
                (PriceField.SALE, item.sale_price.fen),
                (PriceField.LIST, item.list_price.fen),
                (PriceField.COST, item.cost_price.fen),
            ):
                attribute = f"{price_field.value}_price_fen"
                old: int | None = getattr(sku, attribute) if sku.pk is not None else None
                if old is not None and old != new:
                    price_changes.append(
                        PriceChange(sku=sku, field=price_field, old_fen=old, new_fen=new, at=now, actor=actor.user,
                                    actor_label=actor.user.get_username() if actor.user else "system", reason="")
                    )  # fmt: skip
                setattr(sku, attribute, new)
            sku.spec_values = {key: str(value) for key, value in item.spec_values.items()}
            sku.barcode, sku.weight_g, sku.stock_quantity = item.barcode.strip(), item.weight_g, item.stock_quantity
            sku.is_active, sku.position = item.is_active, index
            sku.save()
        for leftover in existing.values():
            if leftover.is_active:
                leftover.is_active = False
                leftover.save(update_fields=["is_active", "updated_at"])
        _count_in_inventory(actor, counts)
        if price_changes:
            if not price_reason.strip():
                raise ValidationFailed(
                    _("Prices changed: give a reason for the price history"), details={"price_reason": "required"}
                )
            for change in price_changes:
                change.reason = price_reason.strip()[:200]
            PriceChange.objects.bulk_create(price_changes)
        _write_media(product, data)
        _refresh_derived(product)
        if product.status == ProductStatus.LISTED:
            _check_listable(product)
        if reindex:
            _reindex([product.pk])
        audit_record(actor=actor, action="product.update", target=product, before=before, after=_snapshot(product))
    return product


# --- lifecycle ------------------------------------------------------------------------------


def _check_listable(product: Product) -> None:
    hits = compliance_checker().scan(product_copy(product.title, product.selling_points, product.description))
    if hits:
        raise compliance_refusal(hits)
    facts = ListingFacts(
        title=product.title,
        skus=[
            SkuFacts(
                code=sku.code,
                sale_price_fen=sku.sale_price_fen,
                list_price_fen=sku.list_price_fen,
                cost_price_fen=sku.cost_price_fen,
                active=sku.is_active,
            )
            for sku in product.skus.all()
        ],
        main_image_count=product.images.filter(kind=ImageKind.MAIN).count(),
        qualification_expiries=list(product.qualifications.values_list("expires_on", flat=True)),
        compliance_hits=[],
    )
    problems = listing_problems(facts, today=timezone.localdate())
    if problems:
        raise ListingRefused(
            _("“%(title)s” cannot be listed yet") % {"title": product.title},
            details={"problems": [listing_problem_detail(problem) for problem in problems]},
        )


def _transition(actor: ActorContext, product: Product, action: Action, now: datetime) -> None:
    try:
        status = next_status(Status(product.status), action)
    except IllegalTransition as exc:
        raise ListingRefused(
            illegal_transition_message(exc.current, exc.action),
            details={"status": product.status, "action": action.value},
        ) from None
    if action is Action.LIST:
        _check_listable(product)
        product.listed_at = now
        product.scheduled_list_at = None
    else:
        product.delisted_at = now
        product.scheduled_delist_at = None
    before = product.status
    product.status = status.value
    product.save(
        update_fields=["status", "listed_at", "delisted_at", "scheduled_list_at", "scheduled_delist_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=f"product.{action.value}",
        target=product,
        before={"status": before},
        after={"status": status.value},
    )


def _bulk(actor: ActorContext, product_ids: Iterable[int], action: Action, *, reindex: bool = True) -> list[Product]:
    """All or nothing: if any product cannot change, none does, and every refusal is reported."""
    now = timezone.now()
    with transaction.atomic():
        products = _lock(product_ids)
        refusals: dict[str, Any] = {}
        for product in products:
            try:
                with transaction.atomic():
                    _transition(actor, product, action, now)
            except (ValidationFailed, ListingRefused, ComplianceRefused) as exc:
                if len(products) == 1:
                    raise  # one product: its own refusal, with its own details, says it best
                refusals[str(product.pk)] = {"title": product.title, "message": exc.message, **exc.details}
        if refusals:
            transaction.set_rollback(True)
            raise ListingRefused(
                _("%(count)s product(s) cannot be changed; nothing was changed") % {"count": len(refusals)},
                details={"products": refusals},
            )
        if reindex:
            _reindex(product.pk for product in products)
    return products


def product_list(*, actor: ActorContext, product: Product, reindex: bool = True) -> Product:
    return _bulk(actor, [product.pk], Action.LIST, reindex=reindex)[0]


def product_delist(*, actor: ActorContext, product: Product, reindex: bool = True) -> Product:
    return _bulk(actor, [product.pk], Action.DELIST, reindex=reindex)[0]


def products_bulk_list(*, actor: ActorContext, product_ids: Iterable[int]) -> list[Product]:
    return _bulk(actor, product_ids, Action.LIST)


def products_bulk_delist(*, actor: ActorContext, product_ids: Iterable[int]) -> list[Product]:
    return _bulk(actor, product_ids, Action.DELIST)


def product_schedule(
    *, actor: ActorContext, product: Product, list_at: datetime | None, delist_at: datetime | None
) -> Product:
    """Set (or clear, with None) when the worker lists and delists the product."""
    now = timezone.now()
    errors: dict[str, str] = {}
    if list_at is not None and list_at <= now:
        errors["list_at"] = _("Must be in the future")
    if delist_at is not None and delist_at <= now:
        errors["delist_at"] = _("Must be in the future")
    if list_at and delist_at and delist_at <= list_at:
        errors["delist_at"] = _("Must be after the listing time")
    if list_at is not None and product.status == ProductStatus.LISTED:
        errors["list_at"] = _("The product is already listed")
    if errors:
        raise ValidationFailed(_("The schedule is not valid"), details=errors)
    with transaction.atomic():
        (product,) = _lock([product.pk])
        before = {"list_at": product.scheduled_list_at, "delist_at": product.scheduled_delist_at}
        product.scheduled_list_at, product.scheduled_delist_at = list_at, delist_at
        product.save(update_fields=["scheduled_list_at", "scheduled_delist_at", "updated_at"])
        audit_record(
            actor=actor,
            action="product.schedule",
            target=product,
            before=before,
            after={"list_at": list_at, "delist_at": delist_at},
        )
    return product


def _due(queryset: QuerySet[Product]) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True)[:500])


def catalog_run_schedules(*, now: datetime | None = None) -> dict[str, int]:
    """List and delist what is due. A product that fails its listing checks keeps its draft state,
    loses the schedule and gets an audit entry saying why, so the operator sees it."""
    moment = now or timezone.now()
    actor = ActorContext.system()
    counts = {"listed": 0, "delisted": 0, "failed": 0}
    for pk in _due(Product.objects.filter(scheduled_list_at__lte=moment).exclude(status=ProductStatus.LISTED)):
        try:
            _bulk(actor, [pk], Action.LIST)
            counts["listed"] += 1
        except (ValidationFailed, ListingRefused, ComplianceRefused) as exc:
            counts["failed"] += 1
            with transaction.atomic():
                product = _lock([pk])[0]
                product.scheduled_list_at = None
                product.save(update_fields=["scheduled_list_at", "updated_at"])
                audit_record(
                    actor=actor,
                    action="product.schedule_failed",
                    target=product,
                    after={"reason": exc.message, **exc.details},
                )
    for pk in _due(Product.objects.filter(scheduled_delist_at__lte=moment, status=ProductStatus.LISTED)):
        _bulk(actor, [pk], Action.DELIST)
        counts["delisted"] += 1
    return counts
