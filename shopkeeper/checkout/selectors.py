"""Reading a cart: its lines with what each SKU is now (price, availability) and the priced total.

`cart_view` loads everything in a fixed handful of queries (lines, SKUs with their products and
images, availability, shipping rules), then prices the cart with the running promotions and the
customer's coupons (`promotions.selectors.cart_price`, which calls the pure engine).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.checkout.models import Cart, CartLine, ShippingRule
from shopkeeper.core.domain.money import Money
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import services as orders
from shopkeeper.pricing.domain.pipeline import LineInput, PricedCart, PricedLine, ShippingRate, ShippingTable, Wording
from shopkeeper.promotions import selectors as promotions

MAX_LINE_QUANTITY = 99


@dataclass(frozen=True)
class CartLineView:
    sku_id: int
    quantity: int
    sku: catalog.SaleSku | None
    available: int

    @property
    def key(self) -> str:
        return self.sku.sku_code if self.sku else f"sku-{self.sku_id}"

    @property
    def problem(self) -> str:
        if self.sku is None or not self.sku.on_sale:
            return _("No longer for sale")
        if self.available <= 0:
            return _("Sold out")
        if self.quantity > self.available:
            return _("Only %(count)d left") % {"count": self.available}
        if self.quantity > MAX_LINE_QUANTITY:
            return _("At most %(max)d per order") % {"max": MAX_LINE_QUANTITY}
        return ""


@dataclass(frozen=True)
class CartView:
    cart_id: int
    lines: list[CartLineView]
    shipping: ShippingTable
    region: str | None
    customer_id: int | None = None
    coupon_ids: tuple[int, ...] | None = None  # None: the engine picks the best of the customer's coupons

    @cached_property
    def promoted(self) -> promotions.CartPrice:
        """The price of the lines that can be bought (a line with a problem is left out), with the
        running promotions and the chosen coupons, their gifts and nudges."""
        inputs = [
            LineInput(
                key=line.key,
                sku_id=line.sku_id,
                title=line.sku.title,
                unit_price=Money(line.sku.sale_price_fen),
                quantity=line.quantity,
                weight_g=line.sku.weight_g,
            )
            for line in self.lines
            if line.sku is not None and not line.problem
        ]
        return promotions.cart_price(
            lines=inputs,
            shipping=self.shipping,
            region=self.region,
            wording=wording(),
            customer_id=self.customer_id,
            coupon_ids=self.coupon_ids,
        )

    @property
    def priced(self) -> PricedCart:
        """The buyer's lines as priced (gifts are separate: `order_priced` adds them)."""
        return self.promoted.priced

    @cached_property
    def gift_skus(self) -> dict[int, catalog.SaleSku]:
        gifts = self.promoted.gifts
        return catalog.sale_skus(gift.sku_id for gift in gifts) if gifts else {}

    @property
    def order_priced(self) -> PricedCart:
        """What the order holds: the priced lines and the gifts as lines at price 0."""
        gifts = [
            PricedLine(
                key=gift.key,
                sku_id=gift.sku_id,
                title=self.gift_skus[gift.sku_id].title,
                unit_price=Money.zero(),
                quantity=gift.quantity,
                subtotal=Money.zero(),
                discount=Money.zero(),
                total=Money.zero(),
                explanation=(_("Gift: %(label)s") % {"label": gift.label},),
            )
            for gift in self.promoted.gifts
            if gift.sku_id in self.gift_skus
        ]
        priced = self.priced
        return replace(priced, lines=(*priced.lines, *gifts)) if gifts else priced

    def problems(self) -> dict[str, str]:
        found = {line.key: line.problem for line in self.lines if line.problem}
        if not self.lines:
            found["cart"] = _("The cart is empty.")
        return found

    def facts(self) -> dict[str, orders.LineFacts]:
        return {
            line.key: orders.LineFacts(
                sku_id=line.sku.sku_id,
                product_id=line.sku.product_id,
                sku_code=line.sku.sku_code,
                title=line.sku.title,
                spec_label=line.sku.spec_label,
                image=line.sku.image,
            )
            for line in self.lines
            if line.sku is not None
        } | {
            gift.key: orders.LineFacts(
                sku_id=gift.sku_id,
                product_id=self.gift_skus[gift.sku_id].product_id,
                sku_code=self.gift_skus[gift.sku_id].sku_code,
                title=self.gift_skus[gift.sku_id].title,
                spec_label=self.gift_skus[gift.sku_id].spec_label,
                image=self.gift_skus[gift.sku_id].image,
            )
            for gift in self.promoted.gifts
            if gift.sku_id in self.gift_skus
        }

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def wording() -> Wording:
    """The price explanation's words in the active language."""
    return Wording(
        subtotal=_("Subtotal"),
        shipping=_("Shipping"),
        free_over=_("free over"),
        total=_("Total"),
        nudge_off=_("Spend {gap} more for {off} off ({label})"),
        nudge_use=_("Spend {gap} more to use {label}"),
        nudge_gift=_("Spend {gap} more for a free {gift} ({label})"),
        nudge_free_shipping=_("Spend {gap} more for free shipping ({label})"),
        nudge_items=_("Add {count} more item(s) for free shipping ({label})"),
    )


def shipping_table() -> ShippingTable:
    rules = list(ShippingRule.objects.all())
    regions = {
        rule.region: ShippingRate(
            Money(rule.fee_fen), Money(rule.free_over_fen) if rule.free_over_fen is not None else None
        )
        for rule in rules
    }
    default = regions.pop("", ShippingRate(Money(0)))
    return ShippingTable(default=default, regions=regions)


def shipping_rules() -> list[ShippingRule]:
    return list(ShippingRule.objects.all())


def cart_view(cart: Cart, *, region: str | None = None, coupon_ids: list[int] | None = None) -> CartView:
    """The cart as it stands; `coupon_ids` replaces the cart's stored coupon choice."""
    rows = list(CartLine.objects.filter(cart=cart).order_by("added_at", "id").values_list("sku_id", "quantity"))
    skus = catalog.sale_skus(sku_id for sku_id, _quantity in rows)
    available = inventory.sku_availability(sku_id for sku_id, _quantity in rows) if rows else {}
    return CartView(
        cart_id=cart.pk,
        lines=[
            CartLineView(sku_id=sku_id, quantity=quantity, sku=skus.get(sku_id), available=available.get(sku_id, 0))
            for sku_id, quantity in rows
        ],
        shipping=shipping_table(),
        region=region,
        customer_id=cart.customer_id,
        coupon_ids=_coupon_choice(coupon_ids if coupon_ids is not None else cart.coupon_choice),
    )


def _coupon_choice(value: object) -> tuple[int, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(pk for pk in value if isinstance(pk, int) and not isinstance(pk, bool))
