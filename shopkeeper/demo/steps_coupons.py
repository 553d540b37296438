"""Demo step: coupon templates (满199减20, 9折 capped at ¥50, a free-shipping coupon, the
new-customer pair, a customer-service compensation coupon) and coupons claimed by some shoppers,
among them the demo customer 13800138000 (one expiring within three days).

The margin guard holds every coupon to the store default floor (never below cost): the products
a store-wide coupon would sell below it are left out of its scope, as a campaign operator would.
The new-customer ¥20 and the compensation ¥10 are costs the shop accepts on purpose (customer
acquisition, making up for a late parcel): they waive the floor with a ¥0 price floor."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any

from shopkeeper.catalog import selectors as catalog
from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel
from shopkeeper.core.errors import ShopkeeperError, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.steps_customers import DEMO_CUSTOMER_MOBILE
from shopkeeper.promotions.coupons import services as coupons
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, ValidityKind

MAX_CLAIMS = 150  # claims by ordinary shoppers, whatever the scale (one service call each, ~12 ms)
NO_FLOOR = Money(0)  # a price floor of ¥0: the coupon may take a unit below cost (a deliberate cost)


def _save(actor: ActorContext, draft: coupons.TemplateDraft) -> Any:
    """Save; when the margin guard refuses, leave the breaching products out and save again."""
    for _attempt in range(3):
        try:
            return coupons.coupon_template_save(actor=actor, draft=draft)
        except ValidationFailed as refused:
            breaches = refused.details.get("margin")
            if not breaches:
                raise
            skus = catalog.promo_skus((row["sku_id"] for row in breaches), scenes=False)
            excluded = set(draft.scope.get("excluded_product_ids", [])) | {sku.product_id for sku in skus.values()}
            draft = replace(draft, scope={**draft.scope, "excluded_product_ids": sorted(excluded)})
    return coupons.coupon_template_save(actor=actor, draft=draft)


def coupons_step(ctx: DemoContext) -> None:
    rng = ctx.rng("coupons")
    operator = User.objects.filter(username="campaign_operator").first()
    actor = ActorContext(user=operator, channel=AuditChannel.CLI)
    start = ctx.now - timedelta(days=20)
    end = ctx.now + timedelta(days=25)
    centre = (ClaimChannel.CLAIM_CENTRE, ClaimChannel.CAMPAIGN, ClaimChannel.API)

    window = coupons.TemplateDraft(
        name="",
        kind=CouponKind.AMOUNT,
        claim_starts_at=start,
        claim_ends_at=end,
        validity_kind=ValidityKind.FIXED,
        valid_from=start,
        valid_until=end,
        channels=centre,
    )
    fixed = partial(replace, window)

    spend = _save(
        actor,
        fixed(
            name="满199减20",
            description="全场通用，双12预热",
            kind=CouponKind.AMOUNT,
            amount=Money(2000),
            threshold=Money(19900),
            total_limit=5000,
            code="SHUANG12",
        ),
    )
    percent = _save(
        actor,
        fixed(
            name="9折券 最高减50",
            kind=CouponKind.PERCENT,
            percent_off=10,
            cap=Money(5000),
            threshold=Money(9900),
            total_limit=2000,
            per_customer_limit=2,
        ),
    )
    shipping = coupons.coupon_template_save(
        actor=actor,
        draft=fixed(name="包邮券", kind=CouponKind.FREE_SHIPPING, total_limit=3000),
    )
    soon = _save(
        actor,
        fixed(
            name="周末闪券 满99减10",
            kind=CouponKind.AMOUNT,
            amount=Money(1000),
            threshold=Money(9900),
            claim_ends_at=ctx.now + timedelta(days=2),
            valid_until=ctx.now + timedelta(days=2),
            total_limit=800,
        ),
    )
    # The new-customer pair, given at registration (editable in the console like any template).
    new_customer = replace(
        window,
        claim_ends_at=None,
        validity_kind=ValidityKind.AFTER_CLAIM,
        valid_from=None,
        valid_until=None,
        valid_days=7,
        channels=(ClaimChannel.NEW_CUSTOMER,),
        first_order_only=True,
        description="首单可用",
    )
    coupons.coupon_template_save(
        actor=actor,
        draft=replace(
            new_customer, name="新人立减20元", kind=CouponKind.AMOUNT, amount=Money(2000), min_price=NO_FLOOR
        ),
    )
    coupons.coupon_template_save(
        actor=actor, draft=replace(new_customer, name="新人包邮券", kind=CouponKind.FREE_SHIPPING)
    )
    compensation = coupons.coupon_template_save(
        actor=actor,
        draft=coupons.TemplateDraft(
            name="售后补偿券 无门槛减10",
            kind=CouponKind.AMOUNT,
            amount=Money(1000),
            claim_starts_at=start,
            validity_kind=ValidityKind.AFTER_CLAIM,
            valid_days=30,
            channels=(ClaimChannel.CUSTOMER_SERVICE,),
            per_customer_limit=3,
            min_price=NO_FLOOR,
        ),
    )
    shoppers = list(
        User.objects.filter(customer__isnull=False)
        .exclude(username=DEMO_CUSTOMER_MOBILE)
        .order_by("pk")
        .values_list("pk", flat=True)[: MAX_CLAIMS * 2]
    )
    chosen = sorted(rng.sample(shoppers, min(len(shoppers), MAX_CLAIMS)))
    claimed = 0
    by_id = User.objects.in_bulk(chosen)
    for customer_id in chosen:
        template = rng.choices([spend, percent, shipping, soon], weights=[5, 3, 3, 2])[0]
        when = start + timedelta(minutes=rng.randrange(int((ctx.now - start).total_seconds() // 60)))
        try:
            coupons.coupon_claim(
                customer=by_id[customer_id], channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk, now=when
            )
            claimed += 1
        except ShopkeeperError:
            continue
    demo = User.objects.filter(username=DEMO_CUSTOMER_MOBILE).first()
    if demo is not None:
        for template in (spend, percent, soon):
            coupons.coupon_claim(customer=demo, channel=ClaimChannel.CLAIM_CENTRE, template_id=template.pk, now=ctx.now)
            claimed += 1
        coupons.coupon_issue(
            actor=actor, customer_ids=[demo.pk], template_id=compensation.pk, note="快递延误补偿", now=ctx.now
        )
        claimed += 1
    ctx.counts["coupon_templates"] += 7
    ctx.counts["coupons"] += claimed
