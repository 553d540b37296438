"""Stock sheets (.xlsx): one row per stock line with the counted quantity and/or the safety stock.

Columns (Chinese or English headers, any order): 仓库编码 / warehouse code, SKU编码 / SKU code,
数量 / quantity (counted on hand), 安全库存 / safety stock, 原因 / reason. Every row is checked
first; any bad row rejects the whole sheet, naming each bad row and column, and nothing changes.
Otherwise all rows are applied in one transaction through `stocktake_many` (a count is a
stocktake in the ledger). Each row's ledger reference is the file's digest and row number, so
uploading the very same file twice counts once.

Small on purpose, in the style of the catalog's import: read, check everything, write all or nothing.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from shopkeeper.catalog import selectors as catalog_selectors
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory.errors import StockImportRejected, StockRefused
from shopkeeper.inventory.models import Stock, Warehouse
from shopkeeper.inventory.services.stock import MAX_QUANTITY, REASON_MAX, CountLine, CountResult, stocktake_many

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a small .xlsx that unpacks beyond this is a zip bomb
MAX_ROWS = 5000
MAX_REPORTED = 200

WAREHOUSE, SKU, QUANTITY, SAFETY, REASON = "warehouse", "sku", "quantity", "safety_stock", "reason"
# The header the template writes first, then every header accepted (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    WAREHOUSE: ("仓库编码", "warehouse code", "warehouse", "仓库"),
    SKU: ("SKU编码", "sku code", "sku"),
    QUANTITY: ("数量", "quantity", "counted", "on hand", "盘点数量", "在库数量"),
    SAFETY: ("安全库存", "safety stock"),
    REASON: ("原因", "reason"),
}
TEMPLATE_EXAMPLE = ("EAST-SH", "D-BLUE-M", 120, 20, "月度盘点")


@dataclass(frozen=True)
class SheetError:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    column: str
    message: str


def _reject(errors: Sequence[SheetError]) -> StockImportRejected:
    shown = list(errors[:MAX_REPORTED])
    return StockImportRejected(
        _("The sheet has %(count)s problem(s); nothing was changed.") % {"count": len(errors)},
        details={
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in shown],
            "error_count": len(errors),
            "truncated": len(errors) > len(shown),
        },
    )


def _file_error(message: str) -> StockImportRejected:
    return _reject([SheetError(row=0, column="", message=message)])


def _rows(content: bytes, file_name: str) -> Iterator[tuple[object, ...]]:
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower()
    if suffix not in (".xlsx", ".xlsm") and not content.startswith(b"PK\x03\x04"):
        raise _file_error(_("Upload an .xlsx file (Excel or WPS: Save as .xlsx)."))
    if len(content) > MAX_FILE_BYTES:
        raise _file_error(_("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            raise ValueError("unpacks too large")
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # untrusted input: any failure to open it is the file's fault
        logger.info("unreadable stock sheet", exc_info=True)
        raise _file_error(_("The file cannot be read as .xlsx.")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code Excel turned into a number
    return str(value).strip()


def _whole(value: object) -> int | str | None:
    """A whole number ≥ 0, None when blank, or the problem as a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return _("“%(value)s” is not a number.") % {"value": value}
    if number != number.to_integral_value():
        return _("“%(value)s” is not a whole number.") % {"value": value}
    if number < 0:
        return _("Cannot be negative.")
    if number > MAX_QUANTITY:
        return _("At most %(max)s.") % {"max": MAX_QUANTITY}
    return int(number)


@dataclass(frozen=True)
class _Row:
    number: int
    warehouse: str
    sku: str
    quantity: int | None
    safety: int | None
    reason: str


def _header(cells: Sequence[object]) -> tuple[dict[str, int], list[SheetError]]:
    wanted = {alias.casefold(): field for field, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    errors: list[SheetError] = []
    for index, cell in enumerate(cells):
        title = _text(cell)
        if not title:
            continue
        field = wanted.get(title.casefold())
        if field is None:
            errors.append(SheetError(1, title, _("Unknown column “%(header)s”.") % {"header": title}))
        elif field in found:
            errors.append(SheetError(1, title, _("The column “%(header)s” repeats.") % {"header": title}))
        else:
            found[field] = index
    for field in (WAREHOUSE, SKU):
        if field not in found:
            errors.append(SheetError(1, COLUMNS[field][0], _("The column is missing.")))
    if QUANTITY not in found and SAFETY not in found:
        errors.append(SheetError(1, COLUMNS[QUANTITY][0], _("Give a quantity column, a safety stock column or both.")))
    return found, errors


def _parse(content: bytes, file_name: str) -> list[_Row]:
    rows = _rows(content, file_name)
    header: dict[str, int] | None = None
    parsed: list[_Row] = []
    errors: list[SheetError] = []
    for number, cells in enumerate(rows, start=1):
        if header is None:
            header, problems = _header(cells)
            if problems:
                raise _reject(problems)
            continue
        if not any(_text(cell) for cell in cells):
            continue  # blank rows between blocks are fine
        if len(parsed) >= MAX_ROWS:
            raise _file_error(_("The sheet has more than %(max)s rows; split it.") % {"max": MAX_ROWS})

        columns: dict[str, int] = header

        def cell(field: str, cells: Sequence[object] = cells, columns: dict[str, int] = columns) -> object:
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else None

        values: dict[str, int | None] = {}
        for field in (QUANTITY, SAFETY):
            value = _whole(cell(field))
            if isinstance(value, str):
                errors.append(SheetError(number, COLUMNS[field][0], value))
                value = None
            values[field] = value
        row = _Row(
            number=number,
            warehouse=_text(cell(WAREHOUSE)),
            sku=_text(cell(SKU)),
            quantity=values[QUANTITY],
            safety=values[SAFETY],
            reason=_text(cell(REASON)),
        )
        for field, value in ((WAREHOUSE, row.warehouse), (SKU, row.sku)):
            if not value:
                errors.append(SheetError(number, COLUMNS[field][0], _("Required.")))
        if row.quantity is None and row.safety is None and _text(cell(QUANTITY)) == _text(cell(SAFETY)) == "":
            errors.append(SheetError(number, COLUMNS[QUANTITY][0], _("Give a quantity, a safety stock or both.")))
        if row.quantity is not None and not row.reason:
            errors.append(SheetError(number, COLUMNS[REASON][0], _("A count needs a reason.")))
        if len(row.reason) > REASON_MAX:
            errors.append(
                SheetError(number, COLUMNS[REASON][0], _("At most %(max)s characters.") % {"max": REASON_MAX})
            )
        parsed.append(row)
    if header is None:
        raise _file_error(_("The sheet is empty: its first row must hold the column headers."))
    if not parsed and not errors:
        raise _file_error(_("The sheet has column headers but no rows."))
    return _check_against_stock(parsed, errors)


def _check_against_stock(rows: list[_Row], errors: list[SheetError]) -> list[_Row]:
    """Warehouses and SKUs must exist, each line once, no count below what orders hold (3 queries)."""
    warehouses = dict(Warehouse.objects.values_list("code", "pk"))
    skus = {ref.code: ref.id for ref in catalog_selectors.sku_refs(codes={row.sku for row in rows if row.sku})}
    reserved = {
        (warehouse_id, sku_id): held
        for warehouse_id, sku_id, held in Stock.objects.filter(sku_id__in=list(skus.values())).values_list(
            "warehouse_id", "sku_id", "reserved"
        )
    }
    first_row: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.warehouse and row.warehouse not in warehouses:
            errors.append(
                SheetError(row.number, COLUMNS[WAREHOUSE][0], _("No warehouse has the code “%(code)s”.") % {
                    "code": row.warehouse})
            )  # fmt: skip
        if row.sku and row.sku not in skus:
            errors.append(
                SheetError(row.number, COLUMNS[SKU][0], _("No SKU has the code “%(code)s”.") % {"code": row.sku})
            )
        key = (row.warehouse, row.sku)
        if row.warehouse and row.sku:
            if key in first_row:
                errors.append(
                    SheetError(row.number, COLUMNS[SKU][0], _("This warehouse and SKU are also on row %(row)s.") % {
                        "row": first_row[key]})
                )  # fmt: skip
            else:
                first_row[key] = row.number
        held = reserved.get((warehouses.get(row.warehouse, 0), skus.get(row.sku, 0)), 0)
        if row.quantity is not None and row.quantity < held:
            errors.append(
                SheetError(
                    row.number,
                    COLUMNS[QUANTITY][0],
                    _("Below the %(reserved)s units reserved for orders on this line.") % {"reserved": held},
                )
            )
    if errors:
        raise _reject(sorted(errors, key=lambda error: error.row))
    return rows


@dataclass(frozen=True)
class StockImportResult:
    rows: int
    changed: int  # lines whose on hand moved
    counted: int  # rows with a quantity


def stock_import(*, actor: ActorContext, file_name: str, content: bytes) -> StockImportResult:
    """Check every row of the sheet, then apply them all in one transaction (or raise StockImportRejected)."""
    rows = _parse(content, file_name)
    digest = hashlib.sha256(content).hexdigest()[:16]
    warehouses = dict(Warehouse.objects.values_list("code", "pk"))
    skus = {ref.code: ref.id for ref in catalog_selectors.sku_refs(codes={row.sku for row in rows})}
    lines = [
        CountLine(
            sku_id=skus[row.sku],
            warehouse_id=warehouses[row.warehouse],
            counted=row.quantity,
            safety_stock=row.safety,
            reason=row.reason or _("Safety stock from a stock sheet"),
            reference=f"sheet:{digest}:{row.number}",
        )
        for row in rows
    ]
    name = PurePosixPath(file_name.replace("\\", "/")).name[:150]
    try:
        result: CountResult = stocktake_many(lines=lines, actor=actor, source=f"stock sheet {name}")
    except StockRefused as refused:  # reserved grew between the check and the write
        bad = {int(line["index"]) for line in refused.details.get("lines", [])}
        raise _reject(
            [
                SheetError(row.number, COLUMNS[QUANTITY][0], refused.message)
                for index, row in enumerate(rows)
                if index in bad
            ]
        ) from None
    return StockImportResult(
        rows=len(rows), changed=result.changed, counted=sum(1 for row in rows if row.quantity is not None)
    )


def stock_import_template() -> bytes:
    """An .xlsx with the headers and one example row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "库存"
    sheet.append([aliases[0] for aliases in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(list(TEMPLATE_EXAMPLE))
    for column, width in zip("ABCDE", (14, 20, 10, 10, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
