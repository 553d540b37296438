"""The sentences for the lifecycle's refusals, in the active language.

`shopkeeper.catalog.domain.lifecycle` stays pure: it names each reason with a `ProblemCode` and the
values it needs (a SKU code, a count); these functions turn them into what the operator reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shopkeeper.catalog.domain.lifecycle import Action, Problem, ProblemCode, Status


def listing_problem_message(code: str, params: Mapping[str, object] | None = None) -> str:
    """One reason a product cannot be listed yet, as a sentence (the code itself if unknown)."""
    values = dict(params or {})
    sku = values.get("sku", "")
    if code == ProblemCode.NO_TITLE:
        return _("A title is required.")
    if code == ProblemCode.NO_ACTIVE_SKU:
        return _("At least one active SKU is required.")
    if code == ProblemCode.SALE_PRICE_NOT_POSITIVE:
        return _("The sale price of SKU %(sku)s must be above zero.") % {"sku": sku}
    if code == ProblemCode.SALE_ABOVE_LIST:
        return _("The sale price of SKU %(sku)s is above its list price.") % {"sku": sku}
    if code == ProblemCode.NO_MAIN_IMAGE:
        return _("At least one main image is required.")
    if code == ProblemCode.QUALIFICATION_EXPIRED:
        count = values.get("count", 0)
        number = count if isinstance(count, int) else 0
        return ngettext(
            "%(count)s qualification document has expired: renew it before listing.",
            "%(count)s qualification documents have expired: renew them before listing.",
            number,
        ) % {"count": count}
    if code == ProblemCode.BANNED_WORD:
        return _("The copy contains the banned word %(hit)s.") % {"hit": values.get("hit", "")}
    return code


def listing_problem_detail(problem: Problem) -> dict[str, object]:
    """A problem as the refusal's details carry it: the part, the code, its values and the sentence."""
    return {
        "field": problem.field,
        "code": problem.code.value,
        "params": dict(problem.params),
        "message": listing_problem_message(problem.code, problem.params),
    }


def illegal_transition_message(current: Status, action: Action) -> str:
    """Why a product in `current` cannot take `action` (e.g. a draft cannot be delisted)."""
    messages = {
        (Status.LISTED, Action.LIST): _("A listed product cannot be listed again."),
        (Status.DRAFT, Action.DELIST): _("A draft product cannot be delisted."),
        (Status.DELISTED, Action.DELIST): _("A delisted product cannot be delisted again."),
    }
    return messages.get((current, action)) or _("This product cannot change its status this way.")
