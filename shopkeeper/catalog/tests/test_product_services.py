"""Product services: create, edit, list/delist (single and bulk, all or nothing), schedules,
price changes with history, banned words refusing listed copy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shopkeeper.catalog import selectors, services
from shopkeeper.catalog.errors import ComplianceRefused, ListingRefused
from shopkeeper.catalog.models import PriceChange, Product, Sku
from shopkeeper.catalog.tests.conftest import SYSTEM, product_input, sku
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry

pytestmark = pytest.mark.django_db


class TestCreate:
    def test_draft_with_skus_media_and_derived_fields(self, make_product: Callable[..., Product]) -> None:
        product = make_product()
        assert product.status == "draft"
        assert product.skus.count() == 4
        assert (product.min_price_fen, product.max_price_fen) == (19900, 21900)
        assert product.images.filter(kind="main").count() == 1
        assert list(product.scenes.values_list("name", flat=True)) == ["通勤穿搭"]
        assert AuditEntry.objects.filter(action="product.create", object_id=str(product.pk)).exists()

    def test_drafts_may_hold_banned_words_but_are_counted(self, make_product: Callable[..., Product]) -> None:
        product = make_product(title="最美连衣裙 第一")
        assert product.compliance_hits == 2

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"title": ""}, "title"),
            ({"brand_id": 999999}, "brand_id"),
            ({"category_id": 999999}, "category_id"),
            ({"scene_ids": [999999]}, "scene_ids"),
            ({"skus": []}, "skus"),
            ({"skus": [sku("X", 颜色="蓝", 尺码="M"), sku("X", 颜色="白", 尺码="M")]}, "skus"),
            ({"skus": [sku("X", "0.00", 颜色="蓝", 尺码="M")]}, "skus.X.sale_price"),
            ({"skus": [sku("X", 颜色="蓝")]}, "skus.X.spec_values"),
            ({"spec_names": ["颜色", "颜色"]}, "spec_names"),
        ],
    )
    def test_bad_input_changes_nothing(
        self, catalog_base: dict[str, Any], overrides: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            services.product_create(actor=SYSTEM, data=product_input(catalog_base, **overrides))
        assert field in caught.value.details
        assert not Product.objects.exists()
        assert not Sku.objects.exists()

    def test_sku_codes_are_unique_across_products(
        self, make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        make_product()
        with pytest.raises(ValidationFailed) as caught:
            services.product_create(actor=SYSTEM, data=product_input(catalog_base, title="另一条裙子"))
        assert "skus.D-BLUE-M.code" in caught.value.details


class TestListing:
    def test_list_and_delist(self, make_product: Callable[..., Product]) -> None:
        product = services.product_list(actor=SYSTEM, product=make_product())
        assert product.status == "listed"
        assert product.listed_at is not None
        product = services.product_delist(actor=SYSTEM, product=product)
        assert product.status == "delisted"
        actions = AuditEntry.objects.filter(object_id=str(product.pk)).values_list("action", flat=True)
        assert {"product.list", "product.delist"} <= set(actions)

    def test_banned_words_refuse_listing_with_words_and_positions(self, make_product: Callable[..., Product]) -> None:
        product = make_product(title="拾光 第一品质 连衣裙", selling_points=["国家级面料"])
        with pytest.raises(ComplianceRefused) as caught:
            services.product_list(actor=SYSTEM, product=product)
        hits = caught.value.details["hits"]
        assert {"field": "title", "word": "第一", "start": 3, "end": 5, "kind": "extreme"} in hits
        assert {"field": "selling_points[0]", "word": "国家级", "start": 0, "end": 3, "kind": "authority"} in hits
        assert Product.objects.get(pk=product.pk).status == "draft"

    def test_saving_a_listed_product_with_a_banned_word_is_refused(
        self, make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        product = make_product(listed=True)
        with pytest.raises(ComplianceRefused):
            services.product_update(actor=SYSTEM, product=product, data=product_input(catalog_base, title="最美连衣裙"))
        assert Product.objects.get(pk=product.pk).title == "法式收腰连衣裙"

    def test_missing_image_and_expired_document_refuse_listing(self, make_product: Callable[..., Product]) -> None:
        from shopkeeper.catalog.services.products import QualificationInput

        product = make_product(
            main_images=[],
            qualifications=[QualificationInput(name="检测报告", expires_on=timezone.localdate() - timedelta(days=1))],
        )
        with pytest.raises(ListingRefused) as caught:
            services.product_list(actor=SYSTEM, product=product)
        fields = {problem["field"] for problem in caught.value.details["problems"]}
        assert fields == {"images", "qualifications"}

    def test_bulk_listing_is_all_or_nothing(
        self, make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        good = make_product()
        bad = make_product(title="最美连衣裙", skus=[sku("B-1", 颜色="蓝", 尺码="S")])
        with pytest.raises(ListingRefused) as caught:
            services.products_bulk_list(actor=SYSTEM, product_ids=[good.pk, bad.pk])
        assert list(caught.value.details["products"]) == [str(bad.pk)]
        assert Product.objects.get(pk=good.pk).status == "draft"
        listed = services.products_bulk_list(actor=SYSTEM, product_ids=[good.pk])
        assert [p.status for p in listed] == ["listed"]

    def test_listing_twice_is_refused(self, make_product: Callable[..., Product]) -> None:
        product = make_product(listed=True)
        with pytest.raises(ListingRefused):
            services.product_list(actor=SYSTEM, product=product)


class TestSchedules:
    def test_worker_lists_and_delists_when_due(self, make_product: Callable[..., Product]) -> None:
        product = make_product()
        now = timezone.now()
        services.product_schedule(
            actor=SYSTEM, product=product, list_at=now + timedelta(hours=1), delist_at=now + timedelta(days=3)
        )
        assert services.catalog_run_schedules(now=now) == {"listed": 0, "delisted": 0, "failed": 0}
        assert services.catalog_run_schedules(now=now + timedelta(hours=2))["listed"] == 1
        assert Product.objects.get(pk=product.pk).status == "listed"
        assert services.catalog_run_schedules(now=now + timedelta(days=4))["delisted"] == 1
        assert Product.objects.get(pk=product.pk).status == "delisted"

    def test_a_due_product_that_fails_its_checks_is_reported(self, make_product: Callable[..., Product]) -> None:
        product = make_product(title="最美连衣裙")
        services.product_schedule(
            actor=SYSTEM, product=product, list_at=timezone.now() + timedelta(minutes=5), delist_at=None
        )
        counts = services.catalog_run_schedules(now=timezone.now() + timedelta(minutes=10))
        assert counts["failed"] == 1
        refreshed = Product.objects.get(pk=product.pk)
        assert refreshed.status == "draft"
        assert refreshed.scheduled_list_at is None
        assert AuditEntry.objects.filter(action="product.schedule_failed", object_id=str(product.pk)).exists()

    def test_bad_schedules(self, make_product: Callable[..., Product]) -> None:
        product = make_product()
        now = timezone.now()
        with pytest.raises(ValidationFailed) as caught:
            services.product_schedule(
                actor=SYSTEM, product=product, list_at=now - timedelta(minutes=1), delist_at=now + timedelta(minutes=1)
            )
        assert "list_at" in caught.value.details
        with pytest.raises(ValidationFailed) as caught:
            services.product_schedule(
                actor=SYSTEM, product=product, list_at=now + timedelta(days=2), delist_at=now + timedelta(days=1)
            )
        assert "delist_at" in caught.value.details


class TestPrices:
    def test_editing_a_price_needs_a_reason_and_records_history(
        self, make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        product = make_product()
        changed = product_input(catalog_base, skus=[sku("D-BLUE-M", "179.00", 颜色="雾霾蓝", 尺码="M")])
        with pytest.raises(ValidationFailed) as caught:
            services.product_update(actor=SYSTEM, product=product, data=changed)
        assert caught.value.details == {"price_reason": "required"}
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 19900

        services.product_update(actor=SYSTEM, product=product, data=changed, price_reason="库存积压降价")
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 17900
        change = selectors.price_history(product=product).get()
        assert (change.field, change.old_fen, change.new_fen, change.reason) == ("sale", 19900, 17900, "库存积压降价")
        # SKUs left out of the edit are deactivated, not deleted (orders will point at them).
        assert Sku.objects.filter(product=product, is_active=False).count() == 3

    def test_bulk_percent_change(self, make_product: Callable[..., Product]) -> None:
        product = make_product()
        ids = list(product.skus.values_list("pk", flat=True))
        changes = services.skus_bulk_change_price(
            actor=SYSTEM, sku_ids=ids, field="sale", mode="percent", value=Decimal("-10"), reason="双11预热"
        )
        assert sorted(c.new_fen for c in changes) == [17910, 17910, 19710, 19710]
        refreshed = Product.objects.get(pk=product.pk)
        assert (refreshed.min_price_fen, refreshed.max_price_fen) == (17910, 19710)
        assert PriceChange.objects.filter(reason="双11预热").count() == 4

    def test_bulk_change_is_all_or_nothing(self, make_product: Callable[..., Product]) -> None:
        product = make_product()
        ids = list(product.skus.values_list("pk", flat=True))
        with pytest.raises(ValidationFailed) as caught:
            services.skus_bulk_change_price(
                actor=SYSTEM, sku_ids=ids, field="sale", mode="amount", value=Decimal("-200"), reason="x"
            )
        assert set(caught.value.details["skus"]) == {"D-BLUE-M", "D-BLUE-L"}
        assert not PriceChange.objects.exists()
        with pytest.raises(ValidationFailed):
            services.skus_bulk_change_price(
                actor=SYSTEM, sku_ids=ids, field="sale", mode="set", value=Decimal("500"), reason="x"
            )
        with pytest.raises(ValidationFailed, match="reason"):
            services.skus_bulk_change_price(
                actor=SYSTEM, sku_ids=ids, field="sale", mode="set", value=Decimal("100"), reason=" "
            )

    def test_a_list_price_below_the_sale_price_is_refused(self, make_product: Callable[..., Product]) -> None:
        product = make_product(listed=True)  # sale ¥199/¥219, list ¥299
        ids = list(product.skus.values_list("pk", flat=True))
        with pytest.raises(ValidationFailed) as caught:
            services.skus_bulk_change_price(
                actor=SYSTEM, sku_ids=ids, field="list", mode="set", value=Decimal("209"), reason="调整划线价"
            )
        assert caught.value.details["skus"] == {
            "D-WHITE-M": "sale price ¥219.00 would be above the list price ¥209.00",
            "D-WHITE-L": "sale price ¥219.00 would be above the list price ¥209.00",
        }
        assert set(Sku.objects.values_list("list_price_fen", flat=True)) == {29900}
        assert not PriceChange.objects.exists()
        # A list price of zero shows none, so nothing can be above it.
        services.skus_bulk_change_price(
            actor=SYSTEM, sku_ids=ids, field="list", mode="set", value=Decimal("0"), reason="取消划线价"
        )
        services.product_delist(actor=SYSTEM, product=Product.objects.get(pk=product.pk))
        services.product_list(actor=SYSTEM, product=Product.objects.get(pk=product.pk))  # still listable

    def test_a_bulk_change_stamps_the_skus_it_changes(self, make_product: Callable[..., Product]) -> None:
        product = make_product()
        before = dict(product.skus.values_list("code", "updated_at"))
        blue = list(product.skus.filter(code__startswith="D-BLUE").values_list("pk", flat=True))
        services.skus_bulk_change_price(
            actor=SYSTEM, sku_ids=blue, field="cost", mode="amount", value=Decimal("5"), reason="面料涨价"
        )
        after = dict(product.skus.values_list("code", "updated_at"))
        assert after["D-BLUE-M"] > before["D-BLUE-M"]
        assert after["D-BLUE-L"] > before["D-BLUE-L"]
        assert after["D-WHITE-M"] == before["D-WHITE-M"]

    def test_a_bulk_change_locks_products_then_skus_like_an_edit(
        self, make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        """The same lock order as product_update, so the two cannot deadlock on PostgreSQL."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        product = make_product()
        ids = list(product.skus.values_list("pk", flat=True))

        def loads(run: Callable[[], object]) -> list[str]:
            """The tables whose rows are read to be locked, in order (SQLite locks the whole file)."""
            with CaptureQueriesContext(connection) as queries:
                run()
            found = []
            for query in queries.captured_queries:
                sql = query["sql"]
                for table in ("catalog_product", "catalog_sku"):
                    locking = "FOR UPDATE" in sql or not connection.features.has_select_for_update
                    if locking and sql.startswith(f'SELECT "{table}"."id", ') and f'FROM "{table}" WHERE' in sql:
                        found.append(table)
            return found

        bulk = loads(
            lambda: services.skus_bulk_change_price(
                actor=SYSTEM, sku_ids=ids, field="sale", mode="amount", value=Decimal("-1"), reason="试价"
            )
        )
        assert bulk[:2] == ["catalog_product", "catalog_sku"]
        fresh = Product.objects.get(pk=product.pk)
        edit = loads(
            lambda: services.product_update(
                actor=SYSTEM,
                product=fresh,
                data=product_input(catalog_base),
                price_reason="恢复原价",
            )
        )
        assert edit.index("catalog_product") < edit.index("catalog_sku")


class TestBannedWords:
    def test_adding_a_word_rescans_the_catalog(
        self, make_product: Callable[..., Product], django_capture_on_commit_callbacks: Any
    ) -> None:
        product = make_product(title="法式收腰连衣裙 爆款")
        assert product.compliance_hits == 0
        with django_capture_on_commit_callbacks(execute=True):
            services.banned_word_add(actor=SYSTEM, word="爆款", kind="extreme")
        assert Product.objects.get(pk=product.pk).compliance_hits == 1
        report = selectors.compliance_report()
        assert [(row.product_id, [h.word for h in row.hits]) for row in report] == [(product.pk, ["爆款"])]

    def test_duplicates_and_blanks_are_refused(self, catalog_base: dict[str, Any]) -> None:
        from shopkeeper.core.errors import Conflict

        with pytest.raises(Conflict):
            services.banned_word_add(actor=SYSTEM, word="最")
        with pytest.raises(ValidationFailed):
            services.banned_word_add(actor=SYSTEM, word="  ")


class TestStaffList:
    def test_filters(self, make_product: Callable[..., Product], catalog_base: dict[str, Any]) -> None:
        dress = make_product(listed=True)
        cup = make_product(
            title="保温杯 最好用",
            category_id=catalog_base["home"].pk,
            brand_id=catalog_base["other_brand"].pk,
            scene_ids=[catalog_base["camping"].pk],
            tier="traffic",
            skus=[sku("CUP-1", 颜色="白", 尺码="大")],
        )

        def ids(**filters: Any) -> list[int]:
            return [p.pk for p in selectors.product_list_staff(**filters)]

        assert ids(status="listed") == [dress.pk]
        assert ids(category_id=catalog_base["apparel"].pk) == [dress.pk]  # the whole subtree
        assert ids(scene_id=catalog_base["camping"].pk) == [cup.pk]
        assert ids(tier="traffic") == [cup.pk]
        assert ids(compliance=True) == [cup.pk]
        assert ids(brand_id=catalog_base["other_brand"].pk) == [cup.pk]
        assert ids(query="CUP-1") == [cup.pk]
        assert sorted(ids(max_sales=0)) == sorted([dress.pk, cup.pk])
