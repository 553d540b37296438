"""The SKUs a promotion's scope covers: every one of them unless a limit is asked for (the margin
guard reads them all)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shopkeeper.catalog import selectors
from shopkeeper.catalog.models import Product
from shopkeeper.catalog.tests.conftest import sku

pytestmark = pytest.mark.django_db


def test_a_scope_reads_every_sku_on_sale_unless_limited(make_product: Callable[..., Product]) -> None:
    dress = make_product(listed=True)
    make_product(listed=False, title="未上架连衣裙", skus=[sku("DRAFT-M", 颜色="雾霾蓝", 尺码="M")])  # not on sale
    on_sale = sorted(dress.skus.values_list("pk", flat=True))

    everything = selectors.promo_skus_in_scope()
    assert [sku.sku_id for sku in everything] == on_sale  # all four, in id order
    assert [sku.sku_id for sku in selectors.promo_skus_in_scope(limit=2)] == on_sale[:2]
    excluded = selectors.promo_skus_in_scope(excluded_product_ids=[dress.pk])
    assert excluded == []
