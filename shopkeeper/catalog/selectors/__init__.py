"""Catalog reads shared by the API, the console, the storefront and reports."""

from shopkeeper.catalog.selectors.products import (
    ComplianceRow,
    brand_list,
    category_descendant_ids,
    category_get,
    category_tree,
    compliance_report,
    home_modules,
    price_history,
    product_detail,
    product_get,
    product_list_staff,
    scene_get,
    scene_list,
    sku_availability,
)

__all__ = [
    "ComplianceRow",
    "brand_list",
    "category_descendant_ids",
    "category_get",
    "category_tree",
    "compliance_report",
    "home_modules",
    "price_history",
    "product_detail",
    "product_get",
    "product_list_staff",
    "scene_get",
    "scene_list",
    "sku_availability",
]
