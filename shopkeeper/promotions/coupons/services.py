"""Writes on coupons: templates (save, pause, resume), claiming and issuing, and a coupon's life
on an order (lock at placement, release on cancel, consume on payment), plus the expiry job.

Totals hold under concurrency: a claim raises the template's `claimed_count` with one conditional
UPDATE (which also takes the template's row lock, so claims of one template queue there), then
counts the customer's coupons and inserts the next claim number under a unique constraint.
Coupon rows are locked in primary-key order, after the order (and its stock) they belong to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shopkeeper.core.domain.money import Money
from shopkeeper.core.errors import NotFound, ShopkeeperError, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.customers.events import CustomerRegistered
from shopkeeper.orders import selectors as orders
from shopkeeper.orders.events import OrderCancelled, OrderPaid
from shopkeeper.promotions.coupons.enums import (
    ClaimChannel,
    CouponKind,
    CouponState,
    TemplateStatus,
    ValidityKind,
)
from shopkeeper.promotions.coupons.errors import ClaimLimitReached, CouponsGone, CouponUnavailable
from shopkeeper.promotions.coupons.models import CODE_MAX_LENGTH, NAME_MAX_LENGTH, Coupon, CouponTemplate
from shopkeeper.promotions.coupons.rules import margin_problems, scope_problems

MAX_PER_CUSTOMER = 100
MAX_PER_ORDER = 10
MAX_VALID_DAYS = 366
MAX_ISSUE_BATCH = 200
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{3,31}$")


@dataclass(frozen=True)
class TemplateDraft:
    """A coupon template as typed in the console or sent to the API (money as Money)."""

    name: str
    kind: str
    claim_starts_at: datetime
    claim_ends_at: datetime | None = None
    threshold: Money = field(default_factory=Money.zero)
    amount: Money | None = None
    percent_off: int | None = None
    cap: Money | None = None
    scope: Mapping[str, Any] = field(default_factory=dict)
    validity_kind: str = ValidityKind.FIXED
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    valid_days: int | None = None
    per_customer_limit: int = 1
    total_limit: int | None = None
    channels: Sequence[str] = (ClaimChannel.CLAIM_CENTRE,)
    stacks_with_promotions: bool = True
    max_per_order: int = 1
    code: str = ""
    first_order_only: bool = False
    min_margin_percent: int | None = None
    min_price: Money | None = None
    description: str = ""


def code_normalize(code: str) -> str:
    """Claim codes are compared without case or surrounding spaces: " spring20 " is "SPRING20"."""
    return "".join(code.split()).upper()


def _snapshot(template: CouponTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "kind": template.kind,
        "amount_fen": template.amount_fen,
        "percent_off": template.percent_off,
        "cap_fen": template.cap_fen,
        "threshold_fen": template.threshold_fen,
        "scope": template.scope,
        "claim_starts_at": template.claim_starts_at,
        "claim_ends_at": template.claim_ends_at,
        "validity_kind": template.validity_kind,
        "valid_from": template.valid_from,
        "valid_until": template.valid_until,
        "valid_days": template.valid_days,
        "per_customer_limit": template.per_customer_limit,
        "total_limit": template.total_limit,
        "channels": template.channels,
        "stacks_with_promotions": template.stacks_with_promotions,
        "max_per_order": template.max_per_order,
        "code": template.code,
        "first_order_only": template.first_order_only,
        "status": template.status,
        "min_margin_percent": template.min_margin_percent,
        "min_price_fen": template.min_price_fen,
    }


# --- saving templates ---------------------------------------------------------------------------


def _windows_overlap(a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None) -> bool:
    return (a_end is None or b_start < a_end) and (b_end is None or a_start < b_end)


def _money_problems(draft: TemplateDraft, problems: dict[str, str]) -> None:
    if draft.threshold.fen < 0:
        problems["threshold"] = _("The threshold cannot be negative.")
    if draft.kind == CouponKind.AMOUNT:
        if draft.amount is None:
            problems["amount"] = _("Give the amount off.")
        elif draft.amount.fen <= 0:
            problems["amount"] = _("The amount off must be more than zero.")
        elif draft.threshold.fen > 0 and draft.amount >= draft.threshold:
            problems["amount"] = _("The amount off (%(amount)s) must be less than the threshold (%(threshold)s).") % {
                "amount": draft.amount,
                "threshold": draft.threshold,
            }
    elif draft.kind == CouponKind.PERCENT:
        if draft.percent_off is None:
            problems["percent_off"] = _("Give the percent off.")
        elif draft.percent_off > 100:
            problems["percent_off"] = _("A percent off cannot be over 100.")
        elif draft.percent_off < 1:
            problems["percent_off"] = _("The percent off must be at least 1.")
    if draft.cap is not None and draft.cap.fen <= 0:
        problems["cap"] = _("A cap must be more than zero (leave it empty for no cap).")
    if draft.min_margin_percent is not None and not 0 <= draft.min_margin_percent <= 99:
        problems["min_margin_percent"] = _("A minimum margin is between 0 and 99 percent.")
    if draft.min_price is not None and draft.min_price.fen < 0:
        problems["min_price"] = _("A minimum price cannot be negative.")


def _window_problems(draft: TemplateDraft, problems: dict[str, str]) -> None:
    if draft.claim_ends_at is not None and draft.claim_ends_at <= draft.claim_starts_at:
        problems["claim_ends_at"] = _("The claim window ends before it starts.")
    if draft.validity_kind == ValidityKind.FIXED:
        if draft.valid_from is None:
            problems["valid_from"] = _("Give the first day the coupons can be used.")
        if draft.valid_until is None:
            problems["valid_until"] = _("Give the last moment the coupons can be used.")
        if draft.valid_from is not None and draft.valid_until is not None:
            if draft.valid_until <= draft.valid_from:
                problems["valid_until"] = _("The validity window ends before it starts.")
            elif draft.valid_until <= draft.claim_starts_at:
                problems["valid_until"] = _("The coupons would stop being valid before anyone can claim them.")
            elif draft.claim_ends_at is not None and draft.claim_ends_at > draft.valid_until:
                problems["claim_ends_at"] = _("Claiming would go on after the coupons stop being valid.")
    elif draft.validity_kind == ValidityKind.AFTER_CLAIM:
        if draft.valid_days is None:
            problems["valid_days"] = _("Give the number of days a claimed coupon stays valid.")
        elif not 1 <= draft.valid_days <= MAX_VALID_DAYS:
            problems["valid_days"] = _("A coupon stays valid for 1 to %(max)d days.") % {"max": MAX_VALID_DAYS}
    else:
        problems["validity_kind"] = _("Choose a fixed window or a number of days after claiming.")


def _over_problems(draft: TemplateDraft, template: CouponTemplate, now: datetime, problems: dict[str, str]) -> None:
    """A claim window or a fixed validity already over when this save sets it (a new template, or
    a changed end): nobody could claim or use such coupons. An old template keeps its past dates."""

    def when(moment: datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    new = template.pk is None
    ends = draft.claim_ends_at
    if ends is not None and ends <= now and (new or template.claim_ends_at != ends) and "claim_ends_at" not in problems:
        problems["claim_ends_at"] = _("The claim window is already over: it ended %(when)s.") % {"when": when(ends)}
    until = draft.valid_until
    if (
        draft.validity_kind == ValidityKind.FIXED
        and until is not None
        and until <= now
        and (new or template.valid_until != until)
        and "valid_until" not in problems
    ):
        problems["valid_until"] = _("The coupons' validity is already over: it ended %(when)s.") % {"when": when(until)}


def _limit_problems(draft: TemplateDraft, claimed: int, problems: dict[str, str]) -> None:
    if draft.per_customer_limit < 1:
        problems["per_customer_limit"] = pgettext("coupon", "The limit per customer must be at least 1.")
    elif draft.per_customer_limit > MAX_PER_CUSTOMER:
        problems["per_customer_limit"] = pgettext("coupon", "The limit per customer is at most %(max)d.") % {
            "max": MAX_PER_CUSTOMER
        }
    if draft.total_limit is not None:
        if draft.total_limit < 1:
            problems["total_limit"] = _("The total limit must be at least 1 (leave it empty for no limit).")
        elif draft.total_limit < claimed:
            problems["total_limit"] = _("%(claimed)d coupons are already claimed: the total cannot be lower.") % {
                "claimed": claimed
            }
    if not 1 <= draft.max_per_order <= MAX_PER_ORDER:
        problems["max_per_order"] = _("Coupons per order: from 1 to %(max)d.") % {"max": MAX_PER_ORDER}
    channels = list(draft.channels)
    if not channels:
        problems["channels"] = _("Choose at least one claim channel.")
    elif any(channel not in ClaimChannel.values for channel in channels):
        problems["channels"] = _("Unknown claim channel: choose from %(values)s.") % {
            "values": ", ".join(ClaimChannel.values)
        }


def _code_problem(draft: TemplateDraft, code: str, template_id: int | None) -> str | None:
    if not code:
        return None
    if not CODE_PATTERN.match(code):
        return _("A claim code has 4 to %(max)d letters, digits, “-” or “_”.") % {"max": CODE_MAX_LENGTH}
    # Locked so that two saves of one code cannot both pass the check.
    rivals = CouponTemplate.objects.select_for_update().filter(code=code, status=TemplateStatus.ACTIVE).order_by("pk")
    if template_id is not None:
        rivals = rivals.exclude(pk=template_id)
    for rival in rivals:
        if _windows_overlap(draft.claim_starts_at, draft.claim_ends_at, rival.claim_starts_at, rival.claim_ends_at):
            return _("The code %(code)s is already used by “%(name)s” in an overlapping claim window.") % {
                "code": code,
                "name": rival.name,
            }
    return None


def _refuse(problems: Mapping[str, str]) -> ValidationFailed:
    first = next(iter(problems.values()))
    return ValidationFailed(
        _("The coupon template was not saved: %(problem)s") % {"problem": first},
        details={"fields": dict(problems)},
    )


def _apply(template: CouponTemplate, draft: TemplateDraft, code: str) -> None:
    money_off = draft.kind in (CouponKind.AMOUNT, CouponKind.PERCENT)
    template.name = draft.name
    template.description = " ".join(draft.description.split())[:200]
    template.kind = draft.kind
    template.amount_fen = draft.amount.fen if draft.kind == CouponKind.AMOUNT and draft.amount else None
    template.percent_off = draft.percent_off if draft.kind == CouponKind.PERCENT else None
    template.cap_fen = draft.cap.fen if draft.kind == CouponKind.PERCENT and draft.cap else None
    template.threshold_fen = draft.threshold.fen
    template.scope = {key: sorted(value) for key, value in draft.scope.items() if value}
    template.claim_starts_at = draft.claim_starts_at
    template.claim_ends_at = draft.claim_ends_at
    template.validity_kind = draft.validity_kind
    fixed = draft.validity_kind == ValidityKind.FIXED
    template.valid_from = draft.valid_from if fixed else None
    template.valid_until = draft.valid_until if fixed else None
    template.valid_days = None if fixed else draft.valid_days
    template.per_customer_limit = draft.per_customer_limit
    template.total_limit = draft.total_limit
    template.channels = [channel for channel in ClaimChannel.values if channel in set(draft.channels)]
    template.stacks_with_promotions = draft.stacks_with_promotions
    template.max_per_order = draft.max_per_order
    template.code = code
    template.first_order_only = draft.first_order_only
    template.min_margin_percent = draft.min_margin_percent if money_off else None
    template.min_price_fen = draft.min_price.fen if money_off and draft.min_price is not None else None


def coupon_template_save(
    *, actor: ActorContext, draft: TemplateDraft, template_id: int | None = None
) -> CouponTemplate:
    """Create a template, or change one (claimed coupons keep the validity they were given).

    Every problem is refused at once with `ValidationFailed`, details {"fields": {field: message}}.
    """
    problems: dict[str, str] = {}
    name = " ".join(draft.name.split())
    if not name:
        problems["name"] = _("Give the coupon a name shoppers understand, e.g. “满199减20”.")
    elif len(name) > NAME_MAX_LENGTH:
        problems["name"] = _("A name has at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}
    if draft.kind not in CouponKind.values:
        problems["kind"] = _("Choose amount off, percent off or free shipping.")
    _money_problems(draft, problems)
    _window_problems(draft, problems)
    problems.update(scope_problems(draft.scope))
    code = code_normalize(draft.code)
    with transaction.atomic():
        template = (
            CouponTemplate.objects.select_for_update().filter(pk=template_id).first()
            if template_id is not None
            else CouponTemplate(status=TemplateStatus.ACTIVE, created_by=actor.user)
        )
        if template is None:
            raise NotFound(_("No coupon template %(id)s.") % {"id": template_id}, details={"id": template_id})
        _limit_problems(draft, template.claimed_count, problems)
        _over_problems(draft, template, timezone.now(), problems)
        if template.status == TemplateStatus.ACTIVE and (problem := _code_problem(draft, code, template_id)):
            problems["code"] = problem
        if problems:
            raise _refuse(problems)
        before = _snapshot(template) if template.pk else None
        _apply(template, replace(draft, name=name), code)
        breaches, figures = margin_problems(template)
        if breaches:
            refused = _refuse(breaches)
            refused.details["margin"] = figures  # SKU, price, cost, worst case and floor, as promotions give
            raise refused
        template.changed_by = actor.user
        template.save()
        audit_record(
            actor=actor,
            action="coupon_template.update" if before else "coupon_template.create",
            target=template,
            before=before,
            after=_snapshot(template),
        )
    return template


def _set_status(*, actor: ActorContext, template_id: int, status: str, action: str) -> CouponTemplate:
    with transaction.atomic():
        template = CouponTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("No coupon template %(id)s.") % {"id": template_id}, details={"id": template_id})
        if template.status == status:
            return template
        if status == TemplateStatus.ACTIVE and template.code:
            draft = TemplateDraft(
                name=template.name,
                kind=template.kind,
                claim_starts_at=template.claim_starts_at,
                claim_ends_at=template.claim_ends_at,
            )
            if problem := _code_problem(draft, template.code, template.pk):
                raise _refuse({"code": problem})
        before = {"status": template.status}
        template.status = status
        template.changed_by = actor.user
        template.save(update_fields=["status", "changed_by", "changed_at"])
        audit_record(actor=actor, action=action, target=template, before=before, after={"status": status})
    return template


def coupon_template_pause(*, actor: ActorContext, template_id: int) -> CouponTemplate:
    """Stop new claims; coupons already claimed stay usable until they expire."""
    return _set_status(
        actor=actor, template_id=template_id, status=TemplateStatus.PAUSED, action="coupon_template.pause"
    )


def coupon_template_resume(*, actor: ActorContext, template_id: int) -> CouponTemplate:
    """Open claims again (refused when another active template took its code meanwhile)."""
    return _set_status(
        actor=actor, template_id=template_id, status=TemplateStatus.ACTIVE, action="coupon_template.resume"
    )


# --- claiming and issuing -----------------------------------------------------------------------


def _claim_problem(template: CouponTemplate, channel: str, now: datetime) -> str | None:
    if template.status != TemplateStatus.ACTIVE:
        return _("“%(name)s” cannot be claimed at the moment.") % {"name": template.name}
    if channel not in template.channels:
        return _("“%(name)s” cannot be claimed this way.") % {"name": template.name}
    if now < template.claim_starts_at:
        return _("“%(name)s” can be claimed from %(start)s.") % {
            "name": template.name,
            "start": timezone.localtime(template.claim_starts_at).strftime("%Y-%m-%d %H:%M"),
        }
    if template.claim_ends_at is not None and now >= template.claim_ends_at:
        return _("Claiming “%(name)s” has ended.") % {"name": template.name}
    if (
        template.validity_kind == ValidityKind.FIXED
        and template.valid_until is not None
        and now >= template.valid_until
    ):
        return _("Claiming “%(name)s” has ended.") % {"name": template.name}
    return None


def _validity(template: CouponTemplate, now: datetime) -> tuple[datetime, datetime]:
    if template.validity_kind == ValidityKind.FIXED and template.valid_from and template.valid_until:
        return template.valid_from, template.valid_until
    return now, now + timedelta(days=template.valid_days or 1)


def _claim(
    *,
    template: CouponTemplate,
    customer_id: int,
    channel: str,
    now: datetime,
    issued_by: User | None = None,
    note: str = "",
) -> Coupon:
    if problem := _claim_problem(template, channel, now):
        raise ValidationFailed(problem, details={"template_id": template.pk, "channel": channel})
    limit_reached = ClaimLimitReached(
        _("You already have “%(name)s” (at most %(limit)d per customer).")
        % {"name": template.name, "limit": template.per_customer_limit},
        details={"template_id": template.pk, "limit": template.per_customer_limit},
    )
    if Coupon.objects.filter(template_id=template.pk, customer_id=customer_id).count() >= template.per_customer_limit:
        raise limit_reached
    with transaction.atomic():
        # The conditional UPDATE holds the total and takes the template's row lock: the claims of
        # one template queue here, and the count below sees every claim committed before ours.
        taken = (
            CouponTemplate.objects.filter(pk=template.pk, status=TemplateStatus.ACTIVE)
            .filter(Q(total_limit__isnull=True) | Q(claimed_count__lt=F("total_limit")))
            .update(claimed_count=F("claimed_count") + 1)
        )
        if not taken:
            raise CouponsGone(
                _("“%(name)s” is all claimed.") % {"name": template.name}, details={"template_id": template.pk}
            )
        held = Coupon.objects.filter(template_id=template.pk, customer_id=customer_id).count()
        if held >= template.per_customer_limit:
            raise limit_reached
        valid_from, valid_until = _validity(template, now)
        try:
            with transaction.atomic():  # a savepoint: the unique claim number is the last guard
                return Coupon.objects.create(
                    template=template,
                    customer_id=customer_id,
                    seq=held + 1,
                    channel=channel,
                    claimed_at=now,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    issued_by=issued_by,
                    note=note[:200],
                )
        except IntegrityError:
            raise limit_reached from None


def _template_for_claim(*, template_id: int | None, code: str, now: datetime) -> CouponTemplate:
    if template_id is not None:
        template = CouponTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("No such coupon."), details={"template_id": template_id})
        return template
    wanted = code_normalize(code)
    candidates = (
        [
            template
            for template in CouponTemplate.objects.filter(
                code=wanted, status=TemplateStatus.ACTIVE, claim_starts_at__lte=now
            )
            if template.claim_ends_at is None or now < template.claim_ends_at
        ]
        if wanted
        else []
    )
    if not candidates:
        raise NotFound(_("No coupon has the code %(code)s right now.") % {"code": wanted}, details={"code": wanted})
    return candidates[0]


def coupon_claim(
    *,
    customer: User,
    channel: str,
    template_id: int | None = None,
    code: str = "",
    now: datetime | None = None,
) -> Coupon:
    """The customer claims one coupon of a template (by id, or by its public claim code).

    Refused with CouponsGone when all are claimed, ClaimLimitReached at the per-customer limit,
    ValidationFailed outside the claim window, for a paused template or a channel it does not allow.
    """
    now = now or timezone.now()
    if channel not in ClaimChannel.values:
        raise ValidationFailed(_("Unknown claim channel."), details={"fields": {"channel": channel}})
    if (template_id is None) == (not code.strip()):
        raise ValidationFailed(
            _("Give either the coupon or its claim code."), details={"fields": {"template_id": "", "code": ""}}
        )
    template = _template_for_claim(template_id=template_id, code=code, now=now)
    return _claim(template=template, customer_id=customer.pk, channel=channel, now=now)


@dataclass(frozen=True)
class IssueResult:
    issued: list[Coupon]
    refused: dict[int, str]  # customer id → why not


def coupon_issue(
    *, actor: ActorContext, customer_ids: Iterable[int], template_id: int, note: str = "", now: datetime | None = None
) -> IssueResult:
    """Customer service gives a coupon to each of these customers (a compensation, a goodwill gesture).

    The template must allow customer-service issuance; limits hold as for claims. Customers that
    cannot get one are listed with the reason; one audit entry records the whole issuance.
    """
    now = now or timezone.now()
    ids = list(dict.fromkeys(int(pk) for pk in customer_ids))
    if not ids:
        raise ValidationFailed(_("Choose at least one customer."), details={"fields": {"customer_ids": ""}})
    if len(ids) > MAX_ISSUE_BATCH:
        raise ValidationFailed(
            _("Issue to at most %(max)d customers at a time.") % {"max": MAX_ISSUE_BATCH},
            details={"fields": {"customer_ids": len(ids)}},
        )
    template = CouponTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("No coupon template %(id)s.") % {"id": template_id}, details={"id": template_id})
    if problem := _claim_problem(template, ClaimChannel.CUSTOMER_SERVICE, now):
        raise ValidationFailed(problem, details={"fields": {"template_id": problem}})
    known = set(User.objects.filter(pk__in=ids, customer__isnull=False).values_list("pk", flat=True))
    issued: list[Coupon] = []
    refused: dict[int, str] = {}
    with transaction.atomic():
        for customer_id in ids:
            if customer_id not in known:
                refused[customer_id] = _("No customer with id %(id)s.") % {"id": customer_id}
                continue
            try:
                issued.append(
                    _claim(
                        template=template,
                        customer_id=customer_id,
                        channel=ClaimChannel.CUSTOMER_SERVICE,
                        now=now,
                        issued_by=actor.user,
                        note=note,
                    )
                )
            except ShopkeeperError as exc:
                refused[customer_id] = exc.message
        audit_record(
            actor=actor,
            action="coupon.issue",
            target=template,
            after={
                "customers": [coupon.customer_id for coupon in issued],
                "coupons": [coupon.pk for coupon in issued],
                "refused": {str(key): value for key, value in refused.items()},
                "note": note[:200],
            },
        )
    return IssueResult(issued=issued, refused=refused)


def on_customer_registered(event: CustomerRegistered) -> None:
    """Give a new customer every active new-customer coupon (e.g. ¥20 off and free shipping)."""
    now = timezone.now()
    for template in CouponTemplate.objects.filter(status=TemplateStatus.ACTIVE, claim_starts_at__lte=now).order_by(
        "pk"
    ):
        if ClaimChannel.NEW_CUSTOMER not in template.channels or _claim_problem(
            template, ClaimChannel.NEW_CUSTOMER, now
        ):
            continue
        try:
            _claim(template=template, customer_id=event.user_id, channel=ClaimChannel.NEW_CUSTOMER, now=now)
        except ShopkeeperError:
            continue  # all handed out: the account is still created


# --- a coupon's life on an order ----------------------------------------------------------------


def _class_of(kind: str) -> str:
    """Money-off coupons and free-shipping coupons are limited per order separately."""
    return "shipping" if kind == CouponKind.FREE_SHIPPING else "money"


def coupons_lock(
    *,
    customer_id: int,
    coupon_ids: Sequence[int],
    reference: str,
    discounts: Mapping[int, Money] | None = None,
    now: datetime | None = None,
) -> list[Coupon]:
    """Lock the customer's coupons to an order being placed, in the caller's transaction.

    Refuses (CouponUnavailable, nothing changed) a coupon that is not the customer's, used,
    expired, locked by another order, for first orders only when the customer has paid before,
    or more coupons than the templates allow in one order. `discounts` (coupon id → what it took
    off) feeds the templates' discount-cost counters. Locking again for the same reference is a no-op.
    """
    now = now or timezone.now()
    ids = sorted(set(coupon_ids))
    if len(ids) != len(coupon_ids):
        raise CouponUnavailable(_("The same coupon was given twice."), details={"coupon_ids": list(coupon_ids)})
    if not ids:
        return []
    with transaction.atomic():
        coupons = list(
            Coupon.objects.select_for_update(of=("self",)).select_related("template").filter(pk__in=ids).order_by("pk")
        )
        mine = {coupon.pk: coupon for coupon in coupons if coupon.customer_id == customer_id}
        for coupon_id in ids:
            coupon = mine.get(coupon_id)
            if coupon is None:
                raise CouponUnavailable(_("This coupon is not yours."), details={"coupon_id": coupon_id})
            if coupon.state == CouponState.LOCKED and coupon.order_reference == reference:
                continue
            if coupon.state != CouponState.AVAILABLE:
                raise CouponUnavailable(
                    _("“%(name)s” is %(state)s.") % {"name": coupon.template.name, "state": coupon.get_state_display()},
                    details={"coupon_id": coupon_id, "state": coupon.state},
                )
            if not coupon.valid_from <= now < coupon.valid_until:
                raise CouponUnavailable(
                    _("“%(name)s” is not valid now.") % {"name": coupon.template.name},
                    details={"coupon_id": coupon_id, "valid_until": coupon.valid_until.isoformat()},
                )
        if any(coupon.template.first_order_only for coupon in mine.values()) and orders.customer_has_paid_order(
            customer_id=customer_id
        ):
            raise CouponUnavailable(
                _("This coupon is for a first order only."), details={"coupon_ids": ids, "first_order_only": True}
            )
        by_class: dict[str, list[Coupon]] = {}
        for coupon in mine.values():
            by_class.setdefault(_class_of(coupon.template.kind), []).append(coupon)
        for group in by_class.values():
            allowed = min(coupon.template.max_per_order for coupon in group)
            if len(group) > allowed:
                raise CouponUnavailable(
                    _("At most %(count)d such coupon(s) in one order.") % {"count": allowed},
                    details={"coupon_ids": ids, "max_per_order": allowed},
                )
        for coupon in mine.values():
            coupon.state = CouponState.LOCKED
            coupon.order_reference = reference[:64]
            coupon.locked_at = now
            if discounts is not None and coupon.pk in discounts:
                coupon.discount_fen = discounts[coupon.pk].fen
        Coupon.objects.bulk_update(list(mine.values()), ["state", "order_reference", "locked_at", "discount_fen"])
    return [mine[coupon_id] for coupon_id in ids]


def coupons_release(*, reference: str, now: datetime | None = None) -> int:
    """The order was cancelled: its coupons go back to the customer (or expire, if their time is up)."""
    now = now or timezone.now()
    with transaction.atomic():
        coupons = list(
            Coupon.objects.select_for_update()
            .filter(order_reference=reference, state=CouponState.LOCKED)
            .order_by("pk")
        )
        for coupon in coupons:
            coupon.state = CouponState.AVAILABLE if coupon.valid_until > now else CouponState.EXPIRED
            coupon.order_reference = ""
            coupon.locked_at = None
            coupon.discount_fen = None
        Coupon.objects.bulk_update(coupons, ["state", "order_reference", "locked_at", "discount_fen"])
    return len(coupons)


def coupons_consume(*, reference: str, now: datetime | None = None) -> int:
    """The order was paid: its locked coupons are used up."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Coupon.objects.select_for_update()
            .filter(order_reference=reference, state=CouponState.LOCKED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            Coupon.objects.filter(pk__in=ids).update(state=CouponState.USED, used_at=now)
    return len(ids)


def on_order_cancelled(event: OrderCancelled) -> None:
    coupons_release(reference=event.reference)


def on_order_paid(event: OrderPaid) -> None:
    coupons_consume(reference=event.reference)


def coupons_expire(*, now: datetime | None = None) -> int:
    """Mark available coupons whose validity ended as expired (the beat runs it; idempotent)."""
    now = now or timezone.now()
    return Coupon.objects.filter(state=CouponState.AVAILABLE, valid_until__lte=now).update(state=CouponState.EXPIRED)
