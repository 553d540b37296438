"""Order exports for spreadsheets: one row per order line, the order's fields repeated on each.

Orders are read in batches (`selectors.orders_for_export`) and written as they come, so a big
export keeps memory flat: CSV is streamed to the client; XLSX goes through openpyxl's write-only
mode into a temporary file. Amounts are yuan as text with two decimals ("1299.00"), never
floats; the CSV starts with a UTF-8 BOM so Excel opens the Chinese text correctly.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from shopkeeper.core.domain.money import Money
from shopkeeper.core.domain.regions import REGION_NAMES, Region
from shopkeeper.core.services import ActorContext, audit_record
from shopkeeper.orders.enums import OrderStatus
from shopkeeper.orders.models import Order, OrderLine
from shopkeeper.orders.selectors import OrderFilters, orders_for_export

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"


def yuan(fen: int) -> str:
    """1299 fen → "12.99" (text, exact)."""
    return f"{Money(fen).yuan:.2f}"


def region_label(value: str) -> str:
    try:
        return REGION_NAMES[Region(value)]
    except ValueError:
        return value


def status_label(value: str) -> str:
    try:
        return str(OrderStatus(value).label)
    except ValueError:
        return value


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def headers() -> list[str]:
    return [
        _("Order number"),
        _("Placed at"),
        _("Status"),
        _("Channel"),
        _("Customer"),
        _("Recipient"),
        _("Mobile"),
        _("Province"),
        _("City"),
        _("District"),
        _("Address"),
        _("Region"),
        _("Goods subtotal (yuan)"),
        _("Order discount (yuan)"),
        _("Shipping (yuan)"),
        _("Order total (yuan)"),
        _("Paid (yuan)"),
        _("Refunded (yuan)"),
        _("Paid at"),
        _("Line"),
        _("SKU code"),
        _("Product"),
        _("Variant"),
        _("Unit price (yuan)"),
        _("Quantity"),
        _("Line subtotal (yuan)"),
        _("Line discount (yuan)"),
        _("Line paid share (yuan)"),
        _("Line refunded (yuan)"),
    ]


def _order_cells(order: Order) -> list[str]:
    return [
        order.number,
        _when(order.placed_at),
        status_label(order.status),
        order.channel,
        order.customer.get_username(),
        order.recipient,
        order.mobile,
        order.province,
        order.city,
        order.district,
        order.address_detail,
        region_label(order.region),
        yuan(order.subtotal_fen),
        yuan(order.discount_fen),
        yuan(order.shipping_fen),
        yuan(order.total_fen),
        yuan(order.paid_fen),
        yuan(order.refunded_fen),
        _when(order.paid_at),
    ]


def _line_cells(number: int, line: OrderLine) -> list[str | int]:
    return [
        number,
        line.sku_code,
        line.title,
        line.spec_label,
        yuan(line.unit_price_fen),
        line.quantity,
        yuan(line.subtotal_fen),
        yuan(line.discount_fen),
        yuan(line.total_fen),
        yuan(line.refunded_fen),
    ]


def export_rows(filters: OrderFilters) -> Iterator[list[str | int]]:
    """The data rows (no header): one per order line, in the order list's order."""
    for order, lines in orders_for_export(filters):
        cells = _order_cells(order)
        for number, line in enumerate(lines, start=1):
            yield [*cells, *_line_cells(number, line)]


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str | int) -> str | int:
    """A customer-typed name such as "=HYPERLINK(…)" must stay text when Excel opens the file."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _csv_chunks(rows: Iterable[list[Any]], batch: int = 500) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    chunk: list[str] = [BOM, writer.writerow(headers())]
    for row in rows:
        chunk.append(writer.writerow([_csv_safe(value) for value in row]))
        if len(chunk) >= batch:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def _xlsx_file(rows: Iterable[list[Any]]) -> IO[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Orders"))
    sheet.append(headers())
    for row in rows:
        # Every cell is text except the quantity: amounts stay exact "12.30", mobiles keep their digits.
        sheet.append([_text_cell(sheet, value) if isinstance(value, str) else value for value in row])
    target = tempfile.TemporaryFile()  # noqa: SIM115  # handed to FileResponse, which closes it
    workbook.save(target)
    target.seek(0)
    return target


def _text_cell(sheet: Any, value: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def file_name(fmt: str) -> str:
    return f"orders-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def orders_export_response(*, filters: OrderFilters, fmt: str, actor: ActorContext) -> HttpResponseBase:
    """The download of the filtered orders. Exports hold customers' names and mobiles, so each
    one is written to the audit log with its filters."""
    audit_record(
        actor=actor,
        action="order.export",
        object_type="orders.order",
        object_label=fmt,
        after={"format": fmt, "filters": {k: v for k, v in vars(filters).items() if v not in (None, "")}},
    )
    name = file_name(fmt)
    if fmt == "xlsx":
        return FileResponse(
            _xlsx_file(export_rows(filters)), as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"]
        )
    response = StreamingHttpResponse(_csv_chunks(export_rows(filters)), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
