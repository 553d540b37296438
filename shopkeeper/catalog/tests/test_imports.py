"""Product import and export through the API and the services: good sheets create products,
any bad row imports nothing and names the row and column, bad files are refused clearly, an
exported sheet re-imports as an update, and only the store operator may do any of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import ApiClient
from shopkeeper.catalog import services
from shopkeeper.catalog.enums import ImportJobStatus
from shopkeeper.catalog.models import ImportJob, PriceChange, Product, Sku
from shopkeeper.catalog.tests.conftest import sku
from shopkeeper.core.enums import AuditChannel, Role
from shopkeeper.core.models import AuditEntry, User
from shopkeeper.core.services import ActorContext

pytestmark = pytest.mark.django_db

HEADER = ["商品编码", "商品标题", "品牌", "类目", "规格", "SKU编码", "售价(元)", "划线价(元)", "成本价(元)", "库存"]


def good_rows(count: int = 10, prefix: str = "IMP") -> list[list[Any]]:
    """`count` SKU rows: products of two SKUs each (a colour), in the fixture's catalog."""
    rows = []
    for n in range(count):
        product = n // 2
        colour = "雾霾蓝" if n % 2 == 0 else "燕麦白"
        rows.append(
            [f"P{product}", f"亚麻衬衫 {product}号", "拾光", "服饰/女装/连衣裙", f"颜色:{colour}",
             f"{prefix}-{n:03d}", "199.00", "299.00", "80.00", 10]
        )  # fmt: skip
    return rows


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def operator(make_staff: Callable[..., User]) -> User:
    return make_staff(Role.STORE_OPERATOR, username="op_li")


@pytest.fixture
def api(operator: User, api_as: Callable[[User], ApiClient]) -> ApiClient:
    return api_as(operator)


def upload(api: ApiClient, name: str, content: bytes, capture: Callable[..., Any]) -> Any:
    """POST the file as a browser or curl would; the job is queued on commit and runs (eagerly)."""
    with capture(execute=True):
        return api.client.post(
            "/api/v1/catalog/imports", {"file": SimpleUploadedFile(name, content)}, headers=api.headers
        )


def run_direct(content: bytes, name: str, user: User | None = None) -> ImportJob:
    actor = ActorContext(user=user, channel=AuditChannel.CLI)
    job = services.import_job_create(actor=actor, file_name=name, content=content, queue=False)
    return services.import_job_run(job.pk)


class TestGoodFiles:
    def test_an_xlsx_upload_runs_through_the_worker_and_creates_products_and_skus(
        self, catalog_base: dict[str, Any], api: ApiClient, django_capture_on_commit_callbacks: Any
    ) -> None:
        response = upload(api, "新品.xlsx", xlsx_bytes(good_rows(10)), django_capture_on_commit_callbacks)
        assert response.status_code == 202, response.content
        job_id = response.json()["id"]

        polled = api.get(f"catalog/imports/{job_id}").json()
        assert polled["status"] == "done"
        assert polled["finished"] is True
        assert polled["processed_rows"] == polled["total_rows"] == 10
        assert polled["summary"]["created"] == 5
        assert polled["errors"] == []
        assert Product.objects.count() == 5
        assert Sku.objects.filter(code__startswith="IMP-").count() == 10
        product = Product.objects.get(skus__code="IMP-000")
        assert product.title == "亚麻衬衫 0号"
        assert product.category == catalog_base["dresses"]
        assert sorted(product.skus.values_list("code", flat=True)) == ["IMP-000", "IMP-001"]
        assert AuditEntry.objects.filter(action="product.import", actor__username="op_li").count() == 1

    def test_a_csv_creates_the_same_run_directly(self, catalog_base: dict[str, Any], operator: User) -> None:
        job = run_direct(csv_bytes(good_rows(6, prefix="CSV")), "新品.csv", operator)
        assert job.status == ImportJobStatus.DONE, job.report
        assert Product.objects.count() == 3
        assert Sku.objects.get(code="CSV-005").sale_price_fen == 19900

    def test_recent_jobs_list_newest_first(self, catalog_base: dict[str, Any], api: ApiClient, operator: User) -> None:
        run_direct(csv_bytes(good_rows(2, prefix="A")), "first.csv", operator)
        run_direct(csv_bytes(good_rows(2, prefix="B")), "second.csv", operator)
        jobs = api.get("catalog/imports").json()
        assert [job["file_name"] for job in jobs] == ["second.csv", "first.csv"]
        assert jobs[0]["created_by"] == "op_li"


class TestBadRows:
    def test_two_bad_rows_among_ten_import_nothing_and_are_both_reported(
        self, catalog_base: dict[str, Any], api: ApiClient, django_capture_on_commit_callbacks: Any
    ) -> None:
        rows = good_rows(10)
        rows[3][6] = "abc"  # sheet row 5: the sale price
        rows[7][2] = "无此品牌"  # sheet row 9: the brand
        response = upload(api, "bad.xlsx", xlsx_bytes(rows), django_capture_on_commit_callbacks)
        job = api.get(f"catalog/imports/{response.json()['id']}").json()

        assert job["status"] == "rejected"
        assert Product.objects.count() == 0
        assert Sku.objects.count() == 0
        found = {(error["row"], error["column"]) for error in job["errors"]}
        assert (5, "售价(元)") in found
        assert (9, "品牌") in found
        assert {error["row"] for error in job["errors"]} == {5, 9}
        by_row = {error["row"]: error for error in job["errors"]}
        assert "abc" in by_row[5]["message"]
        assert by_row[5]["field"] == "sale_price"
        assert "无此品牌" in by_row[9]["message"]

    def test_a_rejected_file_leaves_existing_products_untouched(
        self, catalog_base: dict[str, Any], operator: User
    ) -> None:
        run_direct(csv_bytes(good_rows(4)), "first.csv", operator)
        rows = good_rows(4)
        rows[0][6] = "149.00"  # a good change…
        rows[1][6] = "-5"  # …and a bad row: neither is written
        job = run_direct(csv_bytes(rows), "second.csv", operator)
        assert job.status == ImportJobStatus.REJECTED
        assert Sku.objects.get(code="IMP-000").sale_price_fen == 19900
        assert not PriceChange.objects.exists()


class TestBadFiles:
    def test_a_wrong_file_type_is_refused_at_upload(self, api: ApiClient) -> None:
        response = api.client.post(
            "/api/v1/catalog/imports",
            {"file": SimpleUploadedFile("products.txt", b"hello")},
            headers=api.headers,
        )
        assert response.status_code == 422
        assert "xlsx" in response.json()["message"]
        assert not ImportJob.objects.exists()

    def test_an_empty_file_is_refused_at_upload(self, api: ApiClient) -> None:
        response = api.client.post(
            "/api/v1/catalog/imports",
            {"file": SimpleUploadedFile("products.csv", b"")},
            headers={**api.headers, "Accept-Language": "en"},  # messages follow the request (zh-hans by default)
        )
        assert response.status_code == 422
        assert response.json()["message"] == "The file is empty"

    def test_a_file_over_the_limit_is_413(self, api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("shopkeeper.catalog.api_imports.UPLOAD_LIMIT_BYTES", 100)
        response = api.client.post(
            "/api/v1/catalog/imports", {"file": SimpleUploadedFile("big.csv", b"x" * 101)}, headers=api.headers
        )
        assert response.status_code == 413
        body = response.json()
        assert body["code"] == "validation_error"
        assert "larger than" in body["message"]
        assert not ImportJob.objects.exists()

    def test_a_missing_column_is_reported(self, catalog_base: dict[str, Any], operator: User) -> None:
        header = [h for h in HEADER if h != "SKU编码"]
        rows = [[cell for index, cell in enumerate(row) if HEADER[index] != "SKU编码"] for row in good_rows(2)]
        job = run_direct(xlsx_bytes(rows, header), "no-code.xlsx", operator)
        assert job.status == ImportJobStatus.REJECTED
        messages = [line.message for line in services.import_job_errors(job)]
        assert messages == ["The column “SKU编码” is missing."]

    def test_a_file_that_is_not_really_xlsx_is_unreadable(self, catalog_base: dict[str, Any], operator: User) -> None:
        job = run_direct(b"PK\x03\x04 this is not a workbook", "fake.xlsx", operator)
        assert job.status == ImportJobStatus.REJECTED
        assert [line.message for line in services.import_job_errors(job)] == ["The file cannot be read as .xlsx."]

    def test_headers_only_is_reported_as_no_rows(self, catalog_base: dict[str, Any], operator: User) -> None:
        job = run_direct(csv_bytes([]), "header-only.csv", operator)
        assert job.status == ImportJobStatus.REJECTED
        assert [line.message for line in services.import_job_errors(job)] == [
            "The file has column headers but no rows."
        ]


class TestRoundTrip:
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_reimporting_an_export_updates_instead_of_duplicating(
        self, fmt: str, make_product: Callable[..., Product], api: ApiClient, operator: User
    ) -> None:
        make_product()
        make_product(title="另一条裙子", spec_names=[], skus=[sku("OTHER-1", "99.00", "129.00")])
        exported = api.get("catalog/export", format=fmt)
        assert exported.status_code == 200
        assert exported["Content-Disposition"].endswith(f'.{fmt}"')

        unchanged = run_direct(exported.content, f"export.{fmt}", operator)
        assert unchanged.status == ImportJobStatus.DONE, unchanged.report
        assert unchanged.report["summary"]["unchanged"] == 2
        assert Product.objects.count() == 2
        assert Sku.objects.count() == 5

        edited = _edit_sale_price(exported.content, fmt, "D-BLUE-M", "159.00")
        job = run_direct(edited, f"edited.{fmt}", operator)
        assert job.status == ImportJobStatus.DONE, job.report
        assert job.report["summary"]["updated"] == 1
        assert Product.objects.count() == 2
        assert Sku.objects.count() == 5
        change = PriceChange.objects.get(sku__code="D-BLUE-M")
        assert (change.field, change.old_fen, change.new_fen) == ("sale", 19900, 15900)
        assert change.reason == f"导入 edited.{fmt}"
        assert change.actor == operator

    def test_export_follows_the_product_list_filters(
        self, make_product: Callable[..., Product], api: ApiClient
    ) -> None:
        make_product(listed=True)
        make_product(title="草稿裙子", spec_names=[], skus=[sku("DRAFT-1", "99.00", "129.00")])
        listed = _sheet_codes(api.get("catalog/export", format="csv", status="listed").content)
        assert listed == {"D-BLUE-M", "D-BLUE-L", "D-WHITE-M", "D-WHITE-L"}
        assert _sheet_codes(api.get("catalog/export", format="csv", q="草稿").content) == {"DRAFT-1"}
        assert AuditEntry.objects.filter(action="product.export").count() == 2

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_the_template_has_the_headers_and_no_rows(self, fmt: str, api: ApiClient) -> None:
        response = api.get("catalog/import-template", format=fmt)
        assert response.status_code == 200
        rows = list(_rows(response.content, fmt))
        assert len(rows) == 1
        assert rows[0][:2] == ["商品编码", "商品标题"]

    def test_an_unknown_format_is_refused(self, api: ApiClient) -> None:
        assert api.get("catalog/export", format="pdf").status_code == 422
        assert api.get("catalog/import-template", format="pdf").status_code == 422


class TestPermissions:
    def test_only_the_import_permission_may_import_or_export(
        self, make_staff: Callable[..., User], api_as: Callable[[User], ApiClient], anonymous_api: ApiClient
    ) -> None:
        brand_manager = api_as(make_staff(Role.BRAND))  # reads the catalog, imports nothing
        for path in ("catalog/imports", "catalog/export", "catalog/import-template"):
            assert brand_manager.get(path).status_code == 403
            assert anonymous_api.get(path).status_code == 401
        response = brand_manager.client.post(
            "/api/v1/catalog/imports",
            {"file": SimpleUploadedFile("x.csv", csv_bytes(good_rows(2)))},
            headers=brand_manager.headers,
        )
        assert response.status_code == 403
        assert not ImportJob.objects.exists()

    def test_an_unknown_job_is_404(self, api: ApiClient) -> None:
        assert api.get("catalog/imports/999").status_code == 404


# --- helpers --------------------------------------------------------------------------------


def _rows(content: bytes, fmt: str) -> Iterator[list[Any]]:
    if fmt == "csv":
        yield from csv.reader(io.StringIO(content.decode("utf-8-sig")))
        return
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield list(values)


def _sheet_codes(content: bytes) -> set[str]:
    rows = list(_rows(content, "csv"))
    index = rows[0].index("SKU编码")
    return {row[index] for row in rows[1:]}


def _edit_sale_price(content: bytes, fmt: str, code: str, price: str) -> bytes:
    rows = list(_rows(content, fmt))
    code_at, price_at = rows[0].index("SKU编码"), rows[0].index("售价(元)")
    for row in rows[1:]:
        if row[code_at] == code:
            row[price_at] = price
    return xlsx_bytes(rows[1:], rows[0]) if fmt == "xlsx" else csv_bytes(rows[1:], rows[0])


class TestSpeedAndProgress:
    LISTED = [*HEADER, "主图链接", "状态"]

    def listed_rows(self, count: int) -> list[list[Any]]:
        return [[*cells, "/static/shopkeeper/demo/dress.svg", "上架"] for cells in good_rows(count, prefix="LST")]

    def test_the_search_index_is_written_once_for_every_product_of_the_import(
        self, catalog_base: dict[str, Any], operator: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from shopkeeper.catalog import search

        calls: list[list[int]] = []
        index = search.search_index_products

        def counted(ids: Any) -> None:
            calls.append(sorted(ids))
            index(ids)

        monkeypatch.setattr(search, "search_index_products", counted)
        job = run_direct(xlsx_bytes(self.listed_rows(6), self.LISTED), "上新.xlsx", operator)
        assert job.status == ImportJobStatus.DONE, job.report
        assert job.report["summary"]["listed"] == 3
        ids = sorted(Product.objects.values_list("pk", flat=True))
        assert calls == [ids]  # not once per product, nor twice for one created and listed
        assert sorted(search.product_search("亚麻衬衫").ids) == ids

        calls.clear()
        repriced = [[*row[:6], "189.00", *row[7:]] for row in self.listed_rows(6)]
        assert run_direct(xlsx_bytes(repriced, self.LISTED), "调价.xlsx", operator).status == ImportJobStatus.DONE
        assert calls == [ids]

    def test_the_page_and_the_api_see_the_products_being_written(
        self,
        catalog_base: dict[str, Any],
        operator: User,
        api: ApiClient,
        monkeypatch: pytest.MonkeyPatch,
        settings: Any,
    ) -> None:
        """Progress during the write, while its transaction is open: what another process polls."""
        from shopkeeper.catalog.services import import_progress, imports

        monkeypatch.setattr(import_progress, "PROGRESS_SECONDS", 0)
        seen: list[tuple[str, int, int, int]] = []
        polled: list[dict[str, Any]] = []
        create = services.product_create  # what the import calls, as imported there

        def watched(**kwargs: Any) -> Product:
            job = ImportJob.objects.get()
            progress = services.import_job_progress(job)
            seen.append((progress.phase, progress.done, progress.total, progress.rows))
            polled.append(api.get(f"catalog/imports/{job.pk}").json())
            return create(**kwargs)

        monkeypatch.setattr(imports, "product_create", watched)
        job = run_direct(xlsx_bytes(good_rows(6)), "新品.xlsx", operator)
        assert job.status == ImportJobStatus.DONE, job.report
        assert seen == [("writing", 0, 3, 0), ("writing", 1, 3, 2), ("writing", 2, 3, 4)]
        assert [(p["phase"], p["products_written"], p["products_total"]) for p in polled] == [
            ("writing", 0, 3),
            ("writing", 1, 3),
            ("writing", 2, 3),
        ]
        done = services.import_job_progress(ImportJob.objects.get())
        assert (done.phase, done.done, done.total) == ("finished", 6, 6)
        assert not list((Path(settings.MEDIA_ROOT) / "imports" / "progress").iterdir())  # the record went

    def test_each_phase_reads_as_it_is(self, catalog_base: dict[str, Any], operator: User) -> None:
        job = ImportJob.objects.create(kind="import", file_name="a.xlsx", file_path="x", created_by=operator)
        assert services.import_job_progress(job).phase == "waiting"
        job.status = ImportJobStatus.VALIDATING
        assert services.import_job_progress(job).phase == "reading"  # not "waiting": a worker has it
        job.total_rows, job.processed_rows = 400, 100
        checking = services.import_job_progress(job)
        assert (checking.phase, checking.done, checking.total, checking.percent) == ("checking", 100, 400, 25)
        job.status = ImportJobStatus.IMPORTING
        assert services.import_job_progress(job).phase == "writing"  # no record yet: no count
        assert services.import_job_progress(job).total == 0
