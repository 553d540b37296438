"""Console catalog tools: import & export, the compliance report, banned words, home-page arrangement.
Each page renders for the role that holds its permission, answers 403 to one that does not, and
turns bad input into an error with nothing changed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shopkeeper.catalog.models import BannedWord, HomeModule, ImportJob, Product
from shopkeeper.catalog.tests import conftest as catalog_fixtures
from shopkeeper.core.enums import Role
from shopkeeper.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db
catalog_base = catalog_fixtures.catalog_base  # the catalog's fixtures, shared with its own tests
make_product = catalog_fixtures.make_product

HEADER = ["商品编码", "商品标题", "品牌", "类目", "规格", "SKU编码", "售价(元)", "划线价(元)"]


def sheet(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows(count: int) -> list[list[Any]]:
    return [
        [f"P{n}", f"棉麻衬衫{n}", "拾光", "服饰/女装/连衣裙", "颜色:白", f"C-{n:02d}", "129.00", "199.00"]
        for n in range(count)
    ]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_role(make_staff: Callable[..., User], client: Client) -> Callable[[Role], Client]:
    def sign_in(role: Role) -> Client:
        client.force_login(make_staff(role, username=f"{role.value}_x"))
        client.cookies["django_language"] = "en"
        return client

    return sign_in


def _nav(response: Any) -> list[str]:
    return [link.label for section in response.context["console_nav"] for link in section.links]


class TestImportPages:
    def test_the_store_operator_sees_the_page_and_its_menu_entries(self, as_role: Callable[[Role], Client]) -> None:
        response = as_role(Role.STORE_OPERATOR).get("/console/catalog/import/")
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="import-upload"' in page
        assert "No imports yet." in page
        labels = _nav(response)
        assert {"Import & export", "Compliance", "Banned words", "Home page"} <= set(labels)  # words: read-only

    def test_a_role_without_the_import_permission_gets_403(self, as_role: Callable[[Role], Client]) -> None:
        client = as_role(Role.BRAND)
        for url in ("/console/catalog/import/", "/console/catalog/export/", "/console/catalog/import/template.xlsx"):
            assert client.get(url).status_code == 403
        response = client.post("/console/catalog/import/", {"file": SimpleUploadedFile("a.xlsx", sheet(rows(1)))})
        assert response.status_code == 403
        assert not ImportJob.objects.exists()

    def test_signed_out_visitors_go_to_the_login(self, client: Client) -> None:
        response = client.get("/console/catalog/import/")
        assert response.status_code == 302
        assert "/console/login/" in response["Location"]

    def test_upload_with_a_bad_row_shows_the_report_and_imports_nothing(
        self, catalog_base: dict[str, Any], as_role: Callable[[Role], Client], django_capture_on_commit_callbacks: Any
    ) -> None:
        client = as_role(Role.STORE_OPERATOR)
        bad = rows(4)
        bad[2][6] = "九十九"  # sheet row 4, sale price
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/console/catalog/import/", {"file": SimpleUploadedFile("bad.xlsx", sheet(bad))})
        assert response.status_code == 302
        job = ImportJob.objects.get()
        assert response["Location"] == f"/console/catalog/import/{job.pk}/"

        page = client.get(response["Location"]).content.decode()
        assert 'data-testid="nothing-imported"' in page
        assert 'data-row="4"' in page
        assert "售价(元)" in page
        assert "“九十九” is not a number." in page
        assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
        assert not Product.objects.exists()

    def test_a_good_upload_finishes_and_shows_the_counts(
        self, catalog_base: dict[str, Any], as_role: Callable[[Role], Client], django_capture_on_commit_callbacks: Any
    ) -> None:
        client = as_role(Role.STORE_OPERATOR)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/console/catalog/import/", {"file": SimpleUploadedFile("ok.xlsx", sheet(rows(3)))})
        page = client.get(response["Location"]).content.decode()
        assert 'data-testid="import-done"' in page
        assert "3 rows imported: 3 product(s)." in page
        assert Product.objects.count() == 3

    def test_a_running_job_polls_with_htmx_and_answers_the_poll_with_the_status_block(
        self, as_role: Callable[[Role], Client], make_staff: Callable[..., User]
    ) -> None:
        client = as_role(Role.STORE_OPERATOR)
        job = ImportJob.objects.create(
            kind="import", status="validating", file_name="big.xlsx", file_path="x", total_rows=400, processed_rows=100
        )
        page = client.get(f"/console/catalog/import/{job.pk}/").content.decode()
        assert 'hx-trigger="every 1s"' in page
        assert 'value="100"' in page
        assert 'max="400"' in page
        assert "100 of 400 rows" in page

        poll = client.get(f"/console/catalog/import/{job.pk}/", headers={"HX-Request": "true"})
        body = poll.content.decode()
        assert body.lstrip().startswith('<div id="import-status"')
        assert "<html" not in body

    def test_the_page_shows_each_phase_of_a_running_import(self, as_role: Callable[[Role], Client]) -> None:
        """Reading, then rows checked, then products written: never "waiting" once a worker has it."""
        from shopkeeper.catalog.services.import_progress import WriteProgress

        client = as_role(Role.STORE_OPERATOR)
        job = ImportJob.objects.create(kind="import", status="validating", file_name="big.xlsx", file_path="x")
        page = client.get(f"/console/catalog/import/{job.pk}/").content.decode()
        assert 'data-phase="reading"' in page
        assert "Reading the file…" in page
        assert "Waiting for the worker" not in page

        ImportJob.objects.filter(pk=job.pk).update(total_rows=400, processed_rows=300)
        page = client.get(f"/console/catalog/import/{job.pk}/").content.decode()
        assert "Step 1 of 2: checking every row" in page
        assert "300 of 400 rows" in page

        ImportJob.objects.filter(pk=job.pk).update(status="importing", processed_rows=0)
        WriteProgress(job.pk, total=120).products(45, 150, force=True)  # as the worker writes it
        poll = client.get(f"/console/catalog/import/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
        assert 'data-phase="writing"' in poll
        assert "Step 2 of 2: saving the products" in poll
        assert 'max="120" value="45"' in poll
        assert "45 of 120 products saved" in poll
        assert 'hx-trigger="every 1s"' in poll

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("notes.txt", b"hello", "Upload an .xlsx or a .csv file"),
            ("empty.csv", b"", "The submitted file is empty."),
        ],
    )
    def test_a_wrong_or_empty_file_is_a_form_error(
        self, as_role: Callable[[Role], Client], name: str, content: bytes, message: str
    ) -> None:
        response = as_role(Role.STORE_OPERATOR).post(
            "/console/catalog/import/", {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 422
        assert message in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_an_unknown_job_is_404(self, as_role: Callable[[Role], Client]) -> None:
        assert as_role(Role.STORE_OPERATOR).get("/console/catalog/import/999/").status_code == 404

    def test_export_and_template_download(
        self, make_product: Callable[..., Product], as_role: Callable[[Role], Client]
    ) -> None:
        make_product()
        client = as_role(Role.STORE_OPERATOR)
        response = client.get("/console/catalog/export/", {"format": "csv", "status": "draft"})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="products-')
        text = response.content.decode("utf-8-sig")
        assert "D-BLUE-M" in text
        assert client.get("/console/catalog/export/", {"format": "pdf"}).status_code == 422
        template = client.get("/console/catalog/import/template.xlsx")
        assert template.status_code == 200
        assert template["Content-Type"].startswith("application/vnd.openxmlformats")
        assert client.get("/console/catalog/import/template.pdf").status_code == 404


class TestCompliancePage:
    def test_lists_every_hit_with_field_word_and_position(
        self, make_product: Callable[..., Product], as_role: Callable[[Role], Client]
    ) -> None:
        bad = make_product(title="最好的连衣裙", selling_points=["国家级面料"])
        make_product(title="普通连衣裙", spec_names=[], skus=[catalog_fixtures.sku("PLAIN-1")])
        response = as_role(Role.STORE_OPERATOR).get("/console/catalog/compliance/")
        assert response.status_code == 200
        lines = response.context["lines"]
        assert {(line["product_id"], line["field"], line["word"], line["position"]) for line in lines} == {
            (bad.pk, "Title", "最好", 1),
            (bad.pk, "Selling point 1", "国家级", 1),
        }
        assert "2 hit(s) in 1 product." in response.content.decode()

    def test_filters_by_status_and_downloads_csv(
        self, make_product: Callable[..., Product], as_role: Callable[[Role], Client]
    ) -> None:
        make_product(title="最好的连衣裙")
        client = as_role(Role.OPERATIONS_DIRECTOR)
        assert client.get("/console/catalog/compliance/", {"status": "listed"}).context["lines"] == []
        assert len(client.get("/console/catalog/compliance/", {"status": "draft"}).context["lines"]) == 1
        download = client.get("/console/catalog/compliance/", {"status": "draft", "download": "csv"})
        assert download["Content-Type"].startswith("text/csv")
        text = download.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("Product ID,Title,Status,Field,Word")
        assert "最好的连衣裙,Draft,Title,最" in text
        assert client.get("/console/catalog/compliance/", {"status": "nonsense"}).status_code == 422

    def test_rescan_runs_on_the_worker_and_recounts_hits(
        self,
        make_product: Callable[..., Product],
        as_role: Callable[[Role], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        product = make_product(title="好看的连衣裙")
        BannedWord.objects.create(word="好看", kind="other")  # added behind the service's back: counts are stale
        assert Product.objects.get(pk=product.pk).compliance_hits == 0
        client = as_role(Role.STORE_OPERATOR)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/console/catalog/compliance/")
        assert response.status_code == 302
        assert Product.objects.get(pk=product.pk).compliance_hits == 1
        assert AuditEntry.objects.filter(action="compliance.rescan").count() == 1

    def test_a_role_without_the_report_permission_gets_403(self, as_role: Callable[[Role], Client]) -> None:
        client = as_role(Role.WAREHOUSE)
        assert client.get("/console/catalog/compliance/").status_code == 403
        assert client.post("/console/catalog/compliance/").status_code == 403
        assert not AuditEntry.objects.filter(action="compliance.rescan").exists()


class TestBannedWordPages:
    def test_the_platform_admin_lists_and_adds_a_word(self, as_role: Callable[[Role], Client]) -> None:
        client = as_role(Role.PLATFORM_ADMIN)
        page = client.get("/console/catalog/banned-words/")
        assert page.status_code == 200
        assert 'data-word="最"' in page.content.decode()  # the seeded default list
        response = client.post("/console/catalog/banned-words/", {"word": "神器", "kind": "other", "note": "夸大"})
        assert response.status_code == 302
        banned = BannedWord.objects.get(word="神器")
        assert (banned.kind, banned.note, banned.is_active) == ("other", "夸大", True)
        assert AuditEntry.objects.filter(action="banned_word.add", object_label="神器").exists()

    @pytest.mark.parametrize(("word", "message"), [("最", "“最” is already on the list"), ("   ", "required")])
    def test_a_duplicate_or_empty_word_is_a_form_error(
        self, as_role: Callable[[Role], Client], word: str, message: str
    ) -> None:
        client = as_role(Role.PLATFORM_ADMIN)
        before = BannedWord.objects.count()
        response = client.post("/console/catalog/banned-words/", {"word": word, "kind": "extreme"})
        assert response.status_code == 422
        assert message in response.content.decode()
        assert BannedWord.objects.count() == before

    def test_edit_deactivate_and_delete_are_each_audited(self, as_role: Callable[[Role], Client]) -> None:
        client = as_role(Role.PLATFORM_ADMIN)
        banned = BannedWord.objects.create(word="爆款王", kind="extreme")
        url = f"/console/catalog/banned-words/{banned.pk}/"
        assert client.get(url).status_code == 200

        response = client.post(url, {"action": "save", "kind": "absolute", "note": "改类", "is_active": "on"})
        assert response.status_code == 302
        banned.refresh_from_db()
        assert (banned.kind, banned.note, banned.is_active) == ("absolute", "改类", True)

        client.post(url, {"action": "deactivate"})
        banned.refresh_from_db()
        assert banned.is_active is False
        page = client.get("/console/catalog/banned-words/", {"active": "0"}).content.decode()
        assert 'data-word="爆款王"' in page

        client.post(url, {"action": "delete"})
        assert not BannedWord.objects.filter(pk=banned.pk).exists()
        actions = list(
            AuditEntry.objects.filter(object_type="catalog.bannedword", object_id=str(banned.pk))
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == ["banned_word.update", "banned_word.update", "banned_word.delete"]

    def test_a_bad_kind_changes_nothing(self, as_role: Callable[[Role], Client]) -> None:
        client = as_role(Role.PLATFORM_ADMIN)
        banned = BannedWord.objects.create(word="爆款王", kind="extreme")
        response = client.post(f"/console/catalog/banned-words/{banned.pk}/", {"action": "save", "kind": "weird"})
        assert response.status_code == 422
        banned.refresh_from_db()
        assert banned.kind == "extreme"

    def test_the_store_operator_reads_the_list_but_may_not_manage_it(self, as_role: Callable[[Role], Client]) -> None:
        client = as_role(Role.STORE_OPERATOR)
        banned = BannedWord.objects.create(word="爆款王", kind="extreme", note="平台自定")
        response = client.get("/console/catalog/banned-words/")
        assert response.status_code == 200  # as over the API: whoever reads the compliance report
        page = response.content.decode()
        assert 'data-word="爆款王"' in page
        assert "平台自定" in page
        assert 'data-testid="banned-words-read-only"' in page
        assert 'data-testid="banned-word-add"' not in page
        assert f"/console/catalog/banned-words/{banned.pk}/" not in page  # no edit links or buttons
        assert "Banned words" in _nav(response)
        assert client.get(f"/console/catalog/banned-words/{banned.pk}/").status_code == 403
        assert client.post("/console/catalog/banned-words/", {"word": "新词", "kind": "other"}).status_code == 403
        assert client.post(f"/console/catalog/banned-words/{banned.pk}/", {"action": "delete"}).status_code == 403
        assert BannedWord.objects.filter(pk=banned.pk).exists()
        assert not BannedWord.objects.filter(word="新词").exists()


class TestHomePages:
    def test_add_modules_of_each_kind_and_list_them_in_order(
        self, catalog_base: dict[str, Any], as_role: Callable[[Role], Client]
    ) -> None:
        client = as_role(Role.STORE_OPERATOR)
        assert client.get("/console/catalog/home/").status_code == 200
        assert client.get("/console/catalog/home/new/hero_banner/").status_code == 200
        posts = [
            ("hero_banner", {"title": "双十一", "image_url": "/static/banner.jpg", "link": "/search/?q=裙",
                             "is_active": "on"}),
            ("category_nav", {"category_ids": [catalog_base["apparel"].pk, catalog_base["home"].pk],
                              "is_active": "on"}),
            ("scene_entries", {"scene_ids": [catalog_base["office"].pk], "is_active": "on"}),
            ("best_sellers", {"title": "热卖", "count": "6", "is_active": "on"}),
            ("new_arrivals", {"count": "4"}),
        ]  # fmt: skip
        for kind, data in posts:
            response = client.post(f"/console/catalog/home/new/{kind}/", data)
            assert response.status_code == 302, response.content.decode()
        modules = list(HomeModule.objects.order_by("position"))
        assert [m.kind for m in modules] == [kind for kind, _data in posts]
        assert modules[0].config == {"image_url": "/static/banner.jpg", "link": "/search/?q=裙", "subtitle": ""}
        assert modules[1].config == {"category_ids": [catalog_base["apparel"].pk, catalog_base["home"].pk]}
        assert modules[3].config == {"count": 6}
        assert modules[4].is_active is False

        page = client.get("/console/catalog/home/").content.decode()
        assert page.count('data-testid="home-module"') == 5
        assert 'href="/"' in page  # the storefront preview
        assert "服饰、家居" in page

    def test_move_hide_show_edit_and_delete(
        self, catalog_base: dict[str, Any], as_role: Callable[[Role], Client]
    ) -> None:
        client = as_role(Role.STORE_OPERATOR)
        for kind in ("best_sellers", "new_arrivals"):
            client.post(f"/console/catalog/home/new/{kind}/", {"count": "8", "is_active": "on"})
        best, new = HomeModule.objects.order_by("position")

        client.post("/console/catalog/home/", {"module": new.pk, "action": "up"})
        assert list(HomeModule.objects.order_by("position").values_list("pk", flat=True)) == [new.pk, best.pk]
        client.post("/console/catalog/home/", {"module": new.pk, "action": "down"})
        assert list(HomeModule.objects.order_by("position").values_list("pk", flat=True)) == [best.pk, new.pk]

        client.post("/console/catalog/home/", {"module": best.pk, "action": "hide"})
        best.refresh_from_db()
        assert best.is_active is False
        client.post("/console/catalog/home/", {"module": best.pk, "action": "show"})
        best.refresh_from_db()
        assert best.is_active is True

        assert client.get(f"/console/catalog/home/{best.pk}/").status_code == 200
        client.post(f"/console/catalog/home/{best.pk}/", {"title": "本周热卖", "count": "12", "is_active": "on"})
        best.refresh_from_db()
        assert (best.title, best.config) == ("本周热卖", {"count": 12})

        client.post("/console/catalog/home/", {"module": new.pk, "action": "delete"})
        assert list(HomeModule.objects.values_list("pk", flat=True)) == [best.pk]
        actions = set(AuditEntry.objects.filter(action__startswith="home_module.").values_list("action", flat=True))
        assert actions == {"home_module.save", "home_module.reorder", "home_module.delete"}

    @pytest.mark.parametrize(
        ("kind", "data", "error"),
        [
            ("hero_banner", {"title": "无图"}, "This field is required."),
            ("best_sellers", {"count": "99"}, "Ensure this value is less than or equal to 40."),
            ("category_nav", {"category_ids": ["99999"]}, "Select a valid choice."),
        ],
    )
    def test_bad_settings_are_form_errors_and_save_nothing(
        self,
        catalog_base: dict[str, Any],
        as_role: Callable[[Role], Client],
        kind: str,
        data: dict[str, Any],
        error: str,
    ) -> None:
        response = as_role(Role.STORE_OPERATOR).post(f"/console/catalog/home/new/{kind}/", data)
        assert response.status_code == 422
        assert error in response.content.decode()
        assert not HomeModule.objects.exists()

    def test_an_unknown_kind_is_404(self, as_role: Callable[[Role], Client]) -> None:
        assert as_role(Role.STORE_OPERATOR).get("/console/catalog/home/new/carousel/").status_code == 404

    def test_a_role_without_arrange_home_gets_403(self, as_role: Callable[[Role], Client]) -> None:
        module = HomeModule.objects.create(kind="best_sellers", config={"count": 8})
        client = as_role(Role.BRAND)
        assert client.get("/console/catalog/home/").status_code == 403
        assert client.post("/console/catalog/home/", {"module": module.pk, "action": "delete"}).status_code == 403
        assert client.post("/console/catalog/home/new/best_sellers/", {"count": "4"}).status_code == 403
        assert HomeModule.objects.count() == 1
