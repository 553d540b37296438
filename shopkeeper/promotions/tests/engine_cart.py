"""Small builders for the engine's tests: lines, their CartItems, a shipping table."""

from __future__ import annotations

from shopkeeper.core.domain.money import Money
from shopkeeper.pricing.domain.pipeline import LineInput, ShippingRate, ShippingTable, Wording
from shopkeeper.promotions.domain.base import CartItem, Rule, Shopper
from shopkeeper.promotions.domain.engine import PromotedCart, price_promoted

NO_FREE = ShippingTable(default=ShippingRate(Money(1000)))
FREE_OVER_99 = ShippingTable(default=ShippingRate(Money(1000), free_over=Money(9900)))


def yuan(amount: int | str) -> Money:
    return Money.from_yuan(str(amount))


class Cart:
    """Lines keyed A, B, … with product/brand/category facts and costs."""

    def __init__(self) -> None:
        self.lines: list[LineInput] = []
        self.items: dict[str, CartItem] = {}

    def __repr__(self) -> str:  # what a failing property test prints: enough to rebuild the cart
        return f"Cart(lines={self.lines!r}, items={self.items!r})"

    def add(
        self,
        key: str,
        price: Money,
        quantity: int = 1,
        *,
        sku: int | None = None,
        product: int | None = None,
        brand: int | None = None,
        categories: frozenset[int] = frozenset(),
        cost: Money | None = None,
    ) -> Cart:
        sku_id = sku if sku is not None else 100 + len(self.lines)
        self.lines.append(LineInput(key=key, sku_id=sku_id, title=f"商品{key}", unit_price=price, quantity=quantity))
        self.items[key] = CartItem(
            key=key,
            sku_id=sku_id,
            product_id=product if product is not None else sku_id * 10,
            brand_id=brand,
            category_ids=categories,
            cost=cost,
        )
        return self

    def price(
        self,
        *rules: Rule,
        shipping: ShippingTable = NO_FREE,
        tier: str | None = None,
        region: str | None = None,
    ) -> PromotedCart:
        return price_promoted(
            self.lines,
            items=self.items,
            rules=list(rules),
            shipping=shipping,
            region=region,
            shopper=Shopper(customer_id=1, tier=tier),
            wording=Wording(),
        )
