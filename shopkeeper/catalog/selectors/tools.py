"""Reads for the catalog tools pages: the banned-word list and single home-page modules."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shopkeeper.catalog.models import BannedWord, HomeModule
from shopkeeper.core.errors import NotFound


def banned_word_list(*, active: bool | None = None, kind: str | None = None) -> QuerySet[BannedWord]:
    queryset = BannedWord.objects.order_by("word")
    if active is not None:
        queryset = queryset.filter(is_active=active)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def banned_word_get(*, word_id: int) -> BannedWord:
    banned = BannedWord.objects.filter(pk=word_id).first()
    if banned is None:
        raise NotFound(_("No such banned word"), details={"id": word_id})
    return banned


def home_module_get(*, module_id: int) -> HomeModule:
    module = HomeModule.objects.filter(pk=module_id).first()
    if module is None:
        raise NotFound(_("No such home-page module"), details={"id": module_id})
    return module
