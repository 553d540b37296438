"""Promotion kinds and statuses, as the console and the API show them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PromotionKind(models.TextChoices):
    SPEND_TIER = "spend_tier", _("Spend tiers (spend ¥X, get ¥Y off)")
    PERCENT_OFF = "percent_off", _("Percent off")
    FIXED_OFF = "fixed_off", _("Fixed amount off each unit")
    NTH_ITEM = "nth_item", _("N-th item discount")
    BUY_X_GET_Y = "buy_x_get_y", _("Buy X get Y free")
    BUNDLE = "bundle", _("Bundle at a fixed price")
    MEMBER_PRICE = "member_price", _("Member prices")
    GIFT = "gift", _("Gift with purchase")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class PromotionStatus(models.TextChoices):
    """`scheduled` and `active` are one stored state seen at two times: the window decides."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class PromotionGroup(models.TextChoices):
    ITEM = "item", _("Item level")
    ORDER = "order", _("Order level")
    SHIPPING = "shipping", _("Shipping")


class UseState(models.TextChoices):
    PLACED = "placed", _("Placed, not paid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class GiftRefundRule(models.TextChoices):
    RECOVER = "recover", _("Recover the gift on refund")
    CHARGE = "charge", _("Charge for the gift when it is kept")
    AFTER_RECEIPT = "after_receipt", _("Give the gift only after confirmed receipt")


# Which group each kind sits in (the engine applies item → order → coupon → shipping).
KIND_GROUP = {
    PromotionKind.SPEND_TIER: PromotionGroup.ORDER,
    PromotionKind.PERCENT_OFF: PromotionGroup.ITEM,
    PromotionKind.FIXED_OFF: PromotionGroup.ITEM,
    PromotionKind.NTH_ITEM: PromotionGroup.ITEM,
    PromotionKind.BUY_X_GET_Y: PromotionGroup.ITEM,
    PromotionKind.BUNDLE: PromotionGroup.ITEM,
    PromotionKind.MEMBER_PRICE: PromotionGroup.ITEM,
    PromotionKind.GIFT: PromotionGroup.ORDER,
    PromotionKind.FREE_SHIPPING: PromotionGroup.SHIPPING,
}
