"""Catalog enumerations: product status and tier, image kinds, home-page module kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LISTED = "listed", _("Listed")
    DELISTED = "delisted", _("Delisted")


class ProductTier(models.TextChoices):
    TRAFFIC = "traffic", _("Traffic driver")
    PROFIT = "profit", _("Profit item")
    LONG_TAIL = "long_tail", _("Long-tail item")


class ImageKind(models.TextChoices):
    MAIN = "main", _("Main image")
    DETAIL = "detail", _("Detail image")


class HomeModuleKind(models.TextChoices):
    HERO_BANNER = "hero_banner", _("Hero banner")
    CATEGORY_NAV = "category_nav", _("Category navigation")
    SCENE_ENTRIES = "scene_entries", _("Scene entries")
    BEST_SELLERS = "best_sellers", _("Best sellers")
    NEW_ARRIVALS = "new_arrivals", _("New arrivals")


class PriceField(models.TextChoices):
    SALE = "sale", _("Sale price")
    LIST = "list", _("List price")
    COST = "cost", _("Cost price")


class BannedWordKind(models.TextChoices):
    EXTREME = "extreme", _("Superlative")  # 最, 第一, 顶级
    AUTHORITY = "authority", _("Authority claim")  # 国家级, 特供
    ABSOLUTE = "absolute", _("Absolute claim")  # 绝对, 100%, 永久
    OTHER = "other", _("Other")


class ImportJobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class ImportJobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking rows")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected: bad rows")
    FAILED = "failed", _("Failed")
