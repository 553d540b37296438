"""The one permission map: which department role may use what.

A data migration turns this map into Django groups (`role_groups_sync`); every later app that
adds permissions extends the map here and adds a migration that calls the sync again.
Permissions are written "app_label.codename", exactly as `user.has_perm` takes them.
"""

from __future__ import annotations

from shopkeeper.core.enums import Role

# Capabilities owned by core (declared on core.models.Capability and core.models.AuditEntry).
USE_CONSOLE = "core.use_console"
USE_API_TOKENS = "core.use_api_tokens"
MANAGE_STAFF = "core.manage_staff"
VIEW_ROLES = "core.view_roles"
VIEW_SYSTEM_HEALTH = "core.view_system_health"
VIEW_AUDIT_LOG = "core.view_auditentry"


def desk_permission(role: Role | str) -> str:
    """The permission to open a role's desk (its console home page)."""
    return f"core.desk_{Role(role).value}"


def desk_codename(role: Role | str) -> str:
    return desk_permission(role).split(".", 1)[1]


# Catalog capabilities (declared on catalog.models.CatalogAccess).
VIEW_CATALOG = "catalog.view_catalog"
MANAGE_PRODUCTS = "catalog.manage_products"
CHANGE_PRICES = "catalog.change_prices"
IMPORT_PRODUCTS = "catalog.import_products"
MANAGE_BANNED_WORDS = "catalog.manage_banned_words"
VIEW_COMPLIANCE_REPORT = "catalog.view_compliance_report"
ARRANGE_HOME = "catalog.arrange_home"
MODERATE_REVIEWS = "catalog.moderate_reviews"

EVERY_STAFF_MEMBER = frozenset({USE_CONSOLE, USE_API_TOKENS})
_CATALOG_READERS = frozenset({VIEW_CATALOG})
_STORE_DESK = frozenset(
    {VIEW_CATALOG, MANAGE_PRODUCTS, CHANGE_PRICES, IMPORT_PRODUCTS, VIEW_COMPLIANCE_REPORT, ARRANGE_HOME}
)

# The director oversees every business desk; the supervisor oversees the agents' desk.
_BUSINESS_ROLES = [role for role in Role if role is not Role.PLATFORM_ADMIN]

_DESKS: dict[Role, frozenset[str]] = {
    Role.OPERATIONS_DIRECTOR: frozenset(desk_permission(role) for role in _BUSINESS_ROLES),
    Role.CS_SUPERVISOR: frozenset({desk_permission(Role.CS_SUPERVISOR), desk_permission(Role.CS_AGENT)}),
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    role: _DESKS.get(role, frozenset({desk_permission(role)})) for role in Role
}
# Who may do what in the catalog: the store operator runs it; the platform admin keeps the
# banned-word list; the director and brand read the compliance report; most desks read products.
ROLE_PERMISSIONS[Role.STORE_OPERATOR] |= _STORE_DESK | {MODERATE_REVIEWS}
# Product reviews are moderated by the store operator and by the customer-service supervisor.
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] |= {MODERATE_REVIEWS}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= _CATALOG_READERS | {VIEW_COMPLIANCE_REPORT}
ROLE_PERMISSIONS[Role.BRAND] |= _CATALOG_READERS | {VIEW_COMPLIANCE_REPORT}
ROLE_PERMISSIONS[Role.PLATFORM_ADMIN] |= {
    MANAGE_STAFF,
    VIEW_ROLES,
    VIEW_SYSTEM_HEALTH,
    VIEW_AUDIT_LOG,
    MANAGE_BANNED_WORDS,
    VIEW_COMPLIANCE_REPORT,
}
for _reader in (
    Role.CAMPAIGN_OPERATOR,
    Role.USER_OPS,
    Role.MARKETING,
    Role.NEW_MEDIA,
    Role.DESIGNER,
    Role.CS_SUPERVISOR,
    Role.CS_AGENT,
    Role.WAREHOUSE,
    Role.PROCUREMENT,
    Role.DATA_ANALYST,
):
    ROLE_PERMISSIONS[_reader] |= _CATALOG_READERS

# --- inventory permissions ---
# Stock (declared on inventory.models.InventoryAccess): the warehouse runs it; the store operator
# watches stock and alerts and sets safety stock; procurement and the director read it.
VIEW_INVENTORY = "inventory.view_inventory"
MANAGE_STOCK = "inventory.manage_stock"
SET_SAFETY_STOCK = "inventory.set_safety_stock"
ROLE_PERMISSIONS[Role.WAREHOUSE] |= {VIEW_INVENTORY, MANAGE_STOCK, SET_SAFETY_STOCK}
ROLE_PERMISSIONS[Role.STORE_OPERATOR] |= {VIEW_INVENTORY, SET_SAFETY_STOCK}
ROLE_PERMISSIONS[Role.PROCUREMENT] |= {VIEW_INVENTORY}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= {VIEW_INVENTORY}
# --- customers permissions ---
# Customers (declared on customers.models.Customer): user operations looks customers up and sets
# their membership tier; customer service and the director look them up.
VIEW_CUSTOMERS = "customers.view_customers"
SET_CUSTOMER_TIER = "customers.set_customer_tier"
ROLE_PERMISSIONS[Role.USER_OPS] |= {VIEW_CUSTOMERS, SET_CUSTOMER_TIER}
for _customers_reader in (Role.OPERATIONS_DIRECTOR, Role.CS_SUPERVISOR, Role.CS_AGENT):
    ROLE_PERMISSIONS[_customers_reader] |= {VIEW_CUSTOMERS}
# --- payments permissions ---
# Payments, refunds and gateway callbacks are read by whoever manages orders (declared on
# payments.models.PaymentsAccess); the sandbox gateway's delivery log (a development tool) by the
# platform admin.
VIEW_PAYMENTS = "payments.view_payments"
VIEW_SANDBOX = "payments.view_sandbox"
for _payments_reader in (
    Role.STORE_OPERATOR,
    Role.CS_SUPERVISOR,
    Role.CS_AGENT,
    Role.OPERATIONS_DIRECTOR,
    Role.DATA_ANALYST,
):
    ROLE_PERMISSIONS[_payments_reader] |= {VIEW_PAYMENTS}
ROLE_PERMISSIONS[Role.PLATFORM_ADMIN] |= {VIEW_SANDBOX}
# --- orders and checkout permissions ---
# Orders are read by every desk that answers for them; the store operator and the CS supervisor
# cancel and refund; exports go to those who report on them (declared on orders.models.Order).
VIEW_ORDERS = "orders.view_orders"
MANAGE_ORDERS = "orders.manage_orders"
EXPORT_ORDERS = "orders.export_orders"
MANAGE_SHIPPING = "checkout.manage_shipping"  # shipping fee rules (checkout.models.ShippingRule)
for _role in (Role.STORE_OPERATOR, Role.CS_SUPERVISOR, Role.CS_AGENT, Role.OPERATIONS_DIRECTOR, Role.WAREHOUSE):
    ROLE_PERMISSIONS[_role] |= {VIEW_ORDERS}
ROLE_PERMISSIONS[Role.DATA_ANALYST] |= {VIEW_ORDERS, EXPORT_ORDERS}
ROLE_PERMISSIONS[Role.STORE_OPERATOR] |= {MANAGE_ORDERS, EXPORT_ORDERS, MANAGE_SHIPPING}
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] |= {MANAGE_ORDERS}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= {EXPORT_ORDERS}
# --- fulfillment permissions ---
# Shipments (declared on fulfillment.models.FulfillmentAccess): the warehouse runs the desk (pick,
# pack, ship, bins, carriers, capacity); the store operator and the director watch overdue parcels
# and run the surge drill; customer service reads shipments and their tracking.
VIEW_SHIPMENTS = "fulfillment.view_shipments"
RUN_WAREHOUSE_DESK = "fulfillment.run_warehouse_desk"
VIEW_OVERDUE = "fulfillment.view_overdue"
ROLE_PERMISSIONS[Role.WAREHOUSE] |= {VIEW_SHIPMENTS, RUN_WAREHOUSE_DESK, VIEW_OVERDUE}
for _role in (Role.STORE_OPERATOR, Role.OPERATIONS_DIRECTOR):
    ROLE_PERMISSIONS[_role] |= {VIEW_SHIPMENTS, VIEW_OVERDUE}
for _role in (Role.CS_SUPERVISOR, Role.CS_AGENT):
    ROLE_PERMISSIONS[_role] |= {VIEW_SHIPMENTS}
# --- aftersales permissions ---
# After-sales (declared on aftersales.models.Application): agents handle applications (approve
# up to their limit), the supervisor decides any and sets the automatic rules, the warehouse
# receives and inspects returns; the store operator, director and analysts read refund rates.
VIEW_AFTERSALES = "aftersales.view_aftersales"
HANDLE_AFTERSALES = "aftersales.handle_aftersales"
DECIDE_AFTERSALES = "aftersales.decide_aftersales"
MANAGE_AFTERSALES_RULES = "aftersales.manage_aftersales_rules"
INSPECT_RETURNS = "aftersales.inspect_returns"
VIEW_REFUND_RATES = "aftersales.view_refund_rates"
for _as_role in (Role.CS_AGENT, Role.CS_SUPERVISOR, Role.WAREHOUSE, Role.STORE_OPERATOR, Role.OPERATIONS_DIRECTOR):
    ROLE_PERMISSIONS[_as_role] |= {VIEW_AFTERSALES}
ROLE_PERMISSIONS[Role.CS_AGENT] |= {HANDLE_AFTERSALES}
ROLE_PERMISSIONS[Role.CS_SUPERVISOR] |= {
    HANDLE_AFTERSALES,
    DECIDE_AFTERSALES,
    MANAGE_AFTERSALES_RULES,
    VIEW_REFUND_RATES,
}
ROLE_PERMISSIONS[Role.WAREHOUSE] |= {INSPECT_RETURNS}
for _as_role in (Role.STORE_OPERATOR, Role.OPERATIONS_DIRECTOR, Role.DATA_ANALYST, Role.CAMPAIGN_OPERATOR):
    ROLE_PERMISSIONS[_as_role] |= {VIEW_REFUND_RATES}
# --- promotions permissions (rules, simulator; shared by coupons, flash, presale, group buy) ---
# Promotions (declared on promotions.models.Promotion): the campaign operator sets them up; the
# store operator and the director read them; the analyst (and the director) run the simulator.
VIEW_PROMOTIONS = "promotions.view_promotions"
MANAGE_PROMOTIONS = "promotions.manage_promotions"
RUN_SIMULATOR = "promotions.run_simulator"
ROLE_PERMISSIONS[Role.CAMPAIGN_OPERATOR] |= {VIEW_PROMOTIONS, MANAGE_PROMOTIONS, RUN_SIMULATOR}
ROLE_PERMISSIONS[Role.STORE_OPERATOR] |= {VIEW_PROMOTIONS}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= {VIEW_PROMOTIONS, RUN_SIMULATOR}
ROLE_PERMISSIONS[Role.DATA_ANALYST] |= {RUN_SIMULATOR}
# --- coupons permissions ---
# Coupons (declared on coupons.models.CouponTemplate): the campaign operator and user operations
# set templates up; customer service issues coupons to customers; the director reads.
VIEW_COUPONS = "coupons.view_coupons"
MANAGE_COUPONS = "coupons.manage_coupons"
ISSUE_COUPONS = "coupons.issue_coupons"
for _role in (Role.CAMPAIGN_OPERATOR, Role.USER_OPS):
    ROLE_PERMISSIONS[_role] |= {VIEW_COUPONS, MANAGE_COUPONS}
for _role in (Role.CS_SUPERVISOR, Role.CS_AGENT):
    ROLE_PERMISSIONS[_role] |= {VIEW_COUPONS, ISSUE_COUPONS}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= {VIEW_COUPONS}
# --- group buy and lottery permissions ---
# Group buys (declared on groupbuy.models.GroupBuy) and lotteries (lottery.models.Lottery): the
# campaign operator sets them up and pauses them; the director reads them and their counters.
VIEW_GROUPBUYS = "groupbuy.view_groupbuys"
MANAGE_GROUPBUYS = "groupbuy.manage_groupbuys"
VIEW_LOTTERIES = "lottery.view_lotteries"
MANAGE_LOTTERIES = "lottery.manage_lotteries"
ROLE_PERMISSIONS[Role.CAMPAIGN_OPERATOR] |= {VIEW_GROUPBUYS, MANAGE_GROUPBUYS, VIEW_LOTTERIES, MANAGE_LOTTERIES}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= {VIEW_GROUPBUYS, VIEW_LOTTERIES}
# --- flash sale permissions ---
# Flash sales (declared on flash.models.FlashSale): the campaign operator manages sales, sessions
# and items; the director reads them and their live counters.
VIEW_FLASH_SALES = "flash.view_flash_sales"
MANAGE_FLASH_SALES = "flash.manage_flash_sales"
ROLE_PERMISSIONS[Role.CAMPAIGN_OPERATOR] |= {VIEW_FLASH_SALES, MANAGE_FLASH_SALES}
ROLE_PERMISSIONS[Role.OPERATIONS_DIRECTOR] |= {VIEW_FLASH_SALES}


def permissions_for(role: Role | str) -> frozenset[str]:
    return EVERY_STAFF_MEMBER | ROLE_PERMISSIONS[Role(role)]


def all_permissions() -> frozenset[str]:
    result: set[str] = set(EVERY_STAFF_MEMBER)
    for perms in ROLE_PERMISSIONS.values():
        result |= perms
    return frozenset(result)
