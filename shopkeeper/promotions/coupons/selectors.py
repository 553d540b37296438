"""Reads on coupons: a customer's usable coupons as engine rules (for checkout), their wallet and
what expires soon, the claim centre, the coupons a product page offers, and the console's counters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shopkeeper.core.domain.money import Money
from shopkeeper.core.models import User
from shopkeeper.orders import selectors as orders
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponState, TemplateStatus, ValidityKind
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.rules import coupon_rule, template_scope
from shopkeeper.promotions.domain.base import CartItem
from shopkeeper.promotions.domain.rules import CouponDiscount

EXPIRES_SOON = timedelta(days=3)


@dataclass(frozen=True)
class CouponOffer:
    """One coupon the customer may use now, as the rule the engine evaluates."""

    coupon_id: int
    template_id: int
    label: str
    rule: CouponDiscount
    valid_until: datetime
    stacks_with_promotions: bool = True  # False: only on an order no other promotion touched


def _usable(customer_id: int, now: datetime) -> QuerySet[Coupon]:
    return Coupon.objects.filter(
        customer_id=customer_id, state=CouponState.AVAILABLE, valid_from__lte=now, valid_until__gt=now
    )


def coupon_offers(*, customer_id: int, now: datetime | None = None) -> list[CouponOffer]:
    """The customer's coupons usable now, soonest to expire first (two queries; three with a
    first-order coupon, to ask orders whether the customer has paid before)."""
    now = now or timezone.now()
    coupons = list(_usable(customer_id, now).select_related("template").order_by("valid_until", "pk"))
    if any(coupon.template.first_order_only for coupon in coupons) and orders.customer_has_paid_order(
        customer_id=customer_id
    ):
        coupons = [coupon for coupon in coupons if not coupon.template.first_order_only]
    scopes = {}
    offers = []
    for coupon in coupons:
        template = coupon.template
        if template.pk not in scopes:
            scopes[template.pk] = template_scope(template)
        offers.append(
            CouponOffer(
                coupon_id=coupon.pk,
                template_id=template.pk,
                label=template.name,
                rule=coupon_rule(template, rule_id=coupon.rule_id, scope=scopes[template.pk]),
                valid_until=coupon.valid_until,
                stacks_with_promotions=template.stacks_with_promotions,
            )
        )
    return offers


def coupons_expiring_soon(*, customer_id: int, now: datetime | None = None) -> list[Coupon]:
    """The customer's usable coupons that expire within three days ("your coupon expires soon")."""
    now = now or timezone.now()
    return list(
        _usable(customer_id, now)
        .filter(valid_until__lte=now + EXPIRES_SOON)
        .select_related("template")
        .order_by("valid_until", "pk")
    )


WALLET_TABS = ("available", "used", "expired")


def coupons_of_customer(*, customer_id: int, tab: str, now: datetime | None = None) -> QuerySet[Coupon]:
    """ "My coupons": available (including those locked in an unpaid order), used, expired."""
    now = now or timezone.now()
    mine = Coupon.objects.filter(customer_id=customer_id).select_related("template")
    if tab == "used":
        return mine.filter(state=CouponState.USED).order_by("-used_at", "-pk")
    if tab == "expired":
        return mine.filter(
            Q(state=CouponState.EXPIRED) | Q(state=CouponState.AVAILABLE, valid_until__lte=now)
        ).order_by("-valid_until", "-pk")
    return mine.filter(Q(state=CouponState.LOCKED) | Q(state=CouponState.AVAILABLE, valid_until__gt=now)).order_by(
        "valid_until", "pk"
    )


def wallet_counts(*, customer_id: int, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    row = Coupon.objects.filter(customer_id=customer_id).aggregate(
        available=Count("pk", filter=Q(state=CouponState.LOCKED) | Q(state=CouponState.AVAILABLE, valid_until__gt=now)),
        used=Count("pk", filter=Q(state=CouponState.USED)),
        expired=Count("pk", filter=Q(state=CouponState.EXPIRED) | Q(state=CouponState.AVAILABLE, valid_until__lte=now)),
    )
    return {tab: int(row[tab] or 0) for tab in WALLET_TABS}


@dataclass(frozen=True)
class Claimable:
    """A template in the claim centre: how many are left, and whether this customer may claim."""

    template: CouponTemplate
    remaining: int | None  # None: no total limit
    held: int  # how many this customer holds already

    @property
    def can_claim(self) -> bool:
        return (self.remaining is None or self.remaining > 0) and self.held < self.template.per_customer_limit


def _claimable_templates(now: datetime, channel: str) -> list[CouponTemplate]:
    templates = CouponTemplate.objects.filter(status=TemplateStatus.ACTIVE, claim_starts_at__lte=now).filter(
        Q(claim_ends_at__isnull=True) | Q(claim_ends_at__gt=now)
    )
    return [
        template
        for template in templates.order_by("threshold_fen", "pk")
        if channel in template.channels
        and not (template.validity_kind == ValidityKind.FIXED and template.valid_until and template.valid_until <= now)
    ]


def claim_centre(
    *, customer_id: int | None = None, now: datetime | None = None, channel: str = ClaimChannel.CLAIM_CENTRE
) -> list[Claimable]:
    """The coupons claimable now in the claim centre, with the remaining counts (two queries)."""
    now = now or timezone.now()
    templates = _claimable_templates(now, channel)
    return _with_holdings(templates, customer_id)


def _with_holdings(templates: Sequence[CouponTemplate], customer_id: int | None) -> list[Claimable]:
    held: dict[int, int] = {}
    if customer_id is not None and templates:
        held = dict(
            Coupon.objects.filter(customer_id=customer_id, template_id__in=[t.pk for t in templates])
            .values_list("template_id")
            .annotate(n=Count("pk"))
            .values_list("template_id", "n")
        )
    return [Claimable(template=t, remaining=t.remaining, held=held.get(t.pk, 0)) for t in templates]


def claimable_for_product(
    *,
    product_id: int,
    sku_ids: Iterable[int],
    brand_id: int | None,
    category_ids: Iterable[int],
    scene_ids: Iterable[int],
    customer_id: int | None = None,
    now: datetime | None = None,
) -> list[Claimable]:
    """Claim-centre coupons whose scope covers this product (any of its SKUs), for its page."""
    now = now or timezone.now()
    categories, scenes = frozenset(category_ids), frozenset(scene_ids)
    items = [
        CartItem(
            key=str(sku_id),
            sku_id=sku_id,
            product_id=product_id,
            brand_id=brand_id,
            category_ids=categories,
            scene_ids=scenes,
        )
        for sku_id in sku_ids
    ]
    templates = [
        template
        for template in _claimable_templates(now, ClaimChannel.CLAIM_CENTRE)
        if any(template_scope(template).covers(item) for item in items)
    ]
    return _with_holdings(templates, customer_id)


def customers_by_mobile(mobiles: Iterable[str]) -> dict[str, int]:
    """Customer ids by mobile number (a customer's username is their mobile), for CS issuance."""
    wanted = sorted(set(mobiles))
    return dict(User.objects.filter(username__in=wanted, customer__isnull=False).values_list("username", "pk"))


def coupon_templates_staff(*, status: str = "", q: str = "") -> QuerySet[CouponTemplate]:
    """Templates for the console with their live counters: claimed, used, locked, discount cost."""
    queryset = CouponTemplate.objects.annotate(
        used=Count("coupons", filter=Q(coupons__state=CouponState.USED)),
        locked=Count("coupons", filter=Q(coupons__state=CouponState.LOCKED)),
        cost_fen=Sum("coupons__discount_fen", filter=Q(coupons__state=CouponState.USED), default=0),
    )
    if status:
        queryset = queryset.filter(status=status)
    if q.strip():
        queryset = queryset.filter(Q(name__icontains=q.strip()) | Q(code=q.strip().upper()))
    return queryset.order_by("-claim_starts_at", "-pk")


def coupon_template_staff(*, template_id: int) -> CouponTemplate | None:
    return coupon_templates_staff().filter(pk=template_id).first()


def coupon_templates_issuable(*, now: datetime | None = None) -> list[CouponTemplate]:
    """Templates customer service may issue now."""
    return _claimable_templates(now or timezone.now(), ClaimChannel.CUSTOMER_SERVICE)


def coupon_cost(template: CouponTemplate) -> Money:
    return Money(int(getattr(template, "cost_fen", 0) or 0))


def coupons_issued_recently(*, limit: int = 20) -> list[Coupon]:
    """The latest customer-service issuances, for the issuance page."""
    return list(
        Coupon.objects.filter(channel=ClaimChannel.CUSTOMER_SERVICE)
        .select_related("template", "customer", "issued_by")
        .order_by("-claimed_at", "-pk")[:limit]
    )


def coupons_of_template(*, template_id: int, limit: int = 20) -> list[Coupon]:
    """The latest coupons claimed from a template, for its console page."""
    return list(
        Coupon.objects.filter(template_id=template_id)
        .select_related("customer__customer")
        .order_by("-claimed_at", "-pk")[:limit]
    )


def claimable_template(*, template_id: int, customer_id: int | None = None) -> Claimable | None:
    """One template as the claim centre shows it (after a claim, to redraw its card)."""
    template = CouponTemplate.objects.filter(pk=template_id).first()
    return _with_holdings([template], customer_id)[0] if template is not None else None
