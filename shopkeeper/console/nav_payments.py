"""Menu entries of the payments pages, for console/nav.py (`ORDER_ITEMS += PAYMENT_ITEMS`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shopkeeper.console.nav import NavItem
from shopkeeper.core.roles import VIEW_PAYMENTS, VIEW_SANDBOX

PAYMENT_ITEMS = [
    NavItem(_("Payments"), "console_payments:payment_list", VIEW_PAYMENTS),
    NavItem(_("Sandbox gateway"), "console_payments:sandbox_log", VIEW_SANDBOX),
]
