"""Load demo data: deterministic for a given scale and seed, recorded so it loads once."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shopkeeper.core.enums import Role
from shopkeeper.core.errors import Conflict
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.scale import SCALES, Scale
from shopkeeper.demo.models import DemoDataset
from shopkeeper.demo.steps import DEMO_PASSWORD, STEPS
from shopkeeper.demo.steps_customers import DEMO_CUSTOMER_MOBILE

__all__ = ["DEMO_CUSTOMER_MOBILE", "DEMO_PASSWORD", "demo_load", "demo_loaded"]


def demo_loaded() -> DemoDataset | None:
    return DemoDataset.objects.order_by("-loaded_at").first()


def demo_load(
    *, scale: Scale, seed: int, actor: ActorContext, show_progress: bool = True, now: datetime | None = None
) -> DemoDataset:
    """Load the demo at `scale` from `seed`, its history laid out up to `now` (default: the current
    time). The same seed and `now` give the same data; a later `now` moves the history with it, so
    an order near a status boundary (25 minutes old: still unpaid) can land on the other side."""
    existing = demo_loaded()
    if existing is not None:
        raise Conflict(
            f"Demo data is already loaded ({existing}). Use a fresh database to load it again.",
            details={"scale": existing.scale, "seed": existing.seed},
        )
    clashing = User.objects.filter(username__in=Role.values).values_list("username", flat=True)
    if clashing:
        raise Conflict(
            "Accounts with demo login names already exist; demo data needs an empty database.",
            details={"usernames": sorted(clashing)},
        )
    started = time.perf_counter()
    ctx = DemoContext(
        scale=scale, spec=SCALES[scale], seed=seed, now=now or timezone.now(), show_progress=show_progress
    )
    with transaction.atomic():
        for _name, step in ctx.progress(STEPS, total=len(STEPS), label="demo"):
            step(ctx)
        dataset = DemoDataset.objects.create(
            scale=scale.value,
            seed=seed,
            seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
            counts=dict(ctx.counts),
        )
        audit_record(
            actor=actor,
            action="demo.load",
            target=dataset,
            after={"scale": scale.value, "seed": seed, "counts": dict(ctx.counts)},
        )
    return dataset
