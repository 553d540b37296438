"""Carts and checkout: add, change, remove, merge a guest cart at sign-in, and place the order.

A guest's cart is found by a token kept in their session; a customer has one cart. Prices are
never taken from the request: every figure comes from the catalog and the pricing pipeline,
and the checkout refuses when the total the customer saw differs from the one we compute.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.checkout.models import Cart, CartLine
from shopkeeper.checkout.selectors import MAX_LINE_QUANTITY, CartView, cart_view, shipping_table, wording
from shopkeeper.checkout.services_shipping import shipping_rule_save
from shopkeeper.core.domain.money import Money
from shopkeeper.core.domain.regions import province_named
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors as customers
from shopkeeper.orders import selectors as order_reads
from shopkeeper.orders import services as orders
from shopkeeper.pricing.domain.pipeline import LineInput, PricedCart, price_cart
from shopkeeper.promotions import selectors as promotion_reads
from shopkeeper.promotions import services as promotions

MAX_CART_LINES = 50
INVOICE_TAX_NUMBER_LENGTHS = (15, 18, 20)  # 统一社会信用代码 is 18; older tax numbers 15 or 20


def _new_token() -> str:
    return secrets.token_hex(16)


def cart_for_customer(customer: User) -> Cart:
    cart = Cart.objects.filter(customer=customer).first()
    if cart is None:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(customer=customer, token=_new_token())
        except IntegrityError:  # created by a parallel request
            cart = Cart.objects.get(customer=customer)
    return cart


def cart_for_guest(token: str | None) -> Cart:
    """The guest cart of this token, or a new one (the caller stores the new token)."""
    if token:
        cart = Cart.objects.filter(token=token, customer__isnull=True).first()
        if cart is not None:
            return cart
    return Cart.objects.create(token=_new_token())


def _quantity(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("The quantity must be a whole number."), details={"quantity": "not_an_integer"})
    if value < 1:
        raise ValidationFailed(_("The quantity must be at least 1."), details={"quantity": "too_small"})
    if value > MAX_LINE_QUANTITY:
        raise ValidationFailed(
            _("At most %(max)d of one item per order.") % {"max": MAX_LINE_QUANTITY},
            details={"quantity": "too_large", "max": MAX_LINE_QUANTITY},
        )
    return value


def _sellable_sku(sku_id: int) -> int:
    found = catalog.skus_for_sale([sku_id])
    if sku_id not in found:
        raise NotFound(_("This item is not for sale."), details={"sku_id": sku_id})
    return sku_id


def cart_add(*, cart: Cart, sku_id: int, quantity: int) -> CartLine:
    """Put units of a SKU in the cart (added to what is there, within the per-item limit)."""
    quantity = _quantity(quantity)
    _sellable_sku(sku_id)
    with transaction.atomic():
        line = CartLine.objects.select_for_update().filter(cart=cart, sku_id=sku_id).first()
        if line is None:
            if CartLine.objects.filter(cart=cart).count() >= MAX_CART_LINES:
                raise ValidationFailed(
                    _("A cart holds at most %(max)d different items.") % {"max": MAX_CART_LINES},
                    details={"lines": "too_many"},
                )
            line = CartLine.objects.create(cart=cart, sku_id=sku_id, quantity=quantity)
        else:
            line.quantity = _quantity(line.quantity + quantity)
            line.save(update_fields=["quantity"])
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return line


def cart_set_quantity(*, cart: Cart, sku_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes it."""
    if quantity == 0:
        cart_remove(cart=cart, sku_id=sku_id)
        return None
    quantity = _quantity(quantity)
    updated = CartLine.objects.filter(cart=cart, sku_id=sku_id).update(quantity=quantity)
    if not updated:
        raise NotFound(_("This item is not in the cart."), details={"sku_id": sku_id})
    return CartLine.objects.get(cart=cart, sku_id=sku_id)


def cart_remove(*, cart: Cart, sku_id: int) -> None:
    CartLine.objects.filter(cart=cart, sku_id=sku_id).delete()


def cart_merge_guest(*, customer: User, guest_token: str | None) -> Cart:
    """At sign-in: move the guest cart's lines into the customer's cart (quantities add up)."""
    cart = cart_for_customer(customer)
    if not guest_token:
        return cart
    guest = Cart.objects.filter(token=guest_token, customer__isnull=True).first()
    if guest is None or guest.pk == cart.pk:
        return cart
    with transaction.atomic():
        mine = {line.sku_id: line for line in CartLine.objects.select_for_update().filter(cart=cart)}
        for line in guest.lines.all():
            if line.sku_id in mine:
                kept = mine[line.sku_id]
                kept.quantity = min(kept.quantity + line.quantity, MAX_LINE_QUANTITY)
                kept.save(update_fields=["quantity"])
            elif len(mine) < MAX_CART_LINES:
                mine[line.sku_id] = CartLine.objects.create(cart=cart, sku_id=line.sku_id, quantity=line.quantity)
        guest.delete()
    return cart


def _coupon_ids(value: object) -> list[int]:
    if not isinstance(value, list | tuple) or any(isinstance(pk, bool) or not isinstance(pk, int) for pk in value):
        raise ValidationFailed(_("Coupons are chosen by their ids."), details={"coupon_ids": "not_a_list_of_ids"})
    return list(dict.fromkeys(value))


def _refuse_coupons(refused: Sequence[int]) -> None:
    if refused:
        raise ValidationFailed(
            _("These coupons cannot be used on this order."), details={"coupon_ids": sorted(refused)}
        )


def cart_choose_coupons(*, cart: Cart, coupon_ids: Sequence[int] | None) -> Cart:
    """Keep the customer's coupon choice on the cart: None lets the best coupon apply, [] none.
    A coupon that is not the customer's to use is refused and the choice stays as it was."""
    if coupon_ids is not None:
        chosen = _coupon_ids(coupon_ids)
        if chosen:
            if cart.customer_id is None:
                raise ValidationFailed(_("Sign in to use coupons."), details={"coupon_ids": chosen})
            _refuse_coupons(cart_view(cart, coupon_ids=chosen).promoted.refused_coupon_ids)
        value: list[int] | None = chosen
    else:
        value = None
    Cart.objects.filter(pk=cart.pk).update(coupon_choice=value, updated_at=timezone.now())
    cart.coupon_choice = value
    return cart


def _lock_coupons(*, customer: User, price: promotion_reads.CartPrice, reference: str) -> None:
    """Hold the order's coupons for it (coupons app), in the order's transaction, with what each
    took off (the coupons' cost counters)."""
    if not price.coupon_ids:
        return
    from shopkeeper.promotions.coupons import services as coupons

    discounts = {a.coupon_id: a.discount for a in price.applied if a.coupon_id is not None}
    coupons.coupons_lock(
        customer_id=customer.pk, coupon_ids=list(price.coupon_ids), reference=reference, discounts=discounts
    )


# --- checkout -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceRequest:
    kind: str = "none"  # none / personal / company
    title: str = ""
    tax_number: str = ""


def _invoice(request: InvoiceRequest | None) -> orders.Invoice:
    if request is None or request.kind == "none":
        return orders.Invoice()
    title = request.title.strip()
    if request.kind == "personal":
        return orders.Invoice(kind="personal", title=title or _("Personal"))
    if request.kind != "company":
        raise ValidationFailed(_("Unknown invoice kind."), details={"invoice_kind": request.kind})
    tax = request.tax_number.strip().upper()
    problems: dict[str, str] = {}
    if not title:
        problems["invoice_title"] = _("A company invoice needs the company name.")
    if len(tax) not in INVOICE_TAX_NUMBER_LENGTHS or not tax.isalnum():
        problems["invoice_tax_number"] = _("A tax number has 15, 18 or 20 letters and digits.")
    if problems:
        raise ValidationFailed(_("The invoice details are not complete."), details=problems)
    return orders.Invoice(kind="company", title=title, tax_number=tax)


def checkout_submit(
    *,
    cart: Cart,
    customer: User,
    address_id: int,
    idempotency_key: str,
    actor: ActorContext,
    expected_total_fen: int | None = None,
    note: str = "",
    invoice: InvoiceRequest | None = None,
    channel: str = "direct",
    coupon_ids: Sequence[int] | None = None,
) -> orders.Order:
    """Turn the cart into an order with its stock reserved, in one short transaction.

    The same idempotency key answers the same order (a double submit places one order). The
    cart empties when the order is placed. The running promotions apply; `coupon_ids` (else the
    cart's choice, else the best coupon) are locked for the order; gifts join as lines at 0 with
    their stock reserved; what each promotion did is recorded. A coupon that is not the
    customer's, or a total that differs from ours, is refused and nothing changes.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 64:
        raise ValidationFailed(_("A checkout needs an idempotency key of 1–64 characters."), details={"key": "invalid"})
    existing = orders.order_find_by_key(customer=customer, idempotency_key=key)
    if existing is not None:
        return existing
    if len(note) > 200:
        raise ValidationFailed(_("The note is too long (at most 200 characters)."), details={"note": "too_long"})
    chosen_invoice = _invoice(invoice)
    address = customers.address_get(user=customer, address_id=address_id)
    province = province_named(address.province)
    region = province.region.value if province else None
    view = cart_view(cart, region=region, coupon_ids=_coupon_ids(coupon_ids) if coupon_ids is not None else None)
    problems = view.problems()
    if problems:
        raise ValidationFailed(_("Some items in the cart cannot be bought as they are."), details={"lines": problems})
    promoted = view.promoted
    if coupon_ids is not None:
        _refuse_coupons(promoted.refused_coupon_ids)
        unused = sorted(set(_coupon_ids(coupon_ids)) - set(promoted.coupon_ids))
        if unused:  # the customer's own coupons, but this order cannot take them (threshold, one per order)
            raise ValidationFailed(
                _("Some of the coupons you chose do not apply to this order; choose again."),
                details={"coupon_ids": unused, "reason": "not_applicable"},
            )
    priced = view.order_priced
    if expected_total_fen is not None and expected_total_fen != priced.total.fen:
        raise ValidationFailed(
            _("The price has changed since you looked: the total is now %(total)s.") % {"total": priced.total},
            details={"expected_total_fen": expected_total_fen, "total_fen": priced.total.fen},
        )
    ship_to = orders.ShipTo(
        recipient=address.recipient,
        mobile=address.mobile,
        province=address.province,
        city=address.city,
        district=address.district,
        detail=address.detail,
        region=region or "",
    )
    for attempt in range(2):
        try:
            with transaction.atomic():
                order = orders.order_place(
                    customer=customer,
                    priced=priced,
                    facts=view.facts(),
                    ship_to=ship_to,
                    idempotency_key=key,
                    actor=actor,
                    channel=channel,
                    note=note.strip(),
                    invoice=chosen_invoice,
                )
                _lock_coupons(customer=customer, price=promoted, reference=order.reference)
                if promoted.uses or promoted.applied or promoted.gifts:
                    by_position = order_reads.order_line_ids(order.pk)
                    promotions.promotion_uses_record(
                        order_id=order.pk,
                        order_number=order.number,
                        placed_at=order.placed_at,
                        price=promoted,
                        line_ids={line.key: by_position[index] for index, line in enumerate(priced.lines)},
                    )
                CartLine.objects.filter(cart=cart, sku_id__in=[line.sku_id for line in view.lines]).delete()
                if cart.coupon_choice is not None:
                    Cart.objects.filter(pk=cart.pk).update(coupon_choice=None)
            break
        except IntegrityError:
            # The same key won a race in a parallel request: answer that order. Otherwise the
            # random order number clashed with another (rare): number it again, once.
            raced = orders.order_find_by_key(customer=customer, idempotency_key=key)
            if raced is not None:
                return raced
            if attempt:
                raise
    return order


def cart_lines_quantities(cart: Cart) -> Mapping[int, int]:
    return dict(CartLine.objects.filter(cart=cart).values_list("sku_id", "quantity"))


__all__ = [
    "MAX_CART_LINES",
    "MAX_LINE_QUANTITY",
    "Cart",
    "CartView",
    "InvoiceRequest",
    "cart_add",
    "cart_choose_coupons",
    "cart_for_customer",
    "cart_for_guest",
    "cart_lines_quantities",
    "cart_merge_guest",
    "cart_remove",
    "cart_set_quantity",
    "checkout_submit",
    "shipping_rule_save",
]


# --- buying one SKU outside the cart (flash sale, presale, group buy) -------------------------


def checkout_buy_now(
    *,
    customer: User,
    sku_id: int,
    quantity: int,
    unit_price: Money,
    price_label: str,
    address_id: int,
    idempotency_key: str,
    actor: ActorContext,
    kind: str,
    pay_window: timedelta | None = None,
    hold: str = "",
    priority: bool = False,
    channel: str = "direct",
    note: str = "",
    reserve_from: str = "",
) -> orders.Order:
    """Place an order for one SKU at a campaign's price, bypassing the cart (立即购买).

    The campaign mechanic (flash sale, presale, group buy) decides the price and checks its own
    limits before calling; this prices the line with the shipping table, reserves stock and places
    the order in the caller's transaction. The same idempotency key answers the same order.
    `reserve_from` names a stock pool the campaign set aside (a flash-sale item's
    `flash:item:<id>`): the order's units move from it instead of coming from available stock.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 64:
        raise ValidationFailed(_("A checkout needs an idempotency key of 1–64 characters."), details={"key": "invalid"})
    existing = orders.order_find_by_key(customer=customer, idempotency_key=key)
    if existing is not None:
        return existing
    count = _quantity(quantity)
    if unit_price.fen < 0:
        raise ValidationFailed(_("A price cannot be negative."), details={"unit_price_fen": unit_price.fen})
    sku = catalog.sale_skus([sku_id]).get(sku_id)
    if sku is None or not sku.on_sale:
        raise NotFound(_("This item is not for sale."), details={"sku_id": sku_id})
    address = customers.address_get(user=customer, address_id=address_id)
    province = province_named(address.province)
    region = province.region.value if province else None
    line = LineInput(
        key=sku.sku_code, sku_id=sku_id, title=sku.title, unit_price=unit_price, quantity=count, weight_g=sku.weight_g
    )
    priced = price_cart([line], shipping=shipping_table(), region=region, wording=wording())
    if unit_price.fen != sku.sale_price_fen:
        priced = _relabelled(priced, price_label, Money(sku.sale_price_fen))
    facts = {
        sku.sku_code: orders.LineFacts(
            sku_id=sku_id,
            product_id=sku.product_id,
            sku_code=sku.sku_code,
            title=sku.title,
            spec_label=sku.spec_label,
            image=sku.image,
        )
    }
    ship_to = orders.ShipTo(
        recipient=address.recipient,
        mobile=address.mobile,
        province=address.province,
        city=address.city,
        district=address.district,
        detail=address.detail,
        region=region or "",
    )
    with transaction.atomic():
        return orders.order_place(
            customer=customer,
            priced=priced,
            facts=facts,
            ship_to=ship_to,
            idempotency_key=key,
            actor=actor,
            channel=channel,
            note=note.strip()[:200],
            kind=kind,
            pay_window=pay_window,
            hold=hold,
            priority=priority,
            reserve_from=reserve_from,
        )


def _relabelled(priced: PricedCart, label: str, usual: Money) -> PricedCart:
    """Say on the line which price it was sold at ("秒杀价 ¥59.00, usually ¥99.00")."""
    said = _("%(label)s %(price)s (usually %(usual)s)")
    lines = tuple(
        replace(
            line, explanation=(said % {"label": label, "price": line.unit_price, "usual": usual}, *line.explanation)
        )
        for line in priced.lines
    )
    return replace(priced, lines=lines)
