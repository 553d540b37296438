"""Enumerations shared across the platform: the department roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """One Django group per department role of mission.md; the value is the group name."""

    OPERATIONS_DIRECTOR = "operations_director", _("Operations director")
    STORE_OPERATOR = "store_operator", _("Store operator")
    CAMPAIGN_OPERATOR = "campaign_operator", _("Campaign operator")
    USER_OPS = "user_ops", _("User operations")
    MARKETING = "marketing", _("Marketing")
    NEW_MEDIA = "new_media", _("New media")
    BRAND = "brand", _("Brand")
    DESIGNER = "designer", _("Designer")
    CS_SUPERVISOR = "cs_supervisor", _("Customer-service supervisor")
    CS_AGENT = "cs_agent", _("Customer-service agent")
    WAREHOUSE = "warehouse", _("Warehouse")
    PROCUREMENT = "procurement", _("Procurement")
    DATA_ANALYST = "data_analyst", _("Data analyst")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")


class AuditChannel(models.TextChoices):
    CONSOLE = "console", _("Console")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")
    STOREFRONT = "storefront", _("Storefront")
