"""Product reviews: a customer reviews a delivered order line once; staff hide and unhide reviews.

The orders app proves delivery by handing over a `DeliveredLine`; this module never reads orders.
The product's `rating_count` and `rating_sum` always equal the visible reviews' count and sum: every
write here changes them with F() updates in the same transaction as the review itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkeeper.catalog.domain.reviews import (
    PHOTOS_MAX,
    RATING_MAX,
    RATING_MIN,
    TEXT_MAX_LENGTH,
    Problem,
    ReviewInvalid,
    mask_name,
    review_draft,
)
from shopkeeper.catalog.models import Product, Review, Sku
from shopkeeper.core.errors import Conflict, NotFound, ValidationFailed
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record

REVIEW_WINDOW = timedelta(days=90)  # how long after delivery a customer may still review the line
ORDER_LINE_KEY_MAX_LENGTH = 64
HIDE_REASON_MAX_LENGTH = 200


@dataclass(frozen=True)
class DeliveredLine:
    """The orders app's proof that a customer received one order line, and may therefore review it.

    `order_line_key` names the line once and for all (e.g. "order-line:123"); `spec_values` is the
    order line's snapshot of the variant, used for the review's "颜色: 雾霾蓝 / 尺码: M" label (the
    SKU's current values are used when it is not given).
    """

    order_line_key: str
    product_id: int
    sku_id: int | None
    customer: User | None
    delivered_at: datetime | None
    spec_values: Mapping[str, str] | None = None


def _problem_message(problem: str) -> str:
    messages = {
        Problem.RATING_NOT_WHOLE: _("Give a rating of %(low)s to %(high)s stars")
        % {"low": RATING_MIN, "high": RATING_MAX},
        Problem.RATING_OUT_OF_RANGE: _("Give a rating of %(low)s to %(high)s stars")
        % {"low": RATING_MIN, "high": RATING_MAX},
        Problem.TEXT_NOT_TEXT: _("The review text must be text"),
        Problem.TEXT_TOO_LONG: _("Keep the review to %(max)s characters") % {"max": TEXT_MAX_LENGTH},
        Problem.PHOTOS_NOT_LIST: _("Photos must be a list of image addresses"),
        Problem.PHOTOS_TOO_MANY: _("Add at most %(max)s photos") % {"max": PHOTOS_MAX},
        Problem.PHOTO_URL: _("Each photo must be an http(s) address or a file under /media/"),
    }
    return messages.get(problem, problem)


def spec_label(spec_values: Mapping[str, Any] | None, spec_names: Sequence[Any] = ()) -> str:
    """ "颜色: 雾霾蓝 / 尺码: M", as the review shows which variant the customer bought.

    Specs follow the product's own order (`spec_names`): stored JSON may come back with its keys sorted.
    """
    if not spec_values:
        return ""
    names = [str(name) for name in spec_names if str(name) in spec_values]
    names += [str(name) for name in spec_values if str(name) not in names]
    return " / ".join(f"{name}: {spec_values[name]}" for name in names)[:200]


def _snapshot(review: Review) -> dict[str, Any]:
    return {"is_hidden": review.is_hidden, "hidden_reason": review.hidden_reason}


def review_post(
    *, actor: ActorContext, line: DeliveredLine, rating: object, text: object, photos: object = ()
) -> Review:
    """Post the customer's review of a delivered order line and count it in the product's rating.

    Refused, with nothing written: a line already reviewed (Conflict), not delivered or delivered more
    than `REVIEW_WINDOW` ago (Conflict), an unknown product or SKU (NotFound), bad values
    (ValidationFailed, details name each field).
    """
    key = line.order_line_key.strip()
    if not key or len(key) > ORDER_LINE_KEY_MAX_LENGTH:
        raise ValidationFailed(_("The order line is not named"), details={"order_line_key": key})
    try:
        draft = review_draft(rating=rating, text=text, photos=photos)
    except ReviewInvalid as exc:
        details = {name: _problem_message(problem) for name, problem in exc.problems.items()}
        raise ValidationFailed(_("The review has invalid fields"), details=details) from None
    if line.delivered_at is None:
        raise Conflict(
            _("This order line has not been delivered yet; it can be reviewed once it arrives"),
            details={"order_line_key": key, "reason": "not_delivered"},
        )
    if line.delivered_at + REVIEW_WINDOW < timezone.now():
        raise Conflict(
            _("Reviews can be posted up to %(days)s days after delivery") % {"days": REVIEW_WINDOW.days},
            details={"order_line_key": key, "reason": "window_closed", "delivered_at": line.delivered_at.isoformat()},
        )
    already = _("This order line has already been reviewed")
    if Review.objects.filter(order_line_key=key).exists():
        raise Conflict(already, details={"order_line_key": key, "reason": "already_reviewed"})
    found = Product.objects.filter(pk=line.product_id).values_list("pk", "spec_names").first()
    if found is None:
        raise NotFound(_("No product with id %(id)s") % {"id": line.product_id}, details={"id": line.product_id})
    sku: Sku | None = None
    if line.sku_id is not None:
        sku = Sku.objects.filter(pk=line.sku_id, product_id=line.product_id).first()
        if sku is None:
            raise NotFound(
                _("No SKU with id %(id)s in this product") % {"id": line.sku_id}, details={"sku_id": line.sku_id}
            )
    spec_values = line.spec_values if line.spec_values is not None else (sku.spec_values if sku else None)
    customer = line.customer
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product_id=line.product_id,
                sku=sku,
                author=customer,
                author_label=mask_name(str(customer)) if customer else "",
                order_line_key=key,
                rating=draft.rating,
                text=draft.text,
                photos=list(draft.photos),
                spec_label=spec_label(spec_values, found[1] if isinstance(found[1], list) else ()),
            )
            Product.objects.filter(pk=line.product_id).update(
                rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + draft.rating
            )
            audit_record(
                actor=actor,
                action="review.post",
                target=review,
                after={
                    "product_id": line.product_id,
                    "order_line_key": key,
                    "rating": draft.rating,
                    "photos": len(draft.photos),
                },
            )
    except IntegrityError:
        # Two posts for one line at once: the unique key let one in; the other is told plainly.
        if Review.objects.filter(order_line_key=key).exists():
            raise Conflict(already, details={"order_line_key": key, "reason": "already_reviewed"}) from None
        raise
    return review


def _locked(review: Review) -> Review:
    found = Review.objects.select_for_update().filter(pk=review.pk).first()
    if found is None:
        raise NotFound(_("No review with id %(id)s") % {"id": review.pk}, details={"id": review.pk})
    return found


def review_hide(*, actor: ActorContext, review: Review, reason: str) -> Review:
    """Hide a review from shoppers (the reason is required) and take it out of the product's rating."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for hiding the review"), details={"reason": _("Required")})
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the reason to %(max)s characters") % {"max": HIDE_REASON_MAX_LENGTH},
            details={"reason": _("Too long")},
        )
    with transaction.atomic():
        current = _locked(review)
        if current.is_hidden:
            raise Conflict(_("This review is already hidden"), details={"id": current.pk, "reason": "hidden"})
        before = _snapshot(current)
        current.is_hidden = True
        current.hidden_reason = reason
        current.hidden_by = actor.user
        current.hidden_at = timezone.now()
        current.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        Product.objects.filter(pk=current.product_id).update(
            rating_count=F("rating_count") - 1, rating_sum=F("rating_sum") - current.rating
        )
        audit_record(actor=actor, action="review.hide", target=current, before=before, after=_snapshot(current))
    return current


def review_unhide(*, actor: ActorContext, review: Review) -> Review:
    """Show a hidden review again and count it in the product's rating again."""
    with transaction.atomic():
        current = _locked(review)
        if not current.is_hidden:
            raise Conflict(_("This review is not hidden"), details={"id": current.pk, "reason": "visible"})
        before = _snapshot(current)
        current.is_hidden = False
        current.hidden_reason = ""
        current.hidden_by = None
        current.hidden_at = None
        current.save(update_fields=["is_hidden", "hidden_reason", "hidden_by", "hidden_at"])
        Product.objects.filter(pk=current.product_id).update(
            rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + current.rating
        )
        audit_record(actor=actor, action="review.unhide", target=current, before=before, after=_snapshot(current))
    return current
