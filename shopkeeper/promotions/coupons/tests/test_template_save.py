"""Saving coupon templates: what is accepted, and every bad input refused with the field named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.catalog.models import Brand, Category, Product, Sku
from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.core.services import ActorContext
from shopkeeper.promotions.coupons import services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, TemplateStatus, ValidityKind
from shopkeeper.promotions.coupons.models import CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import draft

pytestmark = pytest.mark.django_db


def test_an_amount_coupon_is_saved_with_an_audit_entry(actor: ActorContext) -> None:
    template = services.coupon_template_save(actor=actor, draft=draft(code=" spring20 "))
    assert (template.kind, template.amount_fen, template.threshold_fen) == ("amount", 2000, 19900)
    assert template.status == TemplateStatus.ACTIVE
    assert template.code == "SPRING20"
    entry = AuditEntry.objects.get(action="coupon_template.create")
    assert entry.object_id == str(template.pk)
    assert entry.after is not None
    assert entry.after["code"] == "SPRING20"


def test_a_percent_coupon_keeps_its_cap_and_a_free_shipping_one_drops_amounts(actor: ActorContext) -> None:
    percent = services.coupon_template_save(
        actor=actor, draft=draft(name="9折券", kind=CouponKind.PERCENT, percent_off=10, cap=Money(5000), amount=None)
    )
    assert (percent.percent_off, percent.cap_fen, percent.amount_fen) == (10, 5000, None)
    shipping = services.coupon_template_save(
        actor=actor, draft=draft(name="包邮券", kind=CouponKind.FREE_SHIPPING, threshold=Money.zero())
    )
    assert (shipping.amount_fen, shipping.percent_off, shipping.cap_fen) == (None, None, None)


def test_days_after_claiming_needs_no_fixed_window(actor: ActorContext) -> None:
    template = services.coupon_template_save(
        actor=actor,
        draft=draft(validity_kind=ValidityKind.AFTER_CLAIM, valid_days=7, valid_from=None, valid_until=None),
    )
    assert (template.valid_days, template.valid_from, template.valid_until) == (7, None, None)


def test_editing_changes_the_template_and_records_before_and_after(actor: ActorContext) -> None:
    template = services.coupon_template_save(actor=actor, draft=draft())
    services.coupon_template_save(actor=actor, draft=draft(amount=Money(3000)), template_id=template.pk)
    template.refresh_from_db()
    assert template.amount_fen == 3000
    entry = AuditEntry.objects.get(action="coupon_template.update")
    assert entry.before is not None
    assert entry.before["amount_fen"] == 2000
    assert entry.after is not None
    assert entry.after["amount_fen"] == 3000


NOW = timezone.now()

BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("percent over 100", {"kind": CouponKind.PERCENT, "percent_off": 101, "amount": None}, "percent_off"),
    ("percent of 0", {"kind": CouponKind.PERCENT, "percent_off": 0, "amount": None}, "percent_off"),
    ("percent missing", {"kind": CouponKind.PERCENT, "percent_off": None, "amount": None}, "percent_off"),
    ("cap of 0", {"kind": CouponKind.PERCENT, "percent_off": 10, "cap": Money(0)}, "cap"),
    ("negative cap", {"kind": CouponKind.PERCENT, "percent_off": 10, "cap": Money(-100)}, "cap"),
    ("amount missing", {"amount": None}, "amount"),
    ("amount of 0", {"amount": Money(0)}, "amount"),
    ("amount not below threshold", {"amount": Money(19900)}, "amount"),
    ("negative threshold", {"threshold": Money(-1), "amount": Money(100)}, "threshold"),
    ("unknown kind", {"kind": "cashback"}, "kind"),
    ("no name", {"name": "   "}, "name"),
    ("name too long", {"name": "券" * 41}, "name"),
    (
        "claim window ending before it starts",
        {"claim_starts_at": NOW, "claim_ends_at": NOW - timedelta(hours=1)},
        "claim_ends_at",
    ),
    (
        "validity ending before it starts",
        {"valid_from": NOW + timedelta(days=2), "valid_until": NOW + timedelta(days=1)},
        "valid_until",
    ),
    ("validity without an end", {"valid_until": None}, "valid_until"),
    (
        "validity over before claims open",
        {"claim_starts_at": NOW + timedelta(days=3), "claim_ends_at": None, "valid_until": NOW + timedelta(days=2)},
        "valid_until",
    ),
    ("claims after validity ends", {"claim_ends_at": NOW + timedelta(days=30)}, "claim_ends_at"),
    ("zero days", {"validity_kind": ValidityKind.AFTER_CLAIM, "valid_days": 0}, "valid_days"),
    ("days missing", {"validity_kind": ValidityKind.AFTER_CLAIM, "valid_days": None}, "valid_days"),
    ("unknown validity", {"validity_kind": "forever"}, "validity_kind"),
    ("per-customer limit of 0", {"per_customer_limit": 0}, "per_customer_limit"),
    ("negative per-customer limit", {"per_customer_limit": -1}, "per_customer_limit"),
    ("total limit of 0", {"total_limit": 0}, "total_limit"),
    ("negative total limit", {"total_limit": -5}, "total_limit"),
    ("no coupons per order", {"max_per_order": 0}, "max_per_order"),
    ("no channel", {"channels": ()}, "channels"),
    ("unknown channel", {"channels": ("wechat_moments",)}, "channels"),
    ("code with spaces inside only", {"code": "a!"}, "code"),
    ("scope with an unknown key", {"scope": {"colour_ids": [1]}}, "scope"),
    ("scope with text ids", {"scope": {"sku_ids": ["a"]}}, "scope.sku_ids"),
    ("scope with a category the catalog lacks", {"scope": {"category_ids": [990_001]}}, "scope.category_ids"),
    ("scope with a brand the catalog lacks", {"scope": {"brand_ids": [990_002]}}, "scope.brand_ids"),
    ("margin over 99", {"min_margin_percent": 120}, "min_margin_percent"),
]


@pytest.mark.parametrize(("why", "changes", "field"), BAD_INPUTS, ids=[row[0] for row in BAD_INPUTS])
def test_bad_input_is_refused_with_the_field_and_nothing_is_saved(
    actor: ActorContext, why: str, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.coupon_template_save(actor=actor, draft=draft(**changes))
    fields = refused.value.details["fields"]
    assert field in fields, fields
    assert fields[field]
    assert refused.value.message.startswith("The coupon template was not saved") or "优惠券" in refused.value.message
    assert CouponTemplate.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="coupon_template").exists()


def test_every_problem_is_reported_at_once(actor: ActorContext) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.coupon_template_save(
            actor=actor,
            draft=draft(kind=CouponKind.PERCENT, percent_off=150, cap=Money(0), per_customer_limit=0, total_limit=0),
        )
    assert {"percent_off", "cap", "per_customer_limit", "total_limit"} <= set(refused.value.details["fields"])


def test_an_overlapping_code_is_refused_but_a_later_window_or_a_paused_rival_is_not(
    actor: ActorContext, make_template: Callable[..., CouponTemplate]
) -> None:
    first = make_template(code="DOUBLE12")
    with pytest.raises(ValidationFailed) as refused:
        make_template(name="另一张", code="double12")
    assert "code" in refused.value.details["fields"]
    assert "满199减20" in refused.value.details["fields"]["code"]
    later = NOW + timedelta(days=8)
    make_template(
        name="下一期",
        code="DOUBLE12",
        claim_starts_at=later,
        claim_ends_at=later + timedelta(days=2),
        valid_from=later,
        valid_until=later + timedelta(days=3),
    )
    services.coupon_template_pause(actor=actor, template_id=first.pk)
    make_template(name="第三张", code="DOUBLE12")
    with pytest.raises(ValidationFailed) as resumed:
        services.coupon_template_resume(actor=actor, template_id=first.pk)
    assert "code" in resumed.value.details["fields"]
    first.refresh_from_db()
    assert first.status == TemplateStatus.PAUSED


def test_editing_a_template_keeps_its_own_code(
    actor: ActorContext, make_template: Callable[..., CouponTemplate]
) -> None:
    template = make_template(code="KEEPME")
    services.coupon_template_save(actor=actor, draft=draft(code="KEEPME", amount=Money(1000)), template_id=template.pk)
    template.refresh_from_db()
    assert (template.code, template.amount_fen) == ("KEEPME", 1000)


def test_the_total_cannot_go_below_what_is_claimed(
    actor: ActorContext, make_template: Callable[..., CouponTemplate], customer: Any
) -> None:
    template = make_template(total_limit=5, per_customer_limit=3)
    for _ in range(3):
        services.coupon_claim(customer=customer, channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.coupon_template_save(
            actor=actor, draft=draft(total_limit=2, per_customer_limit=3), template_id=template.pk
        )
    assert "total_limit" in refused.value.details["fields"]


def test_pause_and_resume_are_audited(actor: ActorContext, make_template: Callable[..., CouponTemplate]) -> None:
    template = make_template()
    services.coupon_template_pause(actor=actor, template_id=template.pk)
    services.coupon_template_resume(actor=actor, template_id=template.pk)
    actions = list(AuditEntry.objects.filter(object_id=str(template.pk)).values_list("action", flat=True))
    assert "coupon_template.pause" in actions
    assert "coupon_template.resume" in actions


def test_the_margin_guard_refuses_a_coupon_that_breaks_the_floor(actor: ActorContext) -> None:
    brand = Brand.objects.create(name="拾光", name_en="Shiguang", slug="shiguang")
    category = Category.objects.create(name="杯子", name_en="Cups", slug="cups", depth=0)
    product = Product.objects.create(
        title="保温杯", brand=brand, category=category, status="listed", min_price_fen=10000, max_price_fen=10000
    )
    Sku.objects.create(
        product=product, code="CUP", cost_price_fen=8000, list_price_fen=10000, sale_price_fen=10000, weight_g=1
    )
    with pytest.raises(ValidationFailed) as refused:
        services.coupon_template_save(
            actor=actor,
            draft=draft(
                kind=CouponKind.PERCENT,
                percent_off=30,
                amount=None,
                min_margin_percent=10,
                scope={"product_ids": [product.pk]},
            ),
        )
    assert "margin" in refused.value.details["fields"]
    assert "CUP" in refused.value.details["fields"]["margin"]
    assert CouponTemplate.objects.count() == 0
    ok = services.coupon_template_save(
        actor=actor,
        draft=draft(
            kind=CouponKind.PERCENT,
            percent_off=5,
            amount=None,
            min_margin_percent=10,
            scope={"product_ids": [product.pk]},
        ),
    )
    assert ok.pk
