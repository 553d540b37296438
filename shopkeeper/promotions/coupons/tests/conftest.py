"""Coupon test fixtures: a campaign operator, customers, and a way to set up a template quickly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import services as customers
from shopkeeper.promotions.coupons import services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, ValidityKind
from shopkeeper.promotions.coupons.models import CouponTemplate

PASSWORD = "Shop-Demo-2026"


def staff(username: str, role: Role) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    return user


@pytest.fixture
def operator(db: None) -> User:
    return staff("campaign", Role.CAMPAIGN_OPERATOR)


@pytest.fixture
def actor(operator: User) -> ActorContext:
    return ActorContext(user=operator, channel=AuditChannel.CONSOLE)


@pytest.fixture
def customer(db: None) -> User:
    return customers.customer_register(mobile="13800138001", password=PASSWORD, nickname="小王")


@pytest.fixture
def make_customer(db: None) -> Callable[[str], User]:
    def make(mobile: str) -> User:
        return customers.customer_register(mobile=mobile, password=PASSWORD)

    return make


def draft(**changes: Any) -> services.TemplateDraft:
    """满199减20, claimable from an hour ago for a week, valid for the same week."""
    now = timezone.now()
    base = services.TemplateDraft(
        name="满199减20",
        kind=CouponKind.AMOUNT,
        amount=Money(2000),
        threshold=Money(19900),
        claim_starts_at=now - timedelta(hours=1),
        claim_ends_at=now + timedelta(days=7),
        validity_kind=ValidityKind.FIXED,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=7),
        channels=(ClaimChannel.CLAIM_CENTRE, ClaimChannel.CUSTOMER_SERVICE),
    )
    return replace(base, **changes)


@pytest.fixture
def make_template(actor: ActorContext) -> Callable[..., CouponTemplate]:
    def make(**changes: Any) -> CouponTemplate:
        return services.coupon_template_save(actor=actor, draft=draft(**changes))

    return make
