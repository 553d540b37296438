"""What happens to a gift with purchase when a refund takes its order below what earned it.

Whether the order still earns the gift is promotions' question (`promotions.domain.gifts`); this
module says what follows, by the rule the gift's promotion set (`GiftRule`):

- recover: the gift comes back. A return and refund brings it back with the goods: back intact,
  nothing comes off the refund; not sent back, or back damaged, its value comes off. A refund only
  before shipment takes the gift's units out of the parcel too (cancelled); units no parcel holds
  any more (already on their way) count as kept and are charged.
- charge: the customer keeps the gift; its value comes off the refund.
- after_receipt: the gift is held in the warehouse (its stock reserved) until the goods are
  delivered and no refund application is open on its qualifying lines. A refund that takes the
  order below the threshold before that means it is never sent (withheld: its reservation is
  released, nothing comes off). Once sent it is the customer's, and charged for like `charge`.

When the order still earns the gift nothing changes, except that a gift the customer sent back
anyway is taken back (returned, nothing comes off). A gift is settled once: its final states are
never left, so a second refund or a second click cannot recover or charge it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shopkeeper.aftersales.domain.rules import Stage
from shopkeeper.aftersales.domain.states import Kind


class GiftRule(StrEnum):
    RECOVER = "recover"
    CHARGE = "charge"
    AFTER_RECEIPT = "after_receipt"


class GiftState(StrEnum):
    KEPT = "kept"  # with the customer (or in the parcel with the goods)
    HELD = "held"  # after_receipt: in the warehouse, reserved, not sent yet
    SENT = "sent"  # after_receipt: sent once the goods were received
    RETURNED = "returned"  # came back with a return (nothing charged)
    CHARGED = "charged"  # kept, not sent back or back damaged: its value came off a refund
    CANCELLED = "cancelled"  # taken out of the unshipped parcel with a refund only
    WITHHELD = "withheld"  # after_receipt: never sent, its reservation released


SETTLED = frozenset({GiftState.RETURNED, GiftState.CHARGED, GiftState.CANCELLED, GiftState.WITHHELD})


class GiftReturn(StrEnum):
    """What the warehouse found of the gift in a returned parcel."""

    INTACT = "pass"  # back intact: to stock
    DAMAGED = "damaged"  # back damaged: written off
    MISSING = "missing"  # not in the parcel


@dataclass(frozen=True)
class GiftOutcome:
    state: GiftState
    charged_units: int = 0  # units whose value comes off the refund
    take_out: int = 0  # unshipped units to take out of the order's parcel
    release: bool = False  # give back the held gift's reservation


def gift_outcome(
    *,
    rule: GiftRule,
    state: GiftState,
    earned: bool,
    kind: Kind,
    stage: Stage,
    units: int,
    returned: GiftReturn | None = None,
    unshipped: int = 0,
) -> GiftOutcome | None:
    """What a refund of `kind` at `stage` does to a gift of `units` units in `state`, given whether
    the order still earns it, what came back of it (`returned`, for a return) and how many of its
    units an unshipped parcel still holds. None: nothing changes."""
    if units < 1 or unshipped < 0:
        raise ValueError("a gift has at least one unit")
    if state in SETTLED or kind is Kind.EXCHANGE:
        return None
    if returned is GiftReturn.INTACT or (returned is GiftReturn.DAMAGED and earned):
        return GiftOutcome(GiftState.RETURNED)
    if earned:
        return None
    if state is GiftState.HELD:
        return GiftOutcome(GiftState.WITHHELD, release=True)
    unshipped_refund = kind is Kind.REFUND_ONLY and stage is Stage.BEFORE_SHIPMENT
    if rule is GiftRule.RECOVER and state is GiftState.KEPT and returned is None and unshipped_refund:
        take = min(unshipped, units)
        if take:
            return GiftOutcome(GiftState.CANCELLED, charged_units=units - take, take_out=take)
    return GiftOutcome(GiftState.CHARGED, charged_units=units)


def expected_outcome(
    *, rule: GiftRule, state: GiftState, kind: Kind, stage: Stage, units: int, returned: GiftReturn | None = None
) -> GiftOutcome | None:
    """What an open application that takes the order below the gift's threshold is expected to do
    to it (the figure the customer is shown before the refund decides): a return is expected to
    bring a recovered gift back, and a refund only before shipment to find it still in the parcel."""
    if returned is None and rule is GiftRule.RECOVER and kind is Kind.RETURN_REFUND:
        returned = GiftReturn.INTACT
    return gift_outcome(
        rule=rule, state=state, earned=False, kind=kind, stage=stage, units=units, returned=returned, unshipped=units
    )
