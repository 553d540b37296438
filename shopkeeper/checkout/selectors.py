"""Reading a cart: its lines with what each SKU is now (price, availability) and the priced total.

`cart_view` loads everything in a fixed handful of queries (lines, SKUs with their products and
images, availability, shipping rules), then prices the cart with the pure pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from shopkeeper.catalog import selectors as catalog
from shopkeeper.checkout.models import Cart, CartLine, ShippingRule
from shopkeeper.core.domain.money import Money
from shopkeeper.inventory import selectors as inventory
from shopkeeper.orders import services as orders
from shopkeeper.pricing.domain.pipeline import LineInput, PricedCart, ShippingRate, ShippingTable, Wording, price_cart

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

    @cached_property
    def priced(self) -> PricedCart:
        """The price of the lines that can be bought (a line with a problem is left out)."""
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
        return price_cart(inputs, shipping=self.shipping, region=self.region, wording=wording())

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
        }

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def wording() -> Wording:
    """The price explanation's words in the active language."""
    return Wording(subtotal=_("Subtotal"), shipping=_("Shipping"), free_over=_("free over"), total=_("Total"))


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


def cart_view(cart: Cart, *, region: str | None = None) -> CartView:
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
    )
