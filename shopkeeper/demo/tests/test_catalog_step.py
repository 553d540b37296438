"""The demo's catalog step on a database: a home page that advertises nothing the shop does not run,
and a compliance report that finds only the deliberate drafts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shopkeeper.catalog import selectors
from shopkeeper.catalog.enums import HomeModuleKind
from shopkeeper.catalog.models import HomeModule, Product
from shopkeeper.demo.context import DemoContext
from shopkeeper.demo.domain.scale import SCALES, Scale
from shopkeeper.demo.steps import catalog_step

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_promises_nothing_and_only_its_drafts_break_the_rules() -> None:
    ctx = DemoContext(scale=Scale.SMALL, spec=SCALES[Scale.SMALL], seed=5, now=timezone.now(), show_progress=False)
    catalog_step(ctx)
    banner = HomeModule.objects.get(kind=HomeModuleKind.HERO_BANNER)
    assert not banner.config.get("subtitle")  # no 满减: the shop runs no promotion
    flagged = [row.product_id for row in selectors.compliance_report()]
    assert len(flagged) == 8
    assert set(Product.objects.filter(pk__in=flagged).values_list("status", flat=True)) == {"draft"}
    assert Product.objects.values("title").distinct().count() >= 0.95 * SCALES[Scale.SMALL].products
