"""The console's navigation: each entry names the permission it needs; users see only theirs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shopkeeper.core import selectors
from shopkeeper.core.models import User
from shopkeeper.core.roles import (
    ARRANGE_HOME,
    IMPORT_PRODUCTS,
    MANAGE_SHIPPING,
    MANAGE_STAFF,
    MANAGE_STOCK,
    MODERATE_REVIEWS,
    USE_API_TOKENS,
    VIEW_AUDIT_LOG,
    VIEW_CATALOG,
    VIEW_COMPLIANCE_REPORT,
    VIEW_INVENTORY,
    VIEW_ORDERS,
    VIEW_PAYMENTS,
    VIEW_ROLES,
    VIEW_SANDBOX,
    VIEW_SYSTEM_HEALTH,
)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class NavSection:
    title: str
    links: list[NavLink]


PLATFORM_ITEMS = [
    NavItem(_("Staff"), "console:staff_list", MANAGE_STAFF),
    NavItem(_("Roles"), "console:roles", VIEW_ROLES),
    NavItem(_("Audit log"), "console:audit_list", VIEW_AUDIT_LOG),
    NavItem(_("System health"), "console:health", VIEW_SYSTEM_HEALTH),
    NavItem(_("Sandbox gateway"), "console_payments:sandbox_log", VIEW_SANDBOX),
]
# Catalog pages (product desk, import/export, compliance, home page, reviews), in menu order.
CATALOG_ITEMS: list[NavItem] = [NavItem(_("Products"), "console:product_list", VIEW_CATALOG)]  # product desk
CATALOG_ITEMS += [  # catalog tools
    NavItem(_("Import & export"), "console:catalog_import", IMPORT_PRODUCTS),
    NavItem(_("Compliance"), "console:catalog_compliance", VIEW_COMPLIANCE_REPORT),
    NavItem(_("Banned words"), "console:catalog_banned_words", VIEW_COMPLIANCE_REPORT),  # read-only without manage
    NavItem(_("Home page"), "console:catalog_home", ARRANGE_HOME),
]
CATALOG_ITEMS += [NavItem(_("Reviews"), "console:review_list", MODERATE_REVIEWS)]  # review moderation
# Stock and warehouses (inventory work), in menu order.
INVENTORY_ITEMS: list[NavItem] = [
    NavItem(_("Stock"), "console:inventory_stock", VIEW_INVENTORY),
    NavItem(_("Low-stock alerts"), "console:inventory_alerts", VIEW_INVENTORY),
    NavItem(_("Warehouses"), "console:inventory_warehouses", VIEW_INVENTORY),
    NavItem(_("Receive goods"), "console:inventory_receive", MANAGE_STOCK),
    NavItem(_("Stock import"), "console:inventory_import", MANAGE_STOCK),
]
# Orders, payments and refunds (orders work), in menu order.
ORDER_ITEMS: list[NavItem] = [
    NavItem(_("Orders"), "console:order_list", VIEW_ORDERS),
    NavItem(_("Payments"), "console_payments:payment_list", VIEW_PAYMENTS),
    NavItem(_("Shipping fees"), "console:shipping_rules", MANAGE_SHIPPING),
]
# Fulfilment: the warehouse desk, shipments, carriers, surge drill (fulfillment work), in menu order.
from shopkeeper.core.roles import RUN_WAREHOUSE_DESK, VIEW_OVERDUE, VIEW_SHIPMENTS  # noqa: E402

FULFILMENT_ITEMS: list[NavItem] = [
    NavItem(_("Warehouse queue"), "console:fulfillment_queue", VIEW_SHIPMENTS),
    NavItem(_("Shipments"), "console:fulfillment_shipments", VIEW_SHIPMENTS),
    NavItem(_("Overdue shipments"), "console:fulfillment_overdue", VIEW_OVERDUE),
    NavItem(_("Surge drill"), "console:fulfillment_surge", VIEW_OVERDUE),
    NavItem(_("Bin locations"), "console:fulfillment_bins", RUN_WAREHOUSE_DESK),
    NavItem(_("Carriers"), "console:fulfillment_carriers", RUN_WAREHOUSE_DESK),
    NavItem(_("Warehouse capacity"), "console:fulfillment_capacity", RUN_WAREHOUSE_DESK),
]
# After-sales: the queue, rules, refund rates (aftersales work), in menu order.
from shopkeeper.core.roles import MANAGE_AFTERSALES_RULES, VIEW_AFTERSALES, VIEW_REFUND_RATES  # noqa: E402

AFTERSALES_ITEMS: list[NavItem] = [
    NavItem(_("After-sales queue"), "console:aftersales_queue", VIEW_AFTERSALES),
    NavItem(_("Automatic approval"), "console:aftersales_rules", MANAGE_AFTERSALES_RULES),
    NavItem(_("Refund rates"), "console:aftersales_rates", VIEW_REFUND_RATES),
]
# Campaigns: promotions, coupons, flash sales, presales, group buys, lotteries, simulator, calendar.
PROMOTION_ITEMS: list[NavItem] = [  # promotions work (rules, calendar, simulator)
    NavItem(_("Promotions"), "console:promotion_list", "promotions.view_promotions"),
    NavItem(_("Promotion calendar"), "console:promotion_calendar", "promotions.view_promotions"),
    NavItem(_("Campaign simulator"), "console:promotion_simulator", "promotions.run_simulator"),
]
PROMOTION_ITEMS += [  # coupons work
    NavItem(_("Coupons"), "console:coupon_list", "coupons.view_coupons"),
    NavItem(_("Issue coupons"), "console:coupon_issue", "coupons.issue_coupons"),
]
PROMOTION_ITEMS += [NavItem(_("Flash sales"), "console:flash_list", "flash.view_flash_sales")]  # flash sale work
PROMOTION_ITEMS += [NavItem(_("Presales"), "console:presale_list", "promotions.view_promotions")]  # presale work
PROMOTION_ITEMS += [  # group buy and lottery work
    NavItem(_("Group buys"), "console:groupbuy_list", "groupbuy.view_groupbuys"),
    NavItem(_("Lotteries"), "console:lottery_list", "lottery.view_lotteries"),
]
# Customers: the look-up and membership tiers (customers work).
CUSTOMER_ITEMS: list[NavItem] = [NavItem(_("Customers"), "console:customer_list", "customers.view_customers")]
ACCOUNT_ITEMS = [
    NavItem(_("API tokens"), "console:tokens", USE_API_TOKENS),
]


def build_nav(user: User, current_path: str) -> list[NavSection]:
    def link(label: str, url: str) -> NavLink:
        return NavLink(label=label, url=url, active=current_path.startswith(url))

    sections: list[NavSection] = []
    desks = [link(str(role.label), reverse("console:desk", args=[role.value])) for role in selectors.user_desks(user)]
    if desks:
        sections.append(NavSection(title=str(_("Desks")), links=desks))
    for title, items in (
        (_("Catalog"), CATALOG_ITEMS),
        (_("Orders"), ORDER_ITEMS),
        (_("Fulfilment"), FULFILMENT_ITEMS),
        (_("After-sales"), AFTERSALES_ITEMS),
        (_("Campaigns"), PROMOTION_ITEMS),
        (_("Customers"), CUSTOMER_ITEMS),
        (_("Inventory"), INVENTORY_ITEMS),
        (_("Platform"), PLATFORM_ITEMS),
        (_("My account"), ACCOUNT_ITEMS),
    ):
        links = [link(str(item.label), reverse(item.url_name)) for item in items if user.has_perm(item.permission)]
        if links:
            sections.append(NavSection(title=str(title), links=links))
    return sections
