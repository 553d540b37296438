"""The domain's rule problems in the operator's language (by their stable codes), under the
field names the app uses for them."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "percent_missing": _("Give a percentage off."),
    "percent_out_of_range": _("A percentage off is more than 0 and at most 100."),
    "threshold_not_positive": _("A threshold must be more than ¥0.00."),
    "off_not_positive": _("The amount off must be more than ¥0.00."),
    "off_not_below_threshold": _("The amount off must be less than its threshold."),
    "ladder_not_increasing": _("Each tier's threshold must be higher than the one before."),
    "ladder_off_not_increasing": _("A higher tier must take more off than the one before."),
    "repeat_incomplete": _("A repeating reduction needs both “every” and “off”; a cap only goes with it."),
    "cap_not_positive": _("A cap must be more than ¥0.00."),
    "tiers_missing": _("Give at least one tier or a repeating reduction."),
    "n_too_small": _("The discounted item is the 2nd or later."),
    "buy_too_small": _("Buy at least 1."),
    "get_too_small": _("Give at least 1 free."),
    "bundle_too_small": _("A bundle has at least 2 different SKUs."),
    "bundle_duplicate_sku": _("Each SKU appears once in a bundle."),
    "price_not_positive": _("A price must be more than ¥0.00."),
    "prices_missing": _("Give at least one member price."),
    "tier_missing": _("Each member price belongs to a tier."),
    "gift_missing": _("Choose the gift SKU."),
    "gift_quantity_too_small": _("Give at least 1 gift."),
    "gift_refund_rule_unknown": _("Say what happens to the gift on refund."),
    "min_items_too_small": _("Count at least 1 item."),
    "window_ends_before_start": _("The promotion must end after it starts."),
    "label_missing": _("Give the label shoppers will see."),
    "floor_margin_out_of_range": _("A minimum margin is between 0 and 1000 %."),
    "floor_price_negative": _("A minimum price cannot be negative."),
    "kind_unknown": _("Unknown kind of promotion."),
}

# Domain field → where the app keeps it ("params.x" inside the rule, or a top-level field).
FIELDS = {
    "over": "params.over_fen",
    "min_items": "params.min_items",
    "off_per_unit": "params.off_per_unit_fen",
    "price": "params.price_fen",
    "threshold": "params.threshold_fen",
    "repeat_every": "params.repeat_every_fen",
    "repeat_off": "params.repeat_off_fen",
    "repeat_cap": "params.repeat_cap_fen",
    "gift": "params.gift_sku_id",
    "gift.quantity": "params.gift_quantity",
    "gift.refund_rule": "params.refund_rule",
    "min_margin_percent": "min_margin_percent",
    "min_price": "min_price_fen",
    "ends_at": "ends_at",
    "label": "label",
    "kind": "kind",
}
TIER_FIELD = re.compile(r"^tiers\.(\d+)\.(threshold|off)$")


def problem_field(name: str) -> str:
    tier = TIER_FIELD.match(name)
    if tier:
        return f"params.tiers.{tier[1]}.{tier[2]}_fen"
    return FIELDS.get(name, f"params.{name}" if name else "params")


def problem_message(problem: Any) -> str:
    known = MESSAGES.get(getattr(problem, "code", ""))
    return str(known) if known is not None else str(problem.message)
