"""Spend-threshold lotteries (满额抽奖): the lottery, its prizes with their quantities and odds (in
basis points), and the log of every draw with the seed it was drawn from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopkeeper.core.domain.money import Money


class LotteryStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("campaign status", "Active")
    PAUSED = "paused", pgettext_lazy("campaign status", "Paused")


class DrawOutcome(models.TextChoices):
    WON = "won", _("Won")
    NO_PRIZE = "no_prize", _("No prize")
    SOLD_OUT = "sold_out", _("Prize gone")


class Lottery(models.Model):
    title = models.CharField(_("title"), max_length=100)
    threshold_fen = models.BigIntegerField(_("threshold (fen)"))  # goods paid, shipping excluded
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=LotteryStatus.choices, default=LotteryStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        permissions = [
            ("view_lotteries", "Can see lotteries and their draw log"),
            ("manage_lotteries", "Can create, change and pause lotteries"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(threshold_fen__gt=0), name="lottery_threshold_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="lottery_window_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def threshold(self) -> Money:
        return Money(self.threshold_fen)


class Prize(models.Model):
    lottery = models.ForeignKey(Lottery, verbose_name=_("lottery"), on_delete=models.CASCADE, related_name="prizes")
    name = models.CharField(_("prize"), max_length=60)
    basis_points = models.PositiveIntegerField(_("chance (basis points)"))  # 100 = 1%
    quantity = models.PositiveIntegerField(_("quantity"))
    awarded = models.PositiveIntegerField(_("awarded"), default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["lottery", "position", "id"]
        verbose_name = _("prize")
        constraints = [
            models.CheckConstraint(
                condition=Q(awarded__lte=models.F("quantity")) & Q(basis_points__lte=10_000),
                name="lottery_prize_never_over_awarded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining(self) -> int:
        return max(self.quantity - self.awarded, 0)

    @property
    def percent(self) -> str:
        return f"{self.basis_points // 100}.{self.basis_points % 100:02d}%"


class Draw(models.Model):
    lottery = models.ForeignKey(Lottery, verbose_name=_("lottery"), on_delete=models.PROTECT, related_name="draws")
    order_id = models.BigIntegerField(_("order"), unique=True)  # one draw per order, ever
    order_number = models.CharField(_("order number"), max_length=24)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    seed = models.CharField(_("seed"), max_length=64)
    roll = models.PositiveIntegerField(_("roll"))
    odds = models.JSONField(_("odds at draw time"), default=list)  # [[prize_id, basis_points], …]
    picked = models.ForeignKey(Prize, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prize = models.ForeignKey(Prize, null=True, blank=True, on_delete=models.PROTECT, related_name="draws")
    prize_name = models.CharField(_("prize"), max_length=60, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=DrawOutcome.choices)
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("draw")

    def __str__(self) -> str:
        return f"{self.order_number}: {self.outcome}"
