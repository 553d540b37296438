"""The demo catalog, without a database: varied titles, and copy that claims only what a listing
can stand behind."""

from __future__ import annotations

import random
import re

from shopkeeper.catalog.domain.compliance import DEFAULT_BANNED_WORDS, BannedTerm, ComplianceChecker
from shopkeeper.demo.domain.catalog import demo_products
from shopkeeper.demo.domain.scale import SCALES, Scale

CHECKER = ComplianceChecker(BannedTerm(word=word, kind=kind) for word, kind in DEFAULT_BANNED_WORDS)
# Promises the shop cannot keep or prove: test reports, shipping times, promotions, best-of claims.
UNBACKED = re.compile(r"SGS|检测|顺丰|包邮|小时内发货|满\d+减|回购率|\d折|优惠|正品保证|官方")


def test_the_large_catalog_has_varied_titles() -> None:
    count = SCALES[Scale.LARGE].products
    titles = [product.title for product in demo_products(random.Random("1:catalog"), count)]
    assert len(set(titles)) >= 0.95 * count
    assert max(len(title) for title in titles) <= 60


def test_only_the_deliberate_drafts_break_the_advertising_rules() -> None:
    products = list(demo_products(random.Random("7:catalog"), 3000))
    for product in products[:-8]:
        copy = {
            "title": product.title,
            "selling_points": list(product.selling_points),
            "description": product.description,
        }
        assert CHECKER.scan(copy) == [], product.title
        for text in (*product.selling_points, product.description):
            assert not UNBACKED.search(text), text
    drafts = products[-8:]
    assert all(product.status == "draft" and CHECKER.scan({"title": product.title}) for product in drafts)


def test_selling_points_agree_with_the_product() -> None:
    for product in demo_products(random.Random("3:catalog"), 2000):
        points = " ".join(product.selling_points)
        if "冰丝" in product.title and "纯棉" not in product.title:
            assert "纯棉" not in points, product
        if "乳胶枕" in product.title:
            assert "记忆棉" not in points, product
        for point in product.selling_points:
            if point.startswith("可选"):  # the values listed are the ones on sale, no more
                for part in point.removeprefix("可选").split("，"):
                    name, _space, values = part.partition(" ")
                    assert set(values.split("/")) == {sku.spec_values[name] for sku in product.skus}, point
