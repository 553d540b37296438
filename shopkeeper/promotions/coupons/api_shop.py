"""The customer's coupons at /api/v1/shop/coupons: the claim centre, claiming (by coupon or by
code) and "my coupons". They run on the customer's storefront session (see customers.auth).

No `from __future__ import annotations`: django-ninja reads these annotations at import time.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.schemas import MoneyOut, money_out
from shopkeeper.customers.auth import CustomerSessionAuth, customer_operation
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.enums import SELF_SERVICE_CHANNELS, ClaimChannel
from shopkeeper.promotions.coupons.schemas import CouponOut, coupon_out

router = Router(tags=["shop: coupons"], auth=CustomerSessionAuth())


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class ClaimableOut(Schema):
    template_id: int
    name: str
    description: str
    kind: str
    amount: MoneyOut | None
    percent_off: int | None
    cap: MoneyOut | None
    threshold: MoneyOut
    remaining: int | None = Field(..., description="Coupons left to claim; null: no total limit")
    held: int = Field(..., description="How many of these the caller holds already")
    can_claim: bool
    claim_ends_at: datetime | None
    valid_until: datetime | None
    valid_days: int | None


class ClaimIn(Schema):
    template_id: int | None = None
    code: str = Field("", description="A public claim code instead of template_id")
    channel: str = Field("claim_centre", description="claim_centre | campaign | api")


class MineOut(Schema):
    items: list[CouponOut]
    counts: dict[str, int] = Field(..., description="Coupons per tab: available, used, expired")
    expiring_soon: list[int] = Field(..., description="Ids of the usable coupons expiring within 3 days")


def _fen(value: int | None) -> MoneyOut | None:
    return money_out(value) if value is not None else None


@router.get("/claimable", response=list[ClaimableOut], summary="The claim centre: coupons claimable now")
@customer_operation
def claimable(request: HttpRequest) -> list[ClaimableOut]:
    return [
        ClaimableOut(
            template_id=item.template.pk,
            name=item.template.name,
            description=item.template.description,
            kind=item.template.kind,
            amount=_fen(item.template.amount_fen),
            percent_off=item.template.percent_off,
            cap=_fen(item.template.cap_fen),
            threshold=money_out(item.template.threshold_fen),
            remaining=item.remaining,
            held=item.held,
            can_claim=item.can_claim,
            claim_ends_at=item.template.claim_ends_at,
            valid_until=item.template.valid_until,
            valid_days=item.template.valid_days,
        )
        for item in selectors.claim_centre(customer_id=_me(request).pk)
    ]


@router.post("/claim", response={201: CouponOut}, summary="Claim a coupon (by template or by code)")
@customer_operation
def claim(request: HttpRequest, payload: ClaimIn) -> Status[CouponOut]:
    if payload.channel not in SELF_SERVICE_CHANNELS:
        raise ValidationFailed(
            "channel must be one of claim_centre, campaign, api",
            details={"fields": {"channel": payload.channel}, "allowed": sorted(SELF_SERVICE_CHANNELS)},
        )
    coupon = services.coupon_claim(
        customer=_me(request),
        channel=ClaimChannel(payload.channel),
        template_id=payload.template_id,
        code=payload.code,
    )
    return Status(201, coupon_out(coupon))


@router.get("/mine", response=MineOut, summary="My coupons: available, used or expired")
@customer_operation
def mine(request: HttpRequest, tab: str = "available") -> MineOut:
    if tab not in selectors.WALLET_TABS:
        raise ValidationFailed(
            "tab must be available, used or expired",
            details={"fields": {"tab": tab}, "allowed": list(selectors.WALLET_TABS)},
        )
    me = _me(request)
    now = timezone.now()
    coupons = list(selectors.coupons_of_customer(customer_id=me.pk, tab=tab, now=now)[:200])
    return MineOut(
        items=[coupon_out(coupon) for coupon in coupons],
        counts=selectors.wallet_counts(customer_id=me.pk, now=now),
        expiring_soon=[coupon.pk for coupon in selectors.coupons_expiring_soon(customer_id=me.pk, now=now)],
    )
