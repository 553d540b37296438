"""The demo steps, in order. Each domain adds its own step here when it lands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.catalog import services as catalog_services
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.demo import (
    steps_aftersales,  # after-sales step (registered at its slot below)
    steps_flash,  # flash sale step (registered at its slot below)
    steps_presale,  # presale step (registered at its slot below)
    steps_promotions,  # promotions step (registered at its slot below)
)
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.catalog import BRANDS, SCENES, DemoProduct, category_paths, demo_products
from shopkeeper.demo.domain.people import person_name
from shopkeeper.demo.steps_coupons import coupons_step  # registered at its slot below
from shopkeeper.demo.steps_customers import customers_step, tiers_step
from shopkeeper.demo.steps_fulfillment import fulfillment_step  # registered at its slot below
from shopkeeper.demo.steps_groupbuy import groupbuy_step  # registered at its slot below
from shopkeeper.demo.steps_inventory import inventory_step
from shopkeeper.demo.steps_lottery import lottery_step  # registered at its slot below
from shopkeeper.demo.steps_orders import orders_step

DEMO_PASSWORD = "shopkeeper-demo"  # noqa: S105  (printed by `make run`; demo databases only)
DemoStep = Callable[[DemoContext], None]


def staff_step(ctx: DemoContext) -> None:
    """One demo login per role (username = role name) plus colleagues without a password."""
    rng = ctx.rng("staff")
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    login_hash = make_password(DEMO_PASSWORD)  # hashed once: the same password for every login
    users: list[tuple[User, Role]] = []
    for role in Role:
        name = person_name(rng)
        users.append(
            (
                User(
                    username=role.value,
                    display_name=name.full,
                    password=login_hash,
                    email=f"{role.value}@demo.shopkeeper.local",
                ),
                role,
            )
        )
        for index in range(ctx.spec.extra_staff_per_role):
            colleague = person_name(rng)
            users.append(
                (
                    User(
                        username=f"{role.value}_{index + 2:02d}",
                        display_name=colleague.full,
                        password="!",  # noqa: S106  (an unusable password: these colleagues cannot sign in)
                        is_active=True,
                    ),
                    role,
                )
            )
    created = User.objects.bulk_create([user for user, _role in users], batch_size=500)
    membership = User.groups.through
    membership._default_manager.bulk_create(
        [
            membership(user_id=user.pk, group_id=groups[role.value].pk)
            for user, (_unused, role) in zip(created, users, strict=True)
        ],
        batch_size=1000,
    )
    ctx.counts["staff"] += len(created)


DEMO_IMAGES = "/static/shopkeeper/demo"


def _bulk_products(ctx: DemoContext, items: Iterator[DemoProduct]) -> Iterator[catalog_services.BulkProduct]:
    for item in items:
        yield catalog_services.BulkProduct(
            title=item.title,
            brand=item.brand,
            category=item.category,
            scenes=item.scenes,
            tier=item.tier,
            status=item.status,
            selling_points=item.selling_points,
            description=item.description,
            spec_names=item.spec_names,
            skus=[
                catalog_services.SkuInput(
                    code=sku.code,
                    spec_values=sku.spec_values,
                    sale_price=Money(sku.sale_fen),
                    list_price=Money(sku.list_fen),
                    cost_price=Money(sku.cost_fen),
                    weight_g=sku.weight_g,
                    stock_quantity=sku.stock,
                    barcode=sku.barcode,
                )
                for sku in item.skus
            ],
            main_images=[f"{DEMO_IMAGES}/{item.image}.svg"],
            detail_images=[f"{DEMO_IMAGES}/{item.image}.svg"],
            sales_count=item.sales_count,
            listed_at=ctx.now - timedelta(days=item.listed_days_ago),
        )


def catalog_step(ctx: DemoContext) -> None:
    """Brands, a category tree, scenes, products (a few non-compliant drafts) and a home page."""
    count = ctx.spec.products
    skeleton = catalog_services.CatalogSkeleton(brands=BRANDS, categories=category_paths(), scenes=SCENES)
    with ctx.bar(total=count, label="products") as bar:
        result = catalog_services.products_bulk_load(
            skeleton=skeleton,
            products=_bulk_products(ctx, demo_products(ctx.rng("catalog"), count)),
            on_batch=bar.update,
        )
    ctx.counts["products"] += result.products
    ctx.counts["skus"] += result.skus
    actor = ActorContext.system()
    top_categories = [c.pk for c in catalog_selectors.category_tree() if c.depth == 0]
    scenes = [s.pk for s in catalog_selectors.scene_list()]
    catalog_services.home_module_save(
        actor=actor,
        kind="hero_banner",
        title="双11 好物节",
        config={"image_url": f"{DEMO_IMAGES}/banner.svg", "link": "/"},  # no subtitle: no promotion runs
    )
    catalog_services.home_module_save(
        actor=actor, kind="category_nav", title="分类", config={"category_ids": top_categories}
    )
    catalog_services.home_module_save(actor=actor, kind="scene_entries", title="逛场景", config={"scene_ids": scenes})
    catalog_services.home_module_save(actor=actor, kind="best_sellers", title="热销榜", config={"count": 8})
    catalog_services.home_module_save(actor=actor, kind="new_arrivals", title="新品上架", config={"count": 8})


STEPS: list[tuple[str, DemoStep]] = [
    ("staff", staff_step),
    ("catalog", catalog_step),
    # --- inventory step (warehouses, stock) ---
    ("inventory", inventory_step),
    # --- customers step (accounts, addresses) ---
    ("customers", customers_step),
    # --- orders step (carts, orders, payments over history_days) ---
    ("orders", orders_step),
    ("tiers", tiers_step),  # membership tiers from the demo spend
    # --- fulfillment step (shipments for the demo orders, carriers, capacity) ---
    ("fulfillment", fulfillment_step),
    # --- aftersales step (applications on demo orders) ---
    ("aftersales", steps_aftersales.aftersales_step),
    # --- promotions step (rules, coupons) ---
    ("promotions", steps_promotions.promotions_step),
    ("coupons", coupons_step),
    # --- flash / presale / group buy / lottery steps ---
    ("flash", steps_flash.flash_step),
    ("presale", steps_presale.presale_step),
    ("lottery", lottery_step),  # before the group buys: their paid orders draw
    ("groupbuy", groupbuy_step),
]
