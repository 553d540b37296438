"""Catalog writes. Import from here: `from shopkeeper.catalog import services`."""

from shopkeeper.catalog.services.bulk import BulkProduct, BulkResult, CatalogSkeleton, products_bulk_load
from shopkeeper.catalog.services.compliance import (
    banned_word_add,
    banned_word_delete,
    banned_word_update,
    compliance_checker,
    compliance_rescan_all,
)
from shopkeeper.catalog.services.home import home_module_delete, home_module_save, home_modules_reorder
from shopkeeper.catalog.services.prices import PriceMode, sku_change_price, skus_bulk_change_price
from shopkeeper.catalog.services.products import (
    ProductInput,
    SkuInput,
    brand_create,
    catalog_run_schedules,
    category_create,
    product_create,
    product_delist,
    product_list,
    product_schedule,
    product_update,
    products_bulk_delist,
    products_bulk_list,
    scene_create,
)

__all__ = [
    "BulkProduct",
    "BulkResult",
    "CatalogSkeleton",
    "PriceMode",
    "ProductInput",
    "SkuInput",
    "banned_word_add",
    "banned_word_delete",
    "banned_word_update",
    "brand_create",
    "catalog_run_schedules",
    "category_create",
    "compliance_checker",
    "compliance_rescan_all",
    "home_module_delete",
    "home_module_save",
    "home_modules_reorder",
    "product_create",
    "product_delist",
    "product_list",
    "product_schedule",
    "product_update",
    "products_bulk_delist",
    "products_bulk_list",
    "products_bulk_load",
    "scene_create",
    "sku_change_price",
    "skus_bulk_change_price",
]
