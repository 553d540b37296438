"""The storefront home page: modules the store operator adds, configures and orders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkeeper.catalog.enums import HomeModuleKind
from shopkeeper.catalog.models import Category, HomeModule, Scene
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record


def _clean_config(kind: HomeModuleKind, config: dict[str, Any]) -> dict[str, Any]:
    if kind is HomeModuleKind.HERO_BANNER:
        image = str(config.get("image_url", "")).strip()
        if not image:
            raise ValidationFailed(_("A hero banner needs an image"), details={"config.image_url": "required"})
        return {
            "image_url": image,
            "link": str(config.get("link", "")).strip(),
            "subtitle": str(config.get("subtitle", ""))[:120],
        }
    if kind in (HomeModuleKind.BEST_SELLERS, HomeModuleKind.NEW_ARRIVALS):
        try:
            count = int(config.get("count", 8))
        except (TypeError, ValueError):
            count = -1
        if not 1 <= count <= 40:
            raise ValidationFailed(_("Show between 1 and 40 products"), details={"config.count": config.get("count")})
        return {"count": count}
    key, model = ("category_ids", Category) if kind is HomeModuleKind.CATEGORY_NAV else ("scene_ids", Scene)
    try:
        ids = [int(value) for value in config.get(key, [])]
    except (TypeError, ValueError):
        raise ValidationFailed(_("Ids must be numbers"), details={f"config.{key}": config.get(key)}) from None
    if model.objects.filter(pk__in=ids).count() != len(set(ids)):
        raise ValidationFailed(_("Some of the chosen entries do not exist"), details={f"config.{key}": ids})
    return {key: ids}


def home_module_save(
    *,
    actor: ActorContext,
    kind: str,
    title: str = "",
    config: dict[str, Any] | None = None,
    is_active: bool = True,
    module: HomeModule | None = None,
) -> HomeModule:
    try:
        module_kind = HomeModuleKind(kind)
    except ValueError:
        raise ValidationFailed(_("Unknown module kind %(kind)s") % {"kind": kind}, details={"kind": kind}) from None
    cleaned = _clean_config(module_kind, config or {})
    with transaction.atomic():
        before = (
            None
            if module is None
            else {"kind": module.kind, "title": module.title, "config": module.config, "is_active": module.is_active}
        )
        if module is None:
            module = HomeModule(position=HomeModule.objects.count())
        module.kind, module.title, module.config, module.is_active = (
            module_kind.value,
            title.strip()[:64],
            cleaned,
            is_active,
        )
        module.save()
        audit_record(
            actor=actor,
            action="home_module.save",
            target=module,
            before=before,
            after={"kind": module.kind, "title": module.title, "config": cleaned, "is_active": is_active},
        )
    return module


def home_module_delete(*, actor: ActorContext, module: HomeModule) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor, action="home_module.delete", target=module, before={"kind": module.kind, "title": module.title}
        )
        module.delete()


def home_modules_reorder(*, actor: ActorContext, module_ids: Sequence[int]) -> list[HomeModule]:
    """Put the modules in the given order; the list must name every module exactly once."""
    with transaction.atomic():
        modules = {m.pk: m for m in HomeModule.objects.select_for_update().order_by("pk")}
        if sorted(module_ids) != sorted(modules) or len(set(module_ids)) != len(module_ids):
            raise NotFound(_("Name every home-page module exactly once"), details={"module_ids": list(module_ids)})
        before = [m.pk for m in sorted(modules.values(), key=lambda m: (m.position, m.pk))]
        for position, pk in enumerate(module_ids):
            modules[pk].position = position
        HomeModule.objects.bulk_update(modules.values(), ["position"])
        audit_record(
            actor=actor,
            action="home_module.reorder",
            object_type="catalog.homemodule",
            before={"order": before},
            after={"order": list(module_ids)},
        )
    return [modules[pk] for pk in module_ids]
