"""Warehouses: create and edit, with the provinces each serves checked against core's region table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkeeper.core.domain.regions import PROVINCES_BY_NAME, Region, province_named
from shopkeeper.core.errors import Conflict, NotFound, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.inventory.models import Warehouse


def _snapshot(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "code": warehouse.code,
        "name": warehouse.name,
        "region": warehouse.region,
        "provinces": list(warehouse.provinces),
        "city": warehouse.city,
        "is_active": warehouse.is_active,
        "position": warehouse.position,
    }


def _clean(*, code: str, name: str, region: str, provinces: Sequence[str], city: str, position: int) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    code, name, city = code.strip(), name.strip(), city.strip()
    if not code or len(code) > 32:
        errors["code"] = _("A code of 1 to 32 characters is required")
    if not name or len(name) > 64:
        errors["name"] = _("A name of 1 to 64 characters is required")
    if region not in {member.value for member in Region}:
        errors["region"] = _("Unknown region “%(value)s”") % {"value": region}
    cleaned: list[str] = []
    unknown: list[str] = []
    for value in provinces:
        found = province_named(str(value).strip())
        if found is None:
            unknown.append(str(value))
        elif found.name not in cleaned:
            cleaned.append(found.name)
    if unknown:
        errors["provinces"] = _("Unknown provinces: %(names)s") % {"names": "、".join(unknown)}
    if len(city) > 32:
        errors["city"] = _("At most 32 characters")
    if position < 0:
        errors["position"] = _("Cannot be negative")
    if errors:
        raise ValidationFailed(_("The warehouse has invalid fields"), details=errors)
    # Keep the table's order (by division code) so lists read the same everywhere.
    ordered = sorted(cleaned, key=lambda province: PROVINCES_BY_NAME[province].code)
    return {"code": code, "name": name, "region": region, "provinces": ordered, "city": city, "position": position}


def warehouse_create(
    *,
    actor: ActorContext,
    code: str,
    name: str,
    region: str,
    provinces: Sequence[str] = (),
    city: str = "",
    position: int = 0,
    is_active: bool = True,
) -> Warehouse:
    data = _clean(code=code, name=name, region=region, provinces=provinces, city=city, position=position)
    with transaction.atomic():
        if Warehouse.objects.filter(code=data["code"]).exists():
            raise Conflict(
                _("A warehouse with the code %(code)s exists") % {"code": data["code"]}, details={"code": data["code"]}
            )
        warehouse = Warehouse.objects.create(**data, is_active=is_active)
        audit_record(actor=actor, action="warehouse.create", target=warehouse, after=_snapshot(warehouse))
    return warehouse


def warehouse_update(
    *,
    actor: ActorContext,
    warehouse_id: int,
    name: str,
    region: str,
    provinces: Sequence[str],
    city: str = "",
    position: int = 0,
    is_active: bool = True,
) -> Warehouse:
    """Change everything but the code (orders and sheets name warehouses by code)."""
    with transaction.atomic():
        warehouse = Warehouse.objects.select_for_update().filter(pk=warehouse_id).first()
        if warehouse is None:
            raise NotFound(_("No warehouse with id %(id)s") % {"id": warehouse_id}, details={"id": warehouse_id})
        data = _clean(code=warehouse.code, name=name, region=region, provinces=provinces, city=city, position=position)
        before = _snapshot(warehouse)
        for field, value in data.items():
            setattr(warehouse, field, value)
        warehouse.is_active = is_active
        warehouse.save()
        audit_record(
            actor=actor, action="warehouse.update", target=warehouse, before=before, after=_snapshot(warehouse)
        )
    return warehouse
