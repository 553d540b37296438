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
# --- aftersales permissions ---
# --- promotions permissions (rules, simulator; shared by coupons, flash, presale, group buy) ---
# --- coupons permissions ---


def permissions_for(role: Role | str) -> frozenset[str]:
    return EVERY_STAFF_MEMBER | ROLE_PERMISSIONS[Role(role)]


def all_permissions() -> frozenset[str]:
    result: set[str] = set(EVERY_STAFF_MEMBER)
    for perms in ROLE_PERMISSIONS.values():
        result |= perms
    return frozenset(result)
