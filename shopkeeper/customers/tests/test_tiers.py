"""Membership tiers: every customer starts regular; user operations sets a tier (refused for an
unknown tier or customer, nothing changed; audited with the reason); the demo sets every
customer's tier from their spend with one UPDATE per tier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.checkout import selectors as cart_reads
from shopkeeper.checkout.tests.conftest import Shop, shop  # noqa: F401  (fixture)
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import selectors, services
from shopkeeper.customers.models import Customer
from shopkeeper.customers.tests.conftest import MakeCustomer
from shopkeeper.orders import selectors as orders_reads
from shopkeeper.orders import services as orders
from shopkeeper.pricing.domain.pipeline import LineInput, price_cart

pytestmark = pytest.mark.django_db

SYSTEM = ActorContext.system()
LADDER = [("silver", 50_000), ("gold", 200_000), ("platinum", 500_000)]


def test_a_new_customer_is_a_regular_member(customer: User) -> None:
    assert selectors.customer_tier(customer.pk) == "regular"
    assert selectors.customer_tier(None) is None
    assert selectors.tier_counts() == {"regular": 1, "silver": 0, "gold": 0, "platinum": 0}


def test_user_operations_sets_a_tier_and_the_audit_log_keeps_who_why_and_what_it_was(customer: User) -> None:
    services.customer_set_tier(customer_id=customer.pk, tier="gold", reason="  VIP 客户 ", actor=SYSTEM)
    assert selectors.customer_tier(customer.pk) == "gold"
    entry = AuditEntry.objects.get(action="customer.set_tier")
    assert (entry.before, entry.after) == ({"tier": "regular"}, {"tier": "gold", "reason": "VIP 客户"})
    assert entry.object_type == "customers.customer"
    services.customer_set_tier(customer_id=customer.pk, tier="gold", actor=SYSTEM)  # already gold: nothing to log
    assert AuditEntry.objects.filter(action="customer.set_tier").count() == 1


@pytest.mark.parametrize(("tier", "reason", "field"), [("diamond", "", "tier"), ("gold", "长" * 201, "reason")])
def test_an_unknown_tier_or_a_long_reason_is_refused_by_field_and_nothing_changes(
    customer: User, tier: str, reason: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.customer_set_tier(customer_id=customer.pk, tier=tier, reason=reason, actor=SYSTEM)
    assert set(refused.value.details) == {field}
    if field == "tier":
        assert "regular, silver, gold, platinum" in refused.value.details["tier"]
    assert selectors.customer_tier(customer.pk) == "regular"
    assert not AuditEntry.objects.filter(action="customer.set_tier").exists()


def test_a_tier_for_someone_who_is_no_customer_is_not_found(db: None) -> None:
    staff = User.objects.create_user(username="user_ops_01", password="x" * 12)
    with pytest.raises(NotFound):
        services.customer_set_tier(customer_id=staff.pk, tier="gold", actor=SYSTEM)


def test_the_staff_list_finds_a_customer_by_mobile_its_ending_or_name_and_filters_by_tier(
    make_customer: MakeCustomer,
) -> None:
    mei = make_customer("13800138000", nickname="小美")
    jie = make_customer("13912345678", nickname="阿杰")
    services.customer_set_tier(customer_id=jie.pk, tier="silver", actor=SYSTEM)

    def found(**filters: str) -> list[int]:
        return [c.user_id for c in selectors.customer_list(selectors.CustomerFilters(**filters))]

    assert found(q="138 0013 8000") == [mei.pk]
    assert found(q="5678") == [jie.pk]
    assert found(q="小美") == [mei.pk]
    assert found(tier="silver") == [jie.pk]
    assert sorted(found()) == sorted([mei.pk, jie.pk])


def _spend(shop: Shop, customer: User, yuan: int, *, refunded: bool = False) -> None:  # noqa: F811
    """A past order of `yuan` worth of cups (¥59.00 each, the last one priced to make up the sum)."""
    sku = shop.cup
    line = LineInput(key=sku.code, sku_id=sku.pk, title=sku.code, unit_price=Money(yuan * 100), quantity=1)
    placed = timezone.now() - timedelta(days=30)
    orders.orders_bulk_load(
        [
            orders.HistoricOrder(
                customer_id=customer.pk,
                priced=price_cart([line], shipping=cart_reads.shipping_table(), region="east"),
                facts={sku.code: orders.LineFacts(sku.pk, sku.product_id, sku.code, sku.code, "", "")},
                ship_to=orders.ShipTo("王", "13800138001", "上海市", "上海市", "徐汇区", "路 1 号", "east"),
                placed_at=placed,
                status="closed" if refunded else "completed",
                paid_at=placed + timedelta(minutes=3),
                delivered_at=placed + timedelta(days=2),
                completed_at=None if refunded else placed + timedelta(days=9),
                closed_at=placed + timedelta(days=4) if refunded else None,
            )
        ]
    )


def test_tiers_from_spend_put_every_customer_in_the_band_of_what_they_spent_in_one_update_per_tier(
    shop: Shop,  # noqa: F811
    make_customer: MakeCustomer,
) -> None:
    # shop.customer spends nothing; the others ¥499 + ¥100 (silver), ¥2,500 (gold), ¥6,000 (platinum)
    # and ¥9,000 refunded in full (regular: a refund is no spend).
    silver, gold, platinum, refunded = (make_customer(f"1391234567{n}") for n in range(4))
    _spend(shop, silver, 499)
    _spend(shop, silver, 100)
    _spend(shop, gold, 2500)
    _spend(shop, platinum, 6000)
    _spend(shop, refunded, 9000, refunded=True)
    services.customer_set_tier(customer_id=shop.customer.pk, tier="gold", actor=SYSTEM)  # no spend: back to regular
    with CaptureQueriesContext(connection) as queries:
        counts = services.customers_tiers_from_spend(spend=orders_reads.customer_spend(), ladder=LADDER, actor=SYSTEM)
    updates = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 4  # back to regular, then one per tier: no statement per customer
    assert counts == {"regular": 2, "silver": 1, "gold": 1, "platinum": 1}
    assert selectors.customer_tiers([shop.customer.pk, silver.pk, gold.pk, platinum.pk, refunded.pk]) == {
        shop.customer.pk: "regular",
        silver.pk: "silver",
        gold.pk: "gold",
        platinum.pk: "platinum",
        refunded.pk: "regular",
    }
    assert (AuditEntry.objects.get(action="customer.tiers_from_spend").after or {}).get("counts") == counts


def test_a_ladder_that_does_not_rise_or_names_no_tier_is_refused_and_nothing_changes(customer: User) -> None:
    services.customer_set_tier(customer_id=customer.pk, tier="gold", actor=SYSTEM)
    for ladder in ([("gold", 100), ("silver", 200)], [("diamond", 100)], [("regular", 100)]):
        with pytest.raises(ValidationFailed):
            services.customers_tiers_from_spend(spend=orders_reads.customer_spend(), ladder=ladder, actor=SYSTEM)
    assert Customer.objects.get(user=customer).tier == "gold"
