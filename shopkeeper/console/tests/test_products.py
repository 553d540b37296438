"""The product desk in the console: the product list with its filters and bulk actions, the
product editor with its SKU matrix, listing and its refusals, schedules and price history.
Each page renders for the store operator, answers 403 without the permission, and turns bad
input into errors on the page with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from shopkeeper.catalog import selectors
from shopkeeper.catalog.models import BannedWord, PriceChange, Product, Sku
from shopkeeper.catalog.tests import conftest as catalog_fixtures
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db
catalog_base = catalog_fixtures.catalog_base  # the catalog's fixtures, shared with its own tests
make_product = catalog_fixtures.make_product

MATRIX = [
    ("D2-BLUE-M", {"颜色": "雾霾蓝", "尺码": "M"}, "199.00"),
    ("D2-BLUE-L", {"颜色": "雾霾蓝", "尺码": "L"}, "199.00"),
    ("D2-WHITE-M", {"颜色": "燕麦白", "尺码": "M"}, "219.50"),
    ("D2-WHITE-L", {"颜色": "燕麦白", "尺码": "L"}, "219.50"),
]


@pytest.fixture
def as_role(make_staff: Callable[..., User], client: Client) -> Callable[[Role], Client]:
    def sign_in(role: Role) -> Client:
        client.force_login(make_staff(role, username=f"{role.value}_p"))
        client.cookies["django_language"] = "en"
        return client

    return sign_in


@pytest.fixture
def operator(as_role: Callable[[Role], Client]) -> Client:
    return as_role(Role.STORE_OPERATOR)


def editor_data(
    base: dict[str, Any], rows: list[tuple[str, dict[str, str], str]] = MATRIX, **fields: Any
) -> dict[str, Any]:
    """What the editor posts: product fields, two specs and the SKU matrix, one document."""
    data: dict[str, Any] = {
        "title": "垂感通勤连衣裙",
        "tier": "profit",
        "brand": str(base["brand"].pk),
        "category": str(base["dresses"].pk),
        "scenes": [str(base["office"].pk)],
        "selling_points": "垂感面料\n收腰显瘦",
        "description": "适合通勤的连衣裙。",
        "video_url": "",
        "main_images": "/static/shopkeeper/demo/dress.svg",
        "detail_images": "/static/shopkeeper/demo/dress.svg\n/static/shopkeeper/demo/banner.svg",
        "price_reason": "",
        "code_prefix": "",
        "spec_name_1": "颜色",
        "spec_values_1": "雾霾蓝, 燕麦白",
        "spec_name_2": "尺码",
        "spec_values_2": "M, L",
        "spec_name_3": "",
        "spec_values_3": "",
        "sku-TOTAL_FORMS": str(len(rows)),
        "sku-INITIAL_FORMS": "0",
        "sku-MIN_NUM_FORMS": "1",
        "sku-MAX_NUM_FORMS": "200",
        "doc-TOTAL_FORMS": "1",
        "doc-INITIAL_FORMS": "0",
        "doc-MIN_NUM_FORMS": "0",
        "doc-MAX_NUM_FORMS": "1000",
        "doc-0-name": "纺织品检测报告",
        "doc-0-number": "GB18401-2026-001",
        "doc-0-issued_by": "",
        "doc-0-expires_on": "2030-12-31",
        "doc-0-file_url": "",
        "action": "save",
    }
    for index, (code, specs, sale) in enumerate(rows):
        data.update(
            {
                f"sku-{index}-spec_values": json.dumps(specs, ensure_ascii=False),
                f"sku-{index}-code": code,
                f"sku-{index}-barcode": "",
                f"sku-{index}-sale_price": sale,
                f"sku-{index}-list_price": "299.00",
                f"sku-{index}-cost_price": "80.00",
                f"sku-{index}-weight_g": "350",
                f"sku-{index}-stock_quantity": "12",
                f"sku-{index}-is_active": "on",
            }
        )
    data.update(fields)
    return data


def edit_data_of(client: Client, product: Product, **fields: Any) -> dict[str, Any]:
    """The editor's form as the page shows it for an existing product, with some fields changed."""
    response = client.get(f"/console/products/{product.pk}/")
    editor = response.context["editor"]
    data: dict[str, Any] = {}
    forms = [editor.product, editor.specs, editor.skus.management_form, *editor.skus.forms]
    forms += [editor.documents.management_form, *editor.documents.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, list):
                data[form.add_prefix(name)] = [str(item) for item in value]
            elif value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not None and value is not False:
                data[form.add_prefix(name)] = str(value)  # spec values: already the JSON text
    data["action"] = "save"
    data.update(fields)
    return data


def _nav(response: Any) -> list[str]:
    return [link.label for section in response.context["console_nav"] for link in section.links]


class TestPagesAndPermissions:
    def test_each_page_renders_for_the_store_operator(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        listing = operator.get("/console/products/")
        assert listing.status_code == 200
        assert "法式收腰连衣裙" in listing.content.decode()
        assert _nav(listing)[:2] == ["Store operator", "Products"]  # desk first, then the catalog's first entry
        assert operator.get("/console/products/new/").status_code == 200
        edit = operator.get(f"/console/products/{product.pk}/")
        assert edit.status_code == 200
        page = edit.content.decode()
        assert 'data-testid="product-editor"' in page
        assert 'data-testid="list-button"' in page
        assert "No price changes yet." in page
        assert operator.get("/console/products/999999/").status_code == 404

    def test_a_role_without_the_catalog_gets_403(
        self, as_role: Callable[[Role], Client], make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        client = as_role(Role.PLATFORM_ADMIN)
        assert client.get("/console/products/").status_code == 403
        assert client.get(f"/console/products/{product.pk}/").status_code == 403
        assert client.post("/console/products/check-copy/", {"title": "最"}).status_code == 403

    def test_a_reader_sees_products_but_cannot_change_them(
        self, as_role: Callable[[Role], Client], make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        product = make_product()
        client = as_role(Role.CAMPAIGN_OPERATOR)  # holds view_catalog only
        listing = client.get("/console/products/")
        assert listing.status_code == 200
        assert 'data-testid="bulk-list"' not in listing.content.decode()
        edit = client.get(f"/console/products/{product.pk}/")
        assert edit.status_code == 200
        assert 'data-testid="save-product"' not in edit.content.decode()
        assert client.get("/console/products/new/").status_code == 403
        assert client.post("/console/products/new/", editor_data(catalog_base)).status_code == 403
        assert client.post(f"/console/products/{product.pk}/", {"title": "x"}).status_code == 403
        assert client.post(f"/console/products/{product.pk}/status/", {"action": "list"}).status_code == 403
        assert client.post("/console/products/bulk/status/", {"ids": [product.pk], "action": "list"}).status_code == 403
        bulk_price = {"ids": [product.pk], "field": "sale", "mode": "set", "value": "1", "reason": "x"}
        assert client.post("/console/products/bulk/price/", bulk_price).status_code == 403
        product.refresh_from_db()
        assert product.status == "draft"
        assert Product.objects.count() == 1
        assert not PriceChange.objects.exists()

    def test_changing_prices_in_the_editor_needs_the_price_permission(
        self, make_staff: Callable[..., User], client: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        editor = make_staff(Role.CAMPAIGN_OPERATOR, username="editor_only")
        editor.user_permissions.add(Permission.objects.get(codename="manage_products"))
        client.force_login(User.objects.get(pk=editor.pk))
        client.cookies["django_language"] = "en"
        data = edit_data_of(client, product, **{"sku-0-sale_price": "99.00", "price_reason": "试试"})
        response = client.post(f"/console/products/{product.pk}/", data)
        assert response.status_code == 422
        assert "You may not change prices" in response.content.decode()
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 19900
        kept = client.post(f"/console/products/{product.pk}/", edit_data_of(client, product, tier="traffic"))
        assert kept.status_code == 302

    def test_posting_needs_the_csrf_token(
        self, make_staff: Callable[..., User], make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        client = Client(enforce_csrf_checks=True)
        client.force_login(make_staff(Role.STORE_OPERATOR, username="csrf_op"))
        assert client.post(f"/console/products/{product.pk}/status/", {"action": "list"}).status_code == 403
        product.refresh_from_db()
        assert product.status == "draft"


class TestEditor:
    def test_creating_a_product_with_its_sku_matrix(self, operator: Client, catalog_base: dict[str, Any]) -> None:
        response = operator.post("/console/products/new/", editor_data(catalog_base))
        assert response.status_code == 302
        product = Product.objects.get(title="垂感通勤连衣裙")
        assert response["Location"] == f"/console/products/{product.pk}/"
        assert product.status == "draft"
        assert product.tier == "profit"
        assert product.spec_names == ["颜色", "尺码"]
        assert list(product.scenes.all()) == [catalog_base["office"]]
        skus = {sku.code: sku for sku in product.skus.all()}
        assert set(skus) == {code for code, _specs, _sale in MATRIX}
        assert skus["D2-WHITE-L"].sale_price_fen == 21950
        assert skus["D2-WHITE-L"].spec_values == {"颜色": "燕麦白", "尺码": "L"}
        assert skus["D2-BLUE-M"].stock_quantity == 12
        assert (product.min_price_fen, product.max_price_fen) == (19900, 21950)
        assert product.images.filter(kind="detail").count() == 2
        assert product.qualifications.get().number == "GB18401-2026-001"
        assert AuditEntry.objects.filter(action="product.create", object_id=str(product.pk)).exists()
        page = operator.get(response["Location"]).content.decode()
        assert "saved as a draft" in page

    def test_building_the_matrix_keeps_typed_rows_and_adds_the_new_ones(
        self, operator: Client, catalog_base: dict[str, Any]
    ) -> None:
        typed = [("KEEP-1", {"颜色": "雾霾蓝", "尺码": "M"}, "188.00")]
        data = editor_data(catalog_base, typed, action="matrix", code_prefix="NEW", default_sale_price="150")
        response = operator.post("/console/products/new/", data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="sku-matrix"')  # only the matrix, for HTMX to swap in
        editor = response.context["editor"]
        rows = [form.initial for form in editor.skus.forms]
        assert len(rows) == 4
        assert rows[0]["code"] == "KEEP-1"
        assert str(rows[0]["sale_price"]) == "188.00"
        assert [row["code"] for row in rows[1:]] == ["NEW-01", "NEW-02", "NEW-03"]
        assert {str(row["sale_price"]) for row in rows[1:]} == {"150"}
        assert rows[3]["spec_values"] == {"颜色": "燕麦白", "尺码": "L"}
        assert not Product.objects.exists()

    def test_without_htmx_the_matrix_button_redraws_the_whole_page(
        self, operator: Client, catalog_base: dict[str, Any]
    ) -> None:
        data = editor_data(catalog_base, MATRIX[:1], action="matrix")
        response = operator.post("/console/products/new/", data)
        assert response.status_code == 200
        assert 'data-testid="product-editor"' in response.content.decode()
        assert len(response.context["editor"].skus.forms) == 4
        assert not Product.objects.exists()

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"sku-0-sale_price": "-5"}, "greater than or equal to 0.01"),
            ({"sku-1-cost_price": "-1"}, "greater than or equal to 0"),
            ({"sku-2-list_price": "abc"}, "Enter a number"),
            ({"sku-3-sale_price": "1.005"}, "no more than 2 decimal places"),
            ({"category": "987654"}, "Select a valid choice"),
            ({"sku-1-code": "D2-BLUE-M"}, "This SKU code is used twice"),
            ({"title": ""}, "This field is required"),
            ({"sku-0-spec_values": json.dumps({"颜色": "黑"}, ensure_ascii=False)}, "do not match the specs"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_written(
        self, operator: Client, catalog_base: dict[str, Any], change: dict[str, str], message: str
    ) -> None:
        response = operator.post("/console/products/new/", editor_data(catalog_base) | change)
        assert response.status_code == 422
        assert message in response.content.decode()
        assert 'data-testid="not-saved"' in response.content.decode()
        assert not Product.objects.exists()
        assert not Sku.objects.exists()

    def test_a_parent_category_cannot_be_chosen(self, operator: Client, catalog_base: dict[str, Any]) -> None:
        response = operator.post("/console/products/new/", editor_data(catalog_base, category=catalog_base["women"].pk))
        assert response.status_code == 422
        assert "Select a valid choice" in response.content.decode()
        assert not Product.objects.exists()

    def test_a_sku_code_of_another_product_is_refused_by_the_service(
        self, operator: Client, catalog_base: dict[str, Any], make_product: Callable[..., Product]
    ) -> None:
        make_product()  # owns D-BLUE-M
        response = operator.post("/console/products/new/", editor_data(catalog_base) | {"sku-0-code": "D-BLUE-M"})
        assert response.status_code == 422
        assert "belongs to another product" in response.content.decode()
        assert Product.objects.count() == 1

    def test_changing_a_price_needs_a_reason_and_enters_the_history(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        data = edit_data_of(operator, product, **{"sku-0-sale_price": "179.00"})
        refused = operator.post(f"/console/products/{product.pk}/", data)
        assert refused.status_code == 422
        assert "give a reason" in refused.content.decode()
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 19900
        assert not PriceChange.objects.exists()

        data["price_reason"] = "换季清仓"
        saved = operator.post(f"/console/products/{product.pk}/", data)
        assert saved.status_code == 302
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 17900
        change = PriceChange.objects.get()
        assert (change.old_fen, change.new_fen, change.reason) == (19900, 17900, "换季清仓")
        page = operator.get(f"/console/products/{product.pk}/").content.decode()
        assert "换季清仓" in page
        assert "¥199.00" in page
        assert "¥179.00" in page

    def test_saving_an_unchanged_product_needs_no_reason(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        response = operator.post(f"/console/products/{product.pk}/", edit_data_of(operator, product, tier="traffic"))
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.tier == "traffic"
        assert product.skus.count() == 4
        assert product.qualifications.count() == 0

    def test_a_banned_word_on_a_listed_product_is_refused_and_nothing_changes(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        BannedWord.objects.get_or_create(word="最好", defaults={"kind": "extreme"})
        product = make_product(listed=True)
        data = edit_data_of(operator, product, title="全网最好的连衣裙", description="新款")
        response = operator.post(f"/console/products/{product.pk}/", data)
        assert response.status_code == 422
        html = response.content.decode()
        assert 'data-testid="refusal"' in html
        assert '<mark class="banned">最好</mark>' in html
        assert "characters 3–4" in html  # the hit's position, as on the field
        product.refresh_from_db()
        assert product.title == "法式收腰连衣裙"
        assert product.description == ""
        assert product.status == "listed"
        assert not AuditEntry.objects.filter(action="product.update").exists()

    def test_the_live_copy_check_names_each_banned_word_and_saves_nothing(
        self, operator: Client, catalog_base: dict[str, Any]
    ) -> None:
        response = operator.post(
            "/console/products/check-copy/",
            {"title": "第一款连衣裙", "selling_points": "好看\n国家级工艺", "description": ""},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert '<mark class="banned">第一</mark>' in html
        assert '<mark class="banned">国家级</mark>' in html
        assert "Selling point 2" in html
        clean = operator.post("/console/products/check-copy/", {"title": "通勤连衣裙"})
        assert 'data-testid="copy-clean"' in clean.content.decode()
        assert not Product.objects.exists()


class TestListingAndSchedule:
    def test_listing_a_draft_with_a_banned_word_shows_the_word_and_keeps_the_draft(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product(title="最美连衣裙")
        response = operator.post(f"/console/products/{product.pk}/status/", {"action": "list"})
        assert response.status_code == 422
        html = response.content.decode()
        assert '<mark class="banned">最</mark>' in html
        assert "banned advertising words" in html
        assert f'action="/console/products/{product.pk}/"' in html  # saving from here edits the product
        product.refresh_from_db()
        assert product.status == "draft"

    def test_listing_without_a_main_image_names_the_problem(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product(main_images=[])
        response = operator.post(f"/console/products/{product.pk}/status/", {"action": "list"})
        assert response.status_code == 422
        assert "At least one main image is required." in response.content.decode()

    def test_list_then_delist(self, operator: Client, make_product: Callable[..., Product]) -> None:
        product = make_product()
        listed = operator.post(f"/console/products/{product.pk}/status/", {"action": "list"}, follow=True)
        assert "is listed" in listed.content.decode()
        assert f"/product/{product.pk}/" in listed.content.decode()
        product.refresh_from_db()
        assert product.status == "listed"
        operator.post(f"/console/products/{product.pk}/status/", {"action": "delist"})
        product.refresh_from_db()
        assert product.status == "delisted"

    def test_scheduling_in_shanghai_time(self, operator: Client, make_product: Callable[..., Product]) -> None:
        product = make_product()
        when = timezone.localtime() + timedelta(days=2)
        typed = when.strftime("%Y-%m-%dT%H:%M")
        response = operator.post(f"/console/products/{product.pk}/schedule/", {"list_at": typed, "delist_at": ""})
        assert response.status_code == 302
        product.refresh_from_db()
        assert product.scheduled_list_at is not None
        assert timezone.localtime(product.scheduled_list_at).strftime("%Y-%m-%dT%H:%M") == typed
        page = operator.get(f"/console/products/{product.pk}/").content.decode()
        assert f'value="{typed}"' in page

        past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        refused = operator.post(f"/console/products/{product.pk}/schedule/", {"list_at": past})
        assert refused.status_code == 422
        assert "Must be in the future" in refused.content.decode()
        product.refresh_from_db()
        assert timezone.localtime(product.scheduled_list_at).strftime("%Y-%m-%dT%H:%M") == typed

        operator.post(f"/console/products/{product.pk}/schedule/", {"action": "clear"})
        product.refresh_from_db()
        assert product.scheduled_list_at is None

    def test_why_a_scheduled_listing_failed_is_on_the_change_log(
        self,
        operator: Client,
        make_product: Callable[..., Product],
        make_staff: Callable[..., User],
        client: Client,
    ) -> None:
        """The worker's refusal is in the product's change log for whoever may fix it."""
        from shopkeeper.catalog import services

        banned = make_product(title="最美连衣裙")
        no_picture = make_product(
            title="素色连衣裙", main_images=[], skus=[catalog_fixtures.sku("NP-1")], spec_names=[]
        )
        soon = timezone.now() + timedelta(minutes=5)
        for product in (banned, no_picture):
            services.product_schedule(actor=catalog_fixtures.SYSTEM, product=product, list_at=soon, delist_at=None)
        assert services.catalog_run_schedules(now=soon + timedelta(minutes=1))["failed"] == 2

        page = operator.get(f"/console/products/{banned.pk}/").content.decode()
        failure = page.split('data-testid="schedule-failure"')[1].split("</tr>")[0]
        assert "The scheduled listing did not happen:" in failure
        assert '<mark class="banned">最</mark> — Title, characters 1–1' in failure
        page = operator.get(f"/console/products/{no_picture.pk}/").content.decode()
        failure = page.split('data-testid="schedule-failure"')[1].split("</tr>")[0]
        assert "At least one main image is required." in failure

        client.force_login(make_staff(Role.WAREHOUSE, username="reader_w"))  # reads the catalog, edits nothing
        page = client.get(f"/console/products/{banned.pk}/", headers={"accept-language": "en"}).content.decode()
        assert "product.schedule_failed" in page
        assert 'data-testid="schedule-failure"' not in page


class TestBulkActions:
    def test_bulk_listing_is_all_or_nothing(self, operator: Client, make_product: Callable[..., Product]) -> None:
        good = make_product()
        bad = make_product(
            title="第一品质连衣裙", skus=[catalog_fixtures.sku("B-1", 颜色="黑", 尺码="M")], spec_names=["颜色", "尺码"]
        )
        response = operator.post(
            "/console/products/bulk/status/", {"ids": [good.pk, bad.pk], "action": "list", "query": "status=draft"}
        )
        assert response.status_code == 422
        html = response.content.decode()
        assert 'data-testid="refusal-products"' in html
        assert "第一品质连衣裙" in html
        assert '<mark class="banned">第一</mark>' in html
        assert "nothing was changed" in html
        assert set(Product.objects.values_list("status", flat=True)) == {"draft"}

        ok = operator.post("/console/products/bulk/status/", {"ids": [good.pk], "action": "list", "query": "tier="})
        assert ok.status_code == 302
        assert ok["Location"] == "/console/products/?tier="
        good.refresh_from_db()
        assert good.status == "listed"

    def test_one_refused_product_is_named_with_its_reasons(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product(main_images=[])
        listing = operator.post("/console/products/bulk/status/", {"ids": [product.pk], "action": "list"})
        assert listing.status_code == 422
        html = listing.content.decode()
        assert "法式收腰连衣裙" in html
        assert "At least one main image is required." in html
        delisting = operator.post("/console/products/bulk/status/", {"ids": [product.pk], "action": "delist"})
        assert delisting.status_code == 422
        assert "A draft product cannot be delisted" in delisting.content.decode()
        product.refresh_from_db()
        assert product.status == "draft"

    def test_bulk_status_without_a_choice_says_so(self, operator: Client, make_product: Callable[..., Product]) -> None:
        make_product()
        response = operator.post("/console/products/bulk/status/", {"action": "list"}, follow=True)
        assert "Choose at least one product." in response.content.decode()

    def test_bulk_price_change_with_a_reason(self, operator: Client, make_product: Callable[..., Product]) -> None:
        first = make_product()
        second = make_product(skus=[catalog_fixtures.sku("S-1", "100.00", "150.00", 颜色="黑", 尺码="M")])
        data = {"ids": [first.pk, second.pk], "field": "sale", "mode": "percent", "value": "-10", "reason": "清仓"}
        response = operator.post("/console/products/bulk/price/", data)
        assert response.status_code == 302
        assert Sku.objects.get(code="S-1").sale_price_fen == 9000
        assert Sku.objects.get(code="D-WHITE-M").sale_price_fen == 19710
        assert PriceChange.objects.count() == 5
        assert set(PriceChange.objects.values_list("reason", flat=True)) == {"清仓"}
        second.refresh_from_db()
        assert second.min_price_fen == 9000
        page = operator.get(f"/console/products/{second.pk}/").content.decode()
        assert 'data-testid="price-change"' in page
        assert "清仓" in page
        assert "¥100.00" in page
        assert "¥90.00" in page

    def test_bulk_price_by_amount_and_set_on_the_list_price(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        operator.post(
            "/console/products/bulk/price/",
            {"ids": [product.pk], "field": "sale", "mode": "amount", "value": "-9.5", "reason": "促销"},
        )
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 18950
        operator.post(
            "/console/products/bulk/price/",
            {"ids": [product.pk], "field": "list", "mode": "set", "value": "399", "reason": "新吊牌"},
        )
        assert set(product.skus.values_list("list_price_fen", flat=True)) == {39900}

    def test_bulk_price_change_without_a_reason_changes_nothing(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        data = {"ids": [product.pk], "field": "sale", "mode": "set", "value": "99", "reason": ""}
        response = operator.post("/console/products/bulk/price/", data)
        assert response.status_code == 422
        assert "Give a reason for the price history." in response.content.decode()
        assert response.context["chosen"] == {product.pk}
        assert Sku.objects.get(code="D-BLUE-M").sale_price_fen == 19900
        assert not PriceChange.objects.exists()

    def test_a_price_that_would_break_a_rule_refuses_every_change(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        product = make_product()
        data = {"ids": [product.pk], "field": "sale", "mode": "amount", "value": "-200", "reason": "试试"}
        response = operator.post("/console/products/bulk/price/", data)
        assert response.status_code == 422
        html = response.content.decode()
        assert "nothing was changed" in html
        assert "D-BLUE-M" in html
        assert not PriceChange.objects.exists()
        above = operator.post(
            "/console/products/bulk/price/",
            {"ids": [product.pk], "field": "sale", "mode": "set", "value": "abc", "reason": "x"},
        )
        assert above.status_code == 422
        assert "Enter a number" in above.content.decode()
        assert not PriceChange.objects.exists()


class TestProductList:
    def test_filters(
        self, operator: Client, make_product: Callable[..., Product], catalog_base: dict[str, Any]
    ) -> None:
        dress = make_product(listed=True)
        Product.objects.filter(pk=dress.pk).update(sales_count=50)
        make_product(
            title="第一款落地灯",
            category_id=catalog_base["home"].pk,
            brand_id=catalog_base["other_brand"].pk,
            scene_ids=[catalog_base["camping"].pk],
            tier="traffic",
            skus=[catalog_fixtures.sku("LAMP-1", 颜色="白", 尺码="大")],
        )

        def titles(**params: Any) -> list[str]:
            response = operator.get("/console/products/", params)
            assert response.status_code == 200
            return [row.product.title for row in response.context["rows"]]

        assert titles() == ["第一款落地灯", "法式收腰连衣裙"]
        assert titles(category=catalog_base["apparel"].pk) == ["法式收腰连衣裙"]  # the subtree
        assert titles(scene=catalog_base["camping"].pk) == ["第一款落地灯"]
        assert titles(brand=catalog_base["other_brand"].pk) == ["第一款落地灯"]
        assert titles(status="listed") == ["法式收腰连衣裙"]
        assert titles(tier="traffic") == ["第一款落地灯"]
        assert titles(compliance="hits") == ["第一款落地灯"]
        assert titles(compliance="clean") == ["法式收腰连衣裙"]
        assert titles(sold_under=50) == ["第一款落地灯"]
        assert titles(sold_under=51) == ["第一款落地灯", "法式收腰连衣裙"]
        assert titles(q="LAMP-1") == ["第一款落地灯"]
        assert titles(q="收腰") == ["法式收腰连衣裙"]
        assert titles(sort="-sales") == ["法式收腰连衣裙", "第一款落地灯"]
        assert titles(sort="sales") == ["第一款落地灯", "法式收腰连衣裙"]
        html = operator.get("/console/products/", {"compliance": "hits"}).content.decode()
        assert 'data-testid="hits-badge"' in html
        assert "¥199.00 – ¥219.00" in operator.get("/console/products/").content.decode()
        empty = operator.get("/console/products/", {"q": "没有这个"}).content.decode()
        assert "No products match these filters." in empty

    def test_bad_filter_values_show_all_and_say_so(
        self, operator: Client, make_product: Callable[..., Product]
    ) -> None:
        make_product()
        response = operator.get("/console/products/", {"sold_under": "abc", "category": "x"})
        assert response.status_code == 200
        assert 'data-testid="filter-errors"' in response.content.decode()
        assert len(response.context["rows"]) == 1

    def test_the_number_of_queries_does_not_grow_with_the_products(
        self,
        operator: Client,
        make_product: Callable[..., Product],
        catalog_base: dict[str, Any],
        django_assert_max_num_queries: Any,
    ) -> None:
        def add(count: int, start: int) -> None:
            for n in range(start, start + count):
                make_product(title=f"连衣裙{n}", skus=[catalog_fixtures.sku(f"Q-{n}", 颜色="蓝", 尺码="M")])

        add(2, 0)
        operator.get("/console/products/")  # warm the session and permission caches
        with django_assert_max_num_queries(11):
            small = operator.get("/console/products/")
        add(25, 2)
        with django_assert_max_num_queries(11):
            large = operator.get("/console/products/", {"q": "连衣裙"})
        assert len(small.context["rows"]) == 2
        assert len(large.context["rows"]) == 27


def test_product_sku_ids_reads_every_sku_of_the_products(make_product: Callable[..., Product]) -> None:
    first = make_product()
    second = make_product(skus=[catalog_fixtures.sku("S-1", 颜色="黑", 尺码="M")])
    make_product(skus=[catalog_fixtures.sku("S-2", 颜色="黑", 尺码="M")])
    ids = selectors.product_sku_ids(product_ids=[first.pk, second.pk])
    assert sorted(Sku.objects.filter(pk__in=ids).values_list("code", flat=True)) == sorted(
        ["D-BLUE-M", "D-BLUE-L", "D-WHITE-M", "D-WHITE-L", "S-1"]
    )
    assert selectors.product_sku_ids(product_ids=[]) == []
