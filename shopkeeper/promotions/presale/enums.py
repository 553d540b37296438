"""Presale statuses and reminder kinds, as the console, the shop and the API show them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shopkeeper.promotions.presale.domain.terms import Phase, ReminderKind


class PresaleStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")


class PresalePhase(models.TextChoices):
    UPCOMING = Phase.UPCOMING.value, _("Not started")
    DEPOSIT = Phase.DEPOSIT.value, _("Deposit window")
    WAITING = Phase.WAITING.value, _("Waiting for the balance window")
    BALANCE = Phase.BALANCE.value, _("Balance window")
    ENDED = Phase.ENDED.value, _("Ended")


class PresaleReminderKind(models.TextChoices):
    BALANCE_OPENS = ReminderKind.BALANCE_OPENS.value, _("Balance window opens")
    BALANCE_CLOSES = ReminderKind.BALANCE_CLOSES.value, _("Balance window closes")
