"""Claiming and issuing coupons: limits per customer and in total, windows, channels, codes,
validity, the expiry job, customer-service issuance and the new-customer gift at registration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from shopkeeper.core.domain.money import Money
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.errors import NotFound, ValidationFailed
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext
from shopkeeper.customers import services as customers
from shopkeeper.promotions.coupons import selectors, services
from shopkeeper.promotions.coupons.enums import ClaimChannel, CouponKind, CouponState, ValidityKind
from shopkeeper.promotions.coupons.errors import ClaimLimitReached, CouponsGone
from shopkeeper.promotions.coupons.models import Coupon, CouponTemplate
from shopkeeper.promotions.coupons.tests.conftest import PASSWORD, staff

pytestmark = pytest.mark.django_db
CENTRE = ClaimChannel.CLAIM_CENTRE


def test_a_claim_gives_the_customer_a_coupon_valid_for_the_templates_window(
    make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template()
    coupon = services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    assert (coupon.state, coupon.channel, coupon.seq) == (CouponState.AVAILABLE, CENTRE, 1)
    assert (coupon.valid_from, coupon.valid_until) == (template.valid_from, template.valid_until)
    template.refresh_from_db()
    assert template.claimed_count == 1


def test_days_after_claiming_start_at_the_claim(make_template: Callable[..., CouponTemplate], customer: User) -> None:
    template = make_template(validity_kind=ValidityKind.AFTER_CLAIM, valid_days=3, valid_from=None, valid_until=None)
    coupon = services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    assert coupon.valid_until - coupon.valid_from == timedelta(days=3)
    assert coupon.valid_from == coupon.claimed_at


def test_the_per_customer_limit_holds(make_template: Callable[..., CouponTemplate], customer: User) -> None:
    template = make_template(per_customer_limit=2)
    services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    with pytest.raises(ClaimLimitReached):
        services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    template.refresh_from_db()
    assert template.claimed_count == 2
    assert Coupon.objects.filter(customer=customer).count() == 2


def test_the_total_limit_holds(
    make_template: Callable[..., CouponTemplate], make_customer: Callable[[str], User]
) -> None:
    template = make_template(total_limit=2)
    for index in range(2):
        services.coupon_claim(customer=make_customer(f"1390000000{index}"), channel=CENTRE, template_id=template.pk)
    with pytest.raises(CouponsGone):
        services.coupon_claim(customer=make_customer("13900000009"), channel=CENTRE, template_id=template.pk)
    template.refresh_from_db()
    assert template.claimed_count == 2
    assert template.remaining == 0


def test_a_paused_template_or_one_outside_its_window_cannot_be_claimed(
    actor: ActorContext, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    paused = make_template()
    services.coupon_template_pause(actor=actor, template_id=paused.pk)
    with pytest.raises(ValidationFailed):
        services.coupon_claim(customer=customer, channel=CENTRE, template_id=paused.pk)
    later = timezone.now() + timedelta(days=1)
    future = make_template(name="明天", claim_starts_at=later, claim_ends_at=later + timedelta(days=1))
    with pytest.raises(ValidationFailed):
        services.coupon_claim(customer=customer, channel=CENTRE, template_id=future.pk)
    assert not Coupon.objects.exists()


def test_a_channel_the_template_does_not_allow_is_refused(
    make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template(channels=(ClaimChannel.CAMPAIGN,))
    with pytest.raises(ValidationFailed):
        services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    coupon = services.coupon_claim(customer=customer, channel=ClaimChannel.CAMPAIGN, template_id=template.pk)
    assert coupon.channel == ClaimChannel.CAMPAIGN


def test_claiming_by_code_ignores_case_and_an_unknown_code_is_not_found(
    make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template(code="LIVE618")
    coupon = services.coupon_claim(customer=customer, channel=CENTRE, code=" live618 ")
    assert coupon.template_id == template.pk
    with pytest.raises(NotFound):
        services.coupon_claim(customer=customer, channel=CENTRE, code="NOPE")
    with pytest.raises(ValidationFailed):
        services.coupon_claim(customer=customer, channel=CENTRE)


def test_the_expiry_job_expires_only_what_ran_out(make_template: Callable[..., CouponTemplate], customer: User) -> None:
    template = make_template(per_customer_limit=2)
    old = services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    fresh = services.coupon_claim(customer=customer, channel=CENTRE, template_id=template.pk)
    Coupon.objects.filter(pk=old.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    assert services.coupons_expire() == 1
    assert services.coupons_expire() == 0  # idempotent
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == (CouponState.EXPIRED, CouponState.AVAILABLE)


def test_customer_service_issues_with_limits_and_one_audit_entry(
    make_template: Callable[..., CouponTemplate], make_customer: Callable[[str], User]
) -> None:
    agent = staff("agent", Role.CS_AGENT)
    template = make_template(total_limit=2)
    first, second, third = (make_customer(f"1370000000{index}") for index in range(3))
    result = services.coupon_issue(
        actor=ActorContext(user=agent, channel=AuditChannel.CONSOLE),
        customer_ids=[first.pk, first.pk, second.pk, third.pk, agent.pk],
        template_id=template.pk,
        note="快递延误补偿",
    )
    assert sorted(coupon.customer_id for coupon in result.issued) == sorted([first.pk, second.pk])
    assert set(result.refused) == {third.pk, agent.pk}  # all handed out; a staff account is no customer
    issued = Coupon.objects.get(customer=first)
    assert (issued.channel, issued.issued_by, issued.note) == (ClaimChannel.CUSTOMER_SERVICE, agent, "快递延误补偿")
    entry = AuditEntry.objects.get(action="coupon.issue")
    assert entry.after is not None
    assert sorted(entry.after["customers"]) == sorted([first.pk, second.pk])


def test_issuing_needs_a_template_that_allows_customer_service(
    actor: ActorContext, make_template: Callable[..., CouponTemplate], customer: User
) -> None:
    template = make_template(channels=(ClaimChannel.CLAIM_CENTRE,))
    with pytest.raises(ValidationFailed):
        services.coupon_issue(actor=actor, customer_ids=[customer.pk], template_id=template.pk)
    with pytest.raises(ValidationFailed):
        services.coupon_issue(actor=actor, customer_ids=[], template_id=template.pk)
    assert not Coupon.objects.exists()


def test_registering_gives_the_new_customer_coupons(make_template: Callable[..., CouponTemplate]) -> None:
    common = {
        "channels": (ClaimChannel.NEW_CUSTOMER,),
        "first_order_only": True,
        "validity_kind": ValidityKind.AFTER_CLAIM,
        "valid_days": 7,
        "valid_from": None,
        "valid_until": None,
        "claim_ends_at": None,
    }
    make_template(name="新人立减20元", amount=Money(2000), threshold=Money(0), **common)
    make_template(name="新人包邮券", kind=CouponKind.FREE_SHIPPING, amount=None, **common)
    make_template(name="领券中心的券")  # not a new-customer gift
    user = customers.customer_register(mobile="13600000001", password=PASSWORD)
    names = sorted(Coupon.objects.filter(customer=user).values_list("template__name", flat=True))
    assert names == ["新人包邮券", "新人立减20元"]
    assert {offer.label for offer in selectors.coupon_offers(customer_id=user.pk)} == set(names)
    assert all(c.channel == ClaimChannel.NEW_CUSTOMER for c in Coupon.objects.filter(customer=user))


def test_registration_still_works_when_the_new_customer_coupons_are_all_gone(
    make_template: Callable[..., CouponTemplate], make_customer: Callable[[str], User]
) -> None:
    make_template(channels=(ClaimChannel.NEW_CUSTOMER,), total_limit=1)
    first = make_customer("13600000001")
    second = make_customer("13600000002")
    assert Coupon.objects.filter(customer=first).count() == 1
    assert Coupon.objects.filter(customer=second).count() == 0


def test_the_beat_task_runs_the_expiry(make_template: Callable[..., CouponTemplate], customer: User) -> None:
    from shopkeeper.promotions.coupons import tasks

    coupon = services.coupon_claim(customer=customer, channel=CENTRE, template_id=make_template().pk)
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    assert tasks.coupons_expire() == 1
    assert Coupon.objects.get(pk=coupon.pk).state == CouponState.EXPIRED
