"""Price changes: one SKU or many at once, always with a reason, always in the price history."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog.enums import PriceField
from shopkeeper.catalog.models import PriceChange, Product, Sku
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record


class PriceMode(StrEnum):
    SET = "set"  # the new price, in yuan
    PERCENT = "percent"  # change by a percentage: -10 is 10 % cheaper
    AMOUNT = "amount"  # change by an amount in yuan: -5 is ¥5 cheaper


def new_price(old_fen: int, mode: PriceMode, value: Decimal) -> int:
    if mode is PriceMode.SET:
        return Money.from_yuan(value).fen
    if mode is PriceMode.PERCENT:
        return Money(old_fen).scale((Decimal(100) + value) / Decimal(100)).fen
    return old_fen + Money.from_yuan(value).fen


def skus_bulk_change_price(
    *, actor: ActorContext, sku_ids: Iterable[int], field: str, mode: str, value: Decimal, reason: str
) -> list[PriceChange]:
    """Change one price of many SKUs. All or nothing: one price that would fall to zero or below,
    or a sale price that would end up above its list price (whichever of the two changes), refuses
    the whole change and names every SKU.

    Locks as `product_update` does, products by primary key first and then their SKUs by primary
    key, so a bulk change and an edit of the same product wait for each other instead of deadlocking.
    """
    if field not in PriceField.values:
        raise ValidationFailed(_("Unknown price %(field)s") % {"field": field}, details={"field": field})
    try:
        price_mode = PriceMode(mode)
    except ValueError:
        raise ValidationFailed(_("Unknown mode %(mode)s") % {"mode": mode}, details={"mode": mode}) from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed(_("The value must be a number"), details={"value": str(value)})
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the price history"), details={"reason": "required"})
    ids = sorted(set(sku_ids))
    if not ids:
        raise ValidationFailed(_("Choose at least one SKU"), details={"sku_ids": "required"})
    attribute = f"{field}_price_fen"
    now = timezone.now()
    with transaction.atomic():
        # A SKU never moves to another product, so its product id may be read before the locks.
        product_ids = sorted(set(Sku.objects.filter(pk__in=ids).values_list("product_id", flat=True)))
        products = list(Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk"))
        skus = list(Sku.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(skus) != len(ids):
            missing = sorted(set(ids) - {sku.pk for sku in skus})
            raise NotFound(_("No SKU with id %(ids)s") % {"ids": missing}, details={"ids": missing})
        changes: list[PriceChange] = []
        errors: dict[str, str] = {}
        for sku in skus:
            old = getattr(sku, attribute)
            try:
                new = new_price(old, price_mode, value)
            except ValueError as exc:
                raise ValidationFailed(str(exc), details={"value": str(value)}) from None
            sale = new if field == PriceField.SALE else sku.sale_price_fen
            list_fen = new if field == PriceField.LIST else sku.list_price_fen
            floor = 1 if field == PriceField.SALE else 0
            if new < floor:
                errors[sku.code] = _("would become %(price)s") % {"price": Money(new)}
            elif field != PriceField.COST and list_fen and sale > list_fen:
                # A list price of zero means "none shown"; otherwise the sale price may not exceed it.
                errors[sku.code] = _("sale price %(sale)s would be above the list price %(list)s") % {
                    "sale": Money(sale),
                    "list": Money(list_fen),
                }
            if new != old:
                setattr(sku, attribute, new)
                sku.updated_at = now  # bulk_update does not apply auto_now
                changes.append(
                    PriceChange(
                        sku=sku,
                        field=field,
                        old_fen=old,
                        new_fen=new,
                        reason=reason[:200],
                        actor=actor.user,
                        actor_label=actor.user.get_username() if actor.user else "system",
                        at=now,
                    )
                )
        if errors:
            raise ValidationFailed(_("Some prices would be invalid; nothing was changed"), details={"skus": errors})
        Sku.objects.bulk_update([change.sku for change in changes], [attribute, "updated_at"])
        PriceChange.objects.bulk_create(changes)
        ranges = {
            row["product_id"]: (row["low"], row["high"])
            for row in Sku.objects.filter(product_id__in=product_ids, is_active=True)
            .values("product_id")
            .annotate(low=Min("sale_price_fen"), high=Max("sale_price_fen"))
        }
        for product in products:
            product.min_price_fen, product.max_price_fen = ranges.get(product.pk, (0, 0))
            product.save(update_fields=["min_price_fen", "max_price_fen", "updated_at"])
        audit_record(
            actor=actor,
            action="sku.price_change",
            object_type="catalog.sku",
            object_id=",".join(str(change.sku.pk) for change in changes)[:64],
            object_label=_("%(count)s SKU(s)") % {"count": len(changes)},
            before={change.sku.code: change.old_fen for change in changes},
            after={"field": field, "reason": reason, **{change.sku.code: change.new_fen for change in changes}},
        )
    return changes


def sku_change_price(*, actor: ActorContext, sku: Sku, field: str, new: Money, reason: str) -> PriceChange | None:
    changes = skus_bulk_change_price(
        actor=actor, sku_ids=[sku.pk], field=field, mode=PriceMode.SET, value=new.yuan, reason=reason
    )
    return changes[0] if changes else None
