"""A record of each demo-data load, so `make run` loads it only once."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    scale = models.CharField(_("scale"), max_length=16)
    seed = models.BigIntegerField(_("seed"))
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    seconds = models.DecimalField(_("seconds"), max_digits=10, decimal_places=2)
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("demo dataset")

    def __str__(self) -> str:
        return f"{self.scale} seed={self.seed} at {timezone.localtime(self.loaded_at):%Y-%m-%d %H:%M}"
