"""Stock sheets (check every row, then all or nothing) and the catalog's quantities, which become
counts in the default warehouse instead of a number the storefront reads."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
import pytest

from shopkeeper.catalog import services as catalog_services
from shopkeeper.catalog.models import Product
from shopkeeper.catalog.tests.conftest import product_input, sku
from shopkeeper.core.errors import ValidationFailed
from shopkeeper.core.models import AuditEntry
from shopkeeper.inventory import selectors, services
from shopkeeper.inventory.errors import StockImportRejected
from shopkeeper.inventory.models import Stock, StockMovement, Warehouse
from shopkeeper.inventory.services import ReserveLine
from shopkeeper.inventory.tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db
HEADER = ["仓库编码", "SKU编码", "数量", "安全库存", "原因"]


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(content: bytes, name: str = "stock.xlsx") -> list[tuple[int, str, str]]:
    with pytest.raises(StockImportRejected) as rejected:
        services.stock_import(actor=SYSTEM, file_name=name, content=content)
    return [(e["row"], e["column"], e["message"]) for e in rejected.value.details["errors"]]


class TestStockSheet:
    def test_a_good_sheet_counts_and_sets_safety_stock(self, warehouses: dict[str, Warehouse], skus: list[int]) -> None:
        services.stock_receive(sku_id=skus[0], warehouse_id=warehouses["east"].pk, quantity=10, actor=SYSTEM)
        content = xlsx(
            [
                HEADER,
                ["EAST-SH", "INV-BLUE", 12, 5, "月度盘点"],
                [None, None, None, None, None],
                ["SOUTH-GZ", "INV-WHITE", "30", None, "新仓盘点"],
                ["NORTH-BJ", "INV-PINK", None, 8, None],
            ]
        )
        result = services.stock_import(actor=SYSTEM, file_name="stock.xlsx", content=content)
        assert (result.rows, result.counted, result.changed) == (3, 2, 2)
        lines = {(line.warehouse.code, line.sku_id): line for line in Stock.objects.select_related("warehouse")}
        assert (lines[("EAST-SH", skus[0])].on_hand, lines[("EAST-SH", skus[0])].safety_stock) == (12, 5)
        assert lines[("SOUTH-GZ", skus[1])].on_hand == 30
        assert (lines[("NORTH-BJ", skus[2])].on_hand, lines[("NORTH-BJ", skus[2])].safety_stock) == (0, 8)
        assert selectors.open_alert_count() == 1  # North: 0 available under a safety stock of 8
        assert set(StockMovement.objects.filter(kind="stocktake").values_list("reason", flat=True)) == {
            "月度盘点",
            "新仓盘点",
        }
        assert AuditEntry.objects.filter(action="stock.count", object_label="stock sheet stock.xlsx").exists()
        again = services.stock_import(actor=SYSTEM, file_name="stock.xlsx", content=content)  # the same file
        assert again.changed == 0
        assert StockMovement.objects.filter(kind="stocktake").count() == 2
        assert selectors.ledger_imbalances() == []

    def test_english_headers_in_any_order(self, warehouses: dict[str, Warehouse], skus: list[int]) -> None:
        content = xlsx([["SKU code", "Quantity", "Warehouse code", "Reason"], ["INV-BLUE", 4, "EAST-SH", "count"]])
        assert services.stock_import(actor=SYSTEM, file_name="s.xlsx", content=content).changed == 1

    def test_every_bad_row_is_named_and_nothing_changes(
        self, warehouses: dict[str, Warehouse], skus: list[int]
    ) -> None:
        services.stock_receive(sku_id=skus[0], warehouse_id=warehouses["east"].pk, quantity=10, actor=SYSTEM)
        services.stock_reserve(reference="order:IMP", lines=[ReserveLine(skus[0], 6)], province="上海市", actor=SYSTEM)
        content = xlsx(
            [
                HEADER,
                ["EAST-SH", "INV-WHITE", 5, None, "盘点"],  # fine on its own
                ["EAST-SH", "INV-BLUE", 3, None, "盘点"],  # below the 6 reserved
                ["MOON", "NOPE", -1, "x", ""],
                ["EAST-SH", "INV-WHITE", 2.5, None, "盘点"],  # repeats row 2, not whole
                ["", "INV-PINK", None, None, None],
            ]
        )
        found = problems(content)
        assert found == [
            (3, "数量", "Below the 6 units reserved for orders on this line."),
            (4, "数量", "Cannot be negative."),
            (4, "安全库存", "“x” is not a number."),
            (4, "仓库编码", "No warehouse has the code “MOON”."),
            (4, "SKU编码", "No SKU has the code “NOPE”."),
            (5, "数量", "“2.5” is not a whole number."),
            (5, "SKU编码", "This warehouse and SKU are also on row 2."),
            (6, "仓库编码", "Required."),
            (6, "数量", "Give a quantity, a safety stock or both."),
        ]
        assert Stock.objects.get(warehouse=warehouses["east"], sku_id=skus[0]).on_hand == 10
        assert not Stock.objects.filter(sku_id=skus[1]).exists()

    def test_a_count_needs_a_reason(self, warehouses: dict[str, Warehouse], skus: list[int]) -> None:
        assert problems(xlsx([HEADER, ["EAST-SH", "INV-BLUE", 5, None, ""]])) == [
            (2, "原因", "A count needs a reason.")
        ]

    def test_bad_headers_and_bad_files(self, warehouses: dict[str, Warehouse], skus: list[int]) -> None:
        assert [p[1:] for p in problems(xlsx([["仓库编码", "颜色", "原因"], ["EAST-SH", "蓝", "x"]]))] == [
            ("颜色", "Unknown column “颜色”."),
            ("SKU编码", "The column is missing."),
            ("数量", "Give a quantity column, a safety stock column or both."),
        ]
        assert problems(b"not a spreadsheet", "stock.xlsx")[0][2] == "The file cannot be read as .xlsx."
        assert problems(b"a,b\n1,2", "stock.csv")[0][2].startswith("Upload an .xlsx file")
        assert problems(xlsx([HEADER]))[0][2] == "The sheet has column headers but no rows."
        assert problems(xlsx([]))[0][2].startswith("The sheet is empty")

    def test_the_template_imports_its_own_headers(self, db: None) -> None:
        sheet = openpyxl.load_workbook(io.BytesIO(services.stock_import_template())).active
        assert sheet is not None
        assert [cell.value for cell in sheet[1]] == HEADER


class TestCatalogQuantities:
    def test_a_new_products_quantities_are_counted_into_the_default_warehouse(
        self, catalog_base: dict[str, Any]
    ) -> None:
        product = catalog_services.product_create(actor=SYSTEM, data=product_input(catalog_base))
        main = Warehouse.objects.get(code=services.DEFAULT_WAREHOUSE_CODE)
        assert main.name == "总仓"
        assert "上海市" in main.provinces
        assert "香港特别行政区" not in main.provinces  # cross-border needs a warehouse that lists it
        ids = list(product.skus.values_list("pk", flat=True))
        assert selectors.sku_availability(ids) == dict.fromkeys(ids, 10)
        movement = StockMovement.objects.filter(stock__sku_id=ids[0]).get()
        assert (movement.kind, movement.on_hand_delta, movement.reason) == (
            "stocktake",
            10,
            "Quantity entered in the catalog",
        )

    def test_the_first_active_warehouse_is_the_default(
        self, warehouses: dict[str, Warehouse], catalog_base: dict[str, Any]
    ) -> None:
        catalog_services.product_create(actor=SYSTEM, data=product_input(catalog_base))
        assert not Warehouse.objects.filter(code=services.DEFAULT_WAREHOUSE_CODE).exists()
        assert set(Stock.objects.values_list("warehouse__code", flat=True)) == {"EAST-SH"}  # position 1

    def test_only_a_changed_quantity_counts_again(self, catalog_base: dict[str, Any]) -> None:
        product = catalog_services.product_create(actor=SYSTEM, data=product_input(catalog_base))
        blue = product.skus.get(code="D-BLUE-M")
        services.stock_reserve(reference="order:CAT", lines=[ReserveLine(blue.pk, 4)], province="上海市", actor=SYSTEM)
        skus = [
            sku(s.code, f"{s.sale_price_fen / 100:.2f}", **s.spec_values) for s in product.skus.order_by("position")
        ]
        # The same quantities again (an export imported back): no new count.
        catalog_services.product_update(actor=SYSTEM, product=product, data=product_input(catalog_base, skus=skus))
        assert StockMovement.objects.filter(kind="stocktake").count() == 4
        changed = [
            catalog_services.SkuInput(**{**vars(item), "stock_quantity": 25 if item.code == "D-BLUE-M" else 10})
            for item in skus
        ]
        updated = Product.objects.get(pk=product.pk)
        catalog_services.product_update(actor=SYSTEM, product=updated, data=product_input(catalog_base, skus=changed))
        line = Stock.objects.get(sku=blue)
        assert (line.on_hand, line.reserved) == (25, 4)
        assert StockMovement.objects.filter(kind="stocktake").count() == 5
        too_low = [catalog_services.SkuInput(**{**vars(item), "stock_quantity": 2}) for item in changed]
        with pytest.raises(ValidationFailed) as refused:
            catalog_services.product_update(
                actor=SYSTEM, product=Product.objects.get(pk=product.pk), data=product_input(catalog_base, skus=too_low)
            )
        assert list(refused.value.details) == ["skus.D-BLUE-M.stock_quantity"]
        assert Stock.objects.get(sku=blue).on_hand == 25  # the whole update was refused
