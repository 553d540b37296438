"""The store operator imports products in a real browser: a sheet with one bad row is refused with
a report naming the row and the column; the fixed sheet then shows its progress (HTMX polling)
until it is done, and the products are there. Leaves import_rejected.png and import_done.png
in var/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse

from shopkeeper.catalog import services
from shopkeeper.catalog.models import ImportJob, Product
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User
from shopkeeper.core.services import ActorContext, role_groups_sync

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Test-2026!"
SYSTEM = ActorContext.system()
HEADER = ["商品编码", "商品标题", "品牌", "类目", "规格", "SKU编码", "售价(元)", "划线价(元)", "库存"]


def _sheet(sale_prices: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for n, price in enumerate(sale_prices):
        sheet.append(
            [f"K{n // 2}", f"导入测试衬衫{n // 2}号", "拾光", "服饰/衬衫", f"颜色:{'白' if n % 2 else '蓝'}",
             f"BRW-{n:02d}", price, "199.00", 20]
        )  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Jobs the upload queued, held back so the test plays the worker while the page polls."""
    held: list[int] = []
    monkeypatch.setattr("shopkeeper.catalog.services.imports._queue", held.append)
    return held


def _operator() -> User:
    if Group.objects.filter(name__in=Role.values).count() != len(Role):
        role_groups_sync()
    user = User.objects.create_user(username="op_browser", password=PASSWORD, display_name="运营小李")
    user.groups.set([Group.objects.get(name=Role.STORE_OPERATOR.value)])
    return user


def _upload(page: Any, base: str, name: str, content: bytes) -> None:
    page.goto(f"{base}/console/catalog/import/")
    page.get_by_test_id("import-file").set_input_files(
        {
            "name": name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content,
        }
    )
    page.get_by_test_id("import-submit").click()
    page.wait_for_url("**/console/catalog/import/*/")


def test_operator_fixes_a_bad_row_and_imports(
    page: Any, live_server: Any, screenshot_dir: Path, queued: list[int]
) -> None:
    apparel = services.category_create(actor=SYSTEM, name="服饰", name_en="Apparel")
    services.category_create(actor=SYSTEM, name="衬衫", name_en="Shirts", parent=apparel)
    services.brand_create(actor=SYSTEM, name="拾光", name_en="Shiguang")
    _operator()
    base = live_server.url
    page.goto(f"{base}/console/")
    page.fill("#id_username", "op_browser")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/desk/store_operator/")

    # 1. One bad sale price on sheet row 3: the report names it and nothing is imported.
    _upload(page, base, "新品-有误.xlsx", _sheet(["129.00", "九十九", "139.00", "139.00"]))
    status = page.get_by_test_id("import-status")
    assert status.get_attribute("data-status") == "pending"
    assert status.get_attribute("hx-trigger") == "every 1s"
    services.import_job_run(queued.pop())  # the worker picks it up; the page's next poll shows the report
    page.get_by_test_id("nothing-imported").wait_for()
    errors = page.get_by_test_id("import-error")
    assert errors.count() == 1
    row = page.locator('[data-testid="import-error"][data-row="3"]')
    assert "售价(元)" in row.inner_text()
    assert "九十九" in row.inner_text()
    assert page.get_by_test_id("import-status").get_attribute("hx-trigger") is None  # polling stopped
    assert not Product.objects.exists()
    page.screenshot(path=str(screenshot_dir / "import_rejected.png"), full_page=True)

    # 2. The fixed sheet: the progress bar runs to the end and the products exist.
    _upload(page, base, "新品.xlsx", _sheet(["129.00", "129.00", "139.00", "139.00"]))
    page.get_by_test_id("import-progress").wait_for()
    services.import_job_run(queued.pop())
    page.get_by_test_id("import-done").wait_for()
    progress = page.get_by_test_id("import-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "4"
    job = ImportJob.objects.latest("pk")
    assert job.status == "done"
    assert job.report["summary"]["created"] == 2
    assert sorted(Product.objects.values_list("title", flat=True)) == ["导入测试衬衫0号", "导入测试衬衫1号"]
    page.screenshot(path=str(screenshot_dir / "import_done.png"), full_page=True)

    try:
        product_list = reverse("console:product_list")
    except NoReverseMatch:  # the product list page is not there yet: the report's counts said it
        return
    page.get_by_test_id("to-product-list").click()
    page.wait_for_url(f"**{product_list}*")
    text = page.locator("main").inner_text()
    assert "导入测试衬衫0号" in text
    assert "导入测试衬衫1号" in text
