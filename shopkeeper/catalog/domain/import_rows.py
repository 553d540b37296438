"""Product import sheets: the column spec, raw spreadsheet rows parsed into typed product groups,
every check a row must pass before anything is written, and the rows an export writes back.

Pure: no Django and no database. The service loads what the checks need (brand, category and
scene names, who owns each SKU code, the products the file will update, the banned words) into
the plain values below, and turns the problem codes into translated messages.

The rules a sheet follows (docs/store-operator.md repeats them for operators):

* One row per SKU. Rows with the same product key (商品编码) form one product; the key only
  groups rows inside the file and is never stored (export writes the product's id).
* A product is **updated** when any SKU code of its rows already exists; it is the product that
  owns those codes (codes owned by two different products are an error). Otherwise it is
  **created**. An updated product's SKUs that are not in the file are deactivated, never deleted,
  exactly as `product_update` does; export writes only active SKUs, so an unedited export
  re-imports as "unchanged".
* Product-level cells (title … status) may be left blank on a product's second and later rows;
  non-blank values of one product must agree.
* A column left out of the file keeps the product's current value (or the default for a new
  product); a blank cell in a column that is present means empty (zero for numbers). Status is
  the exception: blank means "leave as it is" (a new product starts as a draft).
* Status 上架/listed lists the product (it must pass every listing check, banned words included);
  草稿/draft or 下架/delisted takes a listed product off sale.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from shopkeeper.catalog.domain.compliance import ComplianceChecker
from shopkeeper.catalog.domain.lifecycle import Action, ListingFacts, SkuFacts, Status, listing_problems
from shopkeeper.core.domain.money import Money

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_REPORTED_ERRORS = 1_000
MAX_PRICE_YUAN = Decimal("99999999.99")  # far above any real price, far below the column's limit
MAX_COUNT = 2_147_483_647  # the integer columns (weight, stock) are 32-bit
TITLE_MAX = 120
CODE_MAX = 64
BARCODE_MAX = 32
LINK_MAX = 500

Cell = str | int | float | Decimal | bool | date | time | timedelta | None


class Field(StrEnum):
    PRODUCT_KEY = "product_key"
    TITLE = "title"
    BRAND = "brand"
    CATEGORY = "category"
    SCENES = "scenes"
    TIER = "tier"
    SELLING_POINTS = "selling_points"
    DESCRIPTION = "description"
    SPECS = "specs"
    SKU_CODE = "sku_code"
    BARCODE = "barcode"
    SALE_PRICE = "sale_price"
    LIST_PRICE = "list_price"
    COST_PRICE = "cost_price"
    WEIGHT_G = "weight_g"
    STOCK_QUANTITY = "stock_quantity"
    MAIN_IMAGES = "main_images"
    DETAIL_IMAGES = "detail_images"
    STATUS = "status"


@dataclass(frozen=True)
class Column:
    field: Field
    header: str  # what export writes
    aliases: tuple[str, ...]  # other headers accepted (matched after folding, units in brackets ignored)
    product_level: bool


COLUMNS: tuple[Column, ...] = (
    Column(Field.PRODUCT_KEY, "商品编码", ("product key", "product code", "spu"), True),
    Column(Field.TITLE, "商品标题", ("标题", "title"), True),
    Column(Field.BRAND, "品牌", ("brand",), True),
    Column(Field.CATEGORY, "类目", ("分类", "category"), True),
    Column(Field.SCENES, "场景", ("scenes", "scene"), True),
    Column(Field.TIER, "商品分层", ("分层", "tier"), True),
    Column(Field.SELLING_POINTS, "卖点", ("selling points",), True),
    Column(Field.DESCRIPTION, "商品描述", ("描述", "description"), True),
    Column(Field.SPECS, "规格", ("specs", "spec"), False),
    Column(Field.SKU_CODE, "SKU编码", ("sku", "sku code"), False),
    Column(Field.BARCODE, "条码", ("条形码", "barcode"), False),
    Column(Field.SALE_PRICE, "售价(元)", ("销售价", "sale price", "price"), False),
    Column(Field.LIST_PRICE, "划线价(元)", ("原价", "list price"), False),
    Column(Field.COST_PRICE, "成本价(元)", ("cost price", "cost"), False),
    Column(Field.WEIGHT_G, "重量(g)", ("weight", "weight g"), False),
    Column(Field.STOCK_QUANTITY, "库存", ("stock", "stock quantity", "quantity"), False),
    Column(Field.MAIN_IMAGES, "主图链接", ("主图", "main images", "main image"), True),
    Column(Field.DETAIL_IMAGES, "详情图链接", ("详情图", "detail images", "detail image"), True),
    Column(Field.STATUS, "状态", ("status",), True),
)
COLUMN_BY_FIELD: dict[Field, Column] = {column.field: column for column in COLUMNS}
REQUIRED_COLUMNS = (Field.PRODUCT_KEY, Field.SKU_CODE)

TIERS: dict[str, str] = {"爆款": "traffic", "利润品": "profit", "长尾品": "long_tail"}
TIER_LABELS: dict[str, str] = {value: label for label, value in TIERS.items()}
STATUSES: dict[str, Status] = {"草稿": Status.DRAFT, "上架": Status.LISTED, "下架": Status.DELISTED}
STATUS_LABELS: dict[Status, str] = {value: label for label, value in STATUSES.items()}

LIST_SEPARATOR = "|"  # selling points, image links and specs: "颜色:雾霾蓝|尺码:M"
SCENE_SEPARATOR = "、"
_SCENE_SPLIT = re.compile(r"[、,，;；|\n]")
_LIST_SPLIT = re.compile(r"[|\n]")
_CATEGORY_SPLIT = re.compile(r"\s*[/>]\s*")  # after NFKC, ／ and ＞ are / and >
_UNIT_SUFFIX = re.compile(r"\(.*\)$")


class Problem(StrEnum):
    """Why a file or a row is refused; the service turns each into a translated message."""

    # the file
    FILE_UNREADABLE = "file_unreadable"
    FILE_TOO_LARGE = "file_too_large"
    TOO_MANY_ROWS = "too_many_rows"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"
    UNKNOWN_COLUMN = "unknown_column"
    DUPLICATE_COLUMN = "duplicate_column"
    MISSING_COLUMN = "missing_column"
    # a cell
    REQUIRED = "required"
    NEEDS_COLUMN = "needs_column"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    FEN_FRACTION = "fen_fraction"
    NOT_POSITIVE = "not_positive"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    UNKNOWN_BRAND = "unknown_brand"
    UNKNOWN_CATEGORY = "unknown_category"
    AMBIGUOUS_CATEGORY = "ambiguous_category"
    UNKNOWN_SCENE = "unknown_scene"
    UNKNOWN_TIER = "unknown_tier"
    UNKNOWN_STATUS = "unknown_status"
    SPEC_FORMAT = "spec_format"
    SPEC_NAME_REPEATS = "spec_name_repeats"
    # rows against each other and against the catalog
    SPEC_NAMES_DIFFER = "spec_names_differ"
    SPECS_REPEAT = "specs_repeat"
    DUPLICATE_SKU = "duplicate_sku"
    SKU_OF_OTHER_PRODUCT = "sku_of_other_product"
    PRODUCT_UNDER_TWO_KEYS = "product_under_two_keys"
    INCONSISTENT = "inconsistent"
    # listing
    BANNED_WORD = "banned_word"
    SALE_ABOVE_LIST = "sale_above_list"
    NO_MAIN_IMAGE = "no_main_image"
    QUALIFICATION_EXPIRED = "qualification_expired"
    NOT_LISTABLE = "not_listable"
    # the write (a service refused what the checks let through, e.g. a code taken meanwhile)
    WRITE_REFUSED = "write_refused"


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based spreadsheet row, the header included
    field: Field | None  # None: the whole file or row
    problem: Problem
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


_COLUMN_ORDER = {column.field: index for index, column in enumerate(COLUMNS)}


def error_order(error: RowError) -> tuple[int, int, str]:
    column = _COLUMN_ORDER[error.field] if error.field is not None else -1
    return (error.row, column, error.problem.value)


# --- the sheet ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    number: int
    cells: Sequence[Cell]


@dataclass(frozen=True)
class Sheet:
    """The first non-empty row is the header; empty rows are dropped but keep their numbers."""

    header_row: int
    header: Sequence[Cell]
    rows: Sequence[SheetRow]


def sheet_from_rows(rows: Iterable[Sequence[Cell]], *, max_rows: int = MAX_ROWS) -> Sheet:
    """Build a sheet from raw rows (numbered from 1); stops reading past `max_rows` data rows.

    Raises SheetRefused(NO_HEADER / TOO_MANY_ROWS).
    """
    header: Sequence[Cell] | None = None
    header_row = 0
    data: list[SheetRow] = []
    for number, cells in enumerate(rows, start=1):
        if all(_blank(cell) for cell in cells):
            continue
        if header is None:
            header, header_row = tuple(cells), number
            continue
        if len(data) >= max_rows:
            raise SheetRefused(RowError(number, None, Problem.TOO_MANY_ROWS, {"limit": max_rows}))
        data.append(SheetRow(number, tuple(cells)))
    if header is None:
        raise SheetRefused(RowError(1, None, Problem.NO_HEADER))
    return Sheet(header_row=header_row, header=header, rows=data)


class SheetRefused(Exception):
    """The file cannot be read as a sheet at all (no header, too many rows)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.problem.value)
        self.error = error


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _fold(text: str) -> str:
    """Case-, width- and space-insensitive form for matching names and headers."""
    return re.sub(r"[\s_\-]+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _header_key(text: str) -> str:
    return _UNIT_SUFFIX.sub("", _fold(text)).strip()


_HEADER_INDEX: dict[str, Field] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.field.value, *_column.aliases):
        _HEADER_INDEX.setdefault(_header_key(_name), _column.field)


@dataclass(frozen=True)
class HeaderMap:
    columns: Mapping[Field, int]  # field → cell index
    headers: Mapping[Field, str]  # field → the header as the file spells it
    errors: Sequence[RowError]

    def header(self, field: Field | None) -> str:
        if field is None:
            return ""
        return self.headers.get(field) or COLUMN_BY_FIELD[field].header


def map_header(sheet: Sheet) -> HeaderMap:
    columns: dict[Field, int] = {}
    headers: dict[Field, str] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(sheet.header):
        text = _text(cell)
        if not text:
            continue  # a blank header cell: Excel's trailing columns
        found = _HEADER_INDEX.get(_header_key(text))
        if found is None:
            errors.append(RowError(sheet.header_row, None, Problem.UNKNOWN_COLUMN, {"header": text}))
        elif found in columns:
            errors.append(
                RowError(sheet.header_row, found, Problem.DUPLICATE_COLUMN, {"header": text, "other": headers[found]})
            )
        else:
            columns[found], headers[found] = index, text
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            errors.append(
                RowError(
                    sheet.header_row, required, Problem.MISSING_COLUMN, {"header": COLUMN_BY_FIELD[required].header}
                )
            )
    if not errors and not sheet.rows:
        errors.append(RowError(sheet.header_row, None, Problem.NO_ROWS))
    return HeaderMap(columns=columns, headers=headers, errors=errors)


def sheet_sku_codes(sheet: Sheet, header: HeaderMap) -> list[str]:
    """The SKU codes the file names, so the service can load who owns them in one query."""
    index = header.columns.get(Field.SKU_CODE)
    if index is None:
        return []
    codes = (_text(row.cells[index]) if index < len(row.cells) else "" for row in sheet.rows)
    return sorted({code for code in codes if code})


# --- what the catalog already holds ---------------------------------------------------------


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class CategoryNode:
    id: int
    path: tuple[str, ...]  # names from the root, e.g. ("服饰", "女装", "连衣裙")
    name_en: str = ""


class CatalogNames:
    """Brands, categories and scenes by name (and English name), and back again for export."""

    def __init__(self, brands: Iterable[Named], categories: Iterable[CategoryNode], scenes: Iterable[Named]) -> None:
        self._brands = list(brands)
        self._categories = list(categories)
        self._scenes = list(scenes)
        self.brand_names = {brand.id: brand.name for brand in self._brands}
        self.category_paths = {node.id: "/".join(node.path) for node in self._categories}
        self.scene_names = {scene.id: scene.name for scene in self._scenes}
        self._brand_index = self._index(self._brands)
        self._scene_index = self._index(self._scenes)
        self._by_path: dict[tuple[str, ...], int] = {}
        self._by_name: dict[str, list[CategoryNode]] = {}
        for node in self._categories:
            self._by_path.setdefault(tuple(_fold(part) for part in node.path), node.id)
            for name in {node.path[-1], node.name_en} - {""}:
                self._by_name.setdefault(_fold(name), []).append(node)

    @staticmethod
    def _index(items: list[Named]) -> dict[str, int]:
        index: dict[str, int] = {}
        for item in items:  # exact names win over English names
            index.setdefault(_fold(item.name), item.id)
        for item in items:
            if item.name_en:
                index.setdefault(_fold(item.name_en), item.id)
        return index

    def brand(self, text: str) -> int | None:
        return self._brand_index.get(_fold(text))

    def scene(self, text: str) -> int | None:
        return self._scene_index.get(_fold(text))

    def category(self, text: str) -> int | list[str] | None:
        """The category by path ("服饰/女装/连衣裙") or by a name that only one category has.

        Returns the id, the candidate paths when the name is ambiguous, or None.
        """
        parts = tuple(_fold(part) for part in _CATEGORY_SPLIT.split(unicodedata.normalize("NFKC", text).strip()))
        found = self._by_path.get(parts)
        if found is not None:
            return found
        candidates = self._by_name.get(_fold(text), []) if len(parts) == 1 else []
        if len(candidates) == 1:
            return candidates[0].id
        if candidates:
            return sorted("/".join(node.path) for node in candidates)
        return None


@dataclass(frozen=True)
class ExistingSku:
    code: str
    spec_values: Mapping[str, str]
    barcode: str
    sale_fen: int
    list_fen: int
    cost_fen: int
    weight_g: int
    stock_quantity: int
    is_active: bool = True


@dataclass(frozen=True)
class ExistingProduct:
    id: int
    title: str
    status: Status
    brand_id: int
    category_id: int
    scene_ids: tuple[int, ...]
    tier: str
    selling_points: tuple[str, ...]
    description: str
    spec_names: tuple[str, ...]
    main_images: tuple[str, ...]
    detail_images: tuple[str, ...]
    skus: tuple[ExistingSku, ...]  # in position order, inactive ones included
    qualification_expiries: tuple[date | None, ...] = ()

    def sku(self, code: str) -> ExistingSku | None:
        return next((sku for sku in self.skus if sku.code == code), None)


@dataclass(frozen=True)
class CatalogFacts:
    names: CatalogNames
    sku_owners: Mapping[str, int]  # SKU code → product id, for the codes in the file
    products: Mapping[int, ExistingProduct]  # every product that owns one of those codes
    checker: ComplianceChecker
    today: date


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkuPlan:
    row: int
    code: str
    spec_values: Mapping[str, str]
    barcode: str
    sale_fen: int
    list_fen: int
    cost_fen: int
    weight_g: int
    stock_quantity: int

    def same_as(self, sku: ExistingSku) -> bool:
        return sku.is_active and (
            self.code, dict(self.spec_values), self.barcode, self.sale_fen, self.list_fen, self.cost_fen,
            self.weight_g, self.stock_quantity,
        ) == (
            sku.code, dict(sku.spec_values), sku.barcode, sku.sale_fen, sku.list_fen, sku.cost_fen,
            sku.weight_g, sku.stock_quantity,
        )  # fmt: skip


@dataclass(frozen=True)
class ProductPlan:
    key: str
    rows: tuple[int, ...]
    product_id: int | None  # None: create
    title: str
    brand_id: int
    category_id: int
    scene_ids: tuple[int, ...]
    tier: str
    selling_points: tuple[str, ...]
    description: str
    spec_names: tuple[str, ...]
    main_images: tuple[str, ...]
    detail_images: tuple[str, ...]
    skus: tuple[SkuPlan, ...]
    changed: bool  # False: an update that would write what the product already holds
    action: Action | None  # list or delist (delist runs before the update, list after it)

    @property
    def creates(self) -> bool:
        return self.product_id is None


@dataclass(frozen=True)
class ImportPlan:
    row_count: int
    products: tuple[ProductPlan, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.row_count,
            "products": len(self.products),
            "created": sum(1 for p in self.products if p.creates),
            "updated": sum(1 for p in self.products if not p.creates and p.changed),
            "unchanged": sum(1 for p in self.products if not p.creates and not p.changed),
            "listed": sum(1 for p in self.products if p.action is Action.LIST),
            "delisted": sum(1 for p in self.products if p.action is Action.DELIST),
        }


# --- cells ----------------------------------------------------------------------------------


class CellRefused(Exception):
    """One cell's problem, raised by the cell parsers."""

    def __init__(self, problem: Problem, **params: str | int) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.params = params


def _text(cell: Cell) -> str:
    """A cell as text: numbers as written (a barcode typed as a number stays its digits)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, Decimal):
        if not cell.is_finite():
            return str(cell)
        return format(cell.normalize(), "f") if cell == cell.to_integral_value() else format(cell, "f")
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ") if cell.time() != time(0) else cell.date().isoformat()
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def _number_text(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell).strip().replace(",", "").replace(" ", "")
    for prefix in ("¥", "CNY", "RMB"):
        text = text.removeprefix(prefix)
    for suffix in ("元", "克", "g", "件"):
        text = text.removesuffix(suffix)
    return text


def _decimal(cell: Cell) -> Decimal | None:
    """A numeric cell exactly; None when blank. Floats go through their shortest repr, which is
    the number the spreadsheet shows, so 129.9 is 129.9 and never 129.900000000000005684…"""
    if _blank(cell):
        return None
    if isinstance(cell, bool | date | time | timedelta):
        raise CellRefused(Problem.NOT_A_NUMBER, value=_text(cell))
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        value = Decimal(repr(cell))
    elif isinstance(cell, Decimal):
        value = cell  # a signalling NaN must not reach a comparison: is_finite below is the first
    else:
        try:
            value = Decimal(_number_text(str(cell)))
        except InvalidOperation:
            raise CellRefused(Problem.NOT_A_NUMBER, value=_text(cell)) from None
    if not value.is_finite():
        raise CellRefused(Problem.NOT_A_NUMBER, value=_text(cell))
    return value


def parse_price(cell: Cell, *, positive: bool) -> int | None:
    """Yuan in a cell → fen; None when blank. A fraction of a fen is refused, never rounded."""
    value = _decimal(cell)
    if value is None:
        return None
    if value < 0 or (positive and value == 0):
        raise CellRefused(Problem.NOT_POSITIVE if positive else Problem.NEGATIVE)
    if value > MAX_PRICE_YUAN:  # before any arithmetic: "1e999999" is refused, not an overflow
        raise CellRefused(Problem.TOO_LARGE, max=str(MAX_PRICE_YUAN))
    if value * 100 != (value * 100).to_integral_value():
        raise CellRefused(Problem.FEN_FRACTION, value=_text(cell))
    return Money.from_yuan(value).fen


def parse_count(cell: Cell) -> int | None:
    value = _decimal(cell)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise CellRefused(Problem.NOT_WHOLE, value=_text(cell))
    if value < 0:
        raise CellRefused(Problem.NEGATIVE)
    if value > MAX_COUNT:
        raise CellRefused(Problem.TOO_LARGE, max=MAX_COUNT)
    return int(value)


def _split(text: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in pattern.split(text) if part.strip())


def parse_specs(text: str) -> tuple[tuple[str, str], ...]:
    """ "颜色:雾霾蓝|尺码:M" → (("颜色", "雾霾蓝"), ("尺码", "M")); full-width colons accepted."""
    pairs: list[tuple[str, str]] = []
    for part in _split(text, _LIST_SPLIT):
        name, colon, value = part.replace("：", ":").partition(":")
        if not colon or not name.strip() or not value.strip():
            raise CellRefused(Problem.SPEC_FORMAT, value=part)
        if any(name.strip() == seen for seen, _v in pairs):
            raise CellRefused(Problem.SPEC_NAME_REPEATS, name=name.strip())
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def parse_tier(text: str) -> str:
    folded = _fold(text).replace(" ", "_")
    for label, value in TIERS.items():
        if folded in (_fold(label), value):
            return value
    raise CellRefused(Problem.UNKNOWN_TIER, value=text)


def parse_status(text: str) -> Status:
    folded = _fold(text)
    for label, value in STATUSES.items():
        if folded in (_fold(label), value.value):
            return value
    raise CellRefused(Problem.UNKNOWN_STATUS, value=text)


def _links(text: str) -> tuple[str, ...]:
    links = _split(text, _LIST_SPLIT)
    for link in links:
        if len(link) > LINK_MAX:
            raise CellRefused(Problem.TOO_LONG, max=LINK_MAX)
    return links


# --- one row --------------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row parsed; None means a blank cell (or a column the file leaves out)."""

    number: int
    key: str = ""
    code: str = ""
    title: str | None = None
    brand: int | None = None
    category: int | None = None
    scenes: tuple[int, ...] | None = None
    tier: str | None = None
    selling_points: tuple[str, ...] | None = None
    description: str | None = None
    main_images: tuple[str, ...] | None = None
    detail_images: tuple[str, ...] | None = None
    status: Status | None = None
    specs: tuple[tuple[str, str], ...] | None = None
    barcode: str | None = None
    sale_price: int | None = None
    list_price: int | None = None
    cost_price: int | None = None
    weight_g: int | None = None
    stock_quantity: int | None = None
    bad: set[Field] = dataclasses.field(default_factory=set)


# Product-level fields as _Row attributes (attribute names match, bar brand/category/scenes).
_PRODUCT_ATTRIBUTES: tuple[tuple[Field, str], ...] = (
    (Field.TITLE, "title"),
    (Field.BRAND, "brand"),
    (Field.CATEGORY, "category"),
    (Field.SCENES, "scenes"),
    (Field.TIER, "tier"),
    (Field.SELLING_POINTS, "selling_points"),
    (Field.DESCRIPTION, "description"),
    (Field.MAIN_IMAGES, "main_images"),
    (Field.DETAIL_IMAGES, "detail_images"),
    (Field.STATUS, "status"),
)


def _parse_cell(row: _Row, field_: Field, cell: Cell, names: CatalogNames) -> None:
    text = _text(cell)
    if field_ is Field.PRODUCT_KEY:
        if not text:
            raise CellRefused(Problem.REQUIRED)
        row.key = text
    elif field_ is Field.SKU_CODE:
        if not text:
            raise CellRefused(Problem.REQUIRED)
        if len(text) > CODE_MAX:
            raise CellRefused(Problem.TOO_LONG, max=CODE_MAX)
        row.code = text
    elif field_ in (Field.SALE_PRICE, Field.LIST_PRICE, Field.COST_PRICE):
        setattr(row, field_.value, parse_price(cell, positive=field_ is Field.SALE_PRICE))
    elif field_ in (Field.WEIGHT_G, Field.STOCK_QUANTITY):
        setattr(row, field_.value, parse_count(cell))
    elif not text:
        return  # blank: stays None
    elif field_ is Field.TITLE:
        if len(text) > TITLE_MAX:
            raise CellRefused(Problem.TOO_LONG, max=TITLE_MAX)
        row.title = text
    elif field_ is Field.BRAND:
        row.brand = names.brand(text)
        if row.brand is None:
            raise CellRefused(Problem.UNKNOWN_BRAND, value=text)
    elif field_ is Field.CATEGORY:
        found = names.category(text)
        if found is None:
            raise CellRefused(Problem.UNKNOWN_CATEGORY, value=text)
        if isinstance(found, list):
            raise CellRefused(Problem.AMBIGUOUS_CATEGORY, value=text, paths="、".join(found))
        row.category = found
    elif field_ is Field.SCENES:
        wanted = _split(text, _SCENE_SPLIT)
        unknown = [name for name in wanted if names.scene(name) is None]
        if unknown:
            raise CellRefused(Problem.UNKNOWN_SCENE, value="、".join(unknown))
        row.scenes = tuple(dict.fromkeys(scene for name in wanted if (scene := names.scene(name)) is not None))
    elif field_ is Field.TIER:
        row.tier = parse_tier(text)
    elif field_ is Field.SELLING_POINTS:
        row.selling_points = _split(text, _LIST_SPLIT)
    elif field_ is Field.DESCRIPTION:
        row.description = text
    elif field_ is Field.SPECS:
        row.specs = parse_specs(text)
    elif field_ is Field.BARCODE:
        if len(text) > BARCODE_MAX:
            raise CellRefused(Problem.TOO_LONG, max=BARCODE_MAX)
        row.barcode = text
    elif field_ in (Field.MAIN_IMAGES, Field.DETAIL_IMAGES):
        setattr(row, field_.value, _links(text))
    elif field_ is Field.STATUS:
        row.status = parse_status(text)


def _parse_row(line: SheetRow, header: HeaderMap, names: CatalogNames, errors: list[RowError]) -> _Row:
    row = _Row(number=line.number)
    for field_, index in header.columns.items():
        cell = line.cells[index] if index < len(line.cells) else None
        try:
            _parse_cell(row, field_, cell, names)
        except CellRefused as bad:
            row.bad.add(field_)
            errors.append(RowError(line.number, field_, bad.problem, bad.params))
    return row


# --- a product's rows together --------------------------------------------------------------


@dataclass
class _Group:
    key: str
    rows: list[_Row]
    errors: list[RowError]

    def add(self, at_row: int, column: Field | None, problem: Problem, /, **params: str | int) -> None:
        self.errors.append(RowError(at_row, column, problem, params))


def _agreed(group: _Group) -> dict[Field, tuple[object, int]]:
    """The value and source row of each product-level column; later rows may be blank, not different."""
    agreed: dict[Field, tuple[object, int]] = {}
    for field_, attribute in _PRODUCT_ATTRIBUTES:
        for row in group.rows:
            value = getattr(row, attribute)
            if value is None or field_ in row.bad:
                continue
            if field_ not in agreed:
                agreed[field_] = (value, row.number)
            elif _comparable(field_, value) != _comparable(field_, agreed[field_][0]):
                group.add(row.number, field_, Problem.INCONSISTENT, row=agreed[field_][1])
    return agreed


def _comparable(field_: Field, value: object) -> object:
    return frozenset(value) if field_ is Field.SCENES and isinstance(value, tuple) else value


class _Resolver:
    """Merges a group's cells with the product it updates: a column the file leaves out keeps
    the product's value; a present column's blank means empty."""

    def __init__(self, group: _Group, header: HeaderMap, existing: ExistingProduct | None) -> None:
        self.group = group
        self.header = header
        self.existing = existing
        self.agreed = _agreed(group)
        self.first_row = group.rows[0].number

    def present(self, field_: Field) -> bool:
        return field_ in self.header.columns

    def source_row(self, field_: Field) -> int:
        return self.agreed[field_][1] if field_ in self.agreed else self.first_row

    def value(self, field_: Field, kept: object, default: object) -> object:
        if field_ in self.agreed:
            return self.agreed[field_][0]
        if self.present(field_) or self.existing is None:
            return default
        return kept

    def required(self, field_: Field, kept: object) -> object:
        """Title, brand and category: a product cannot be without them."""
        found = self.value(field_, kept, None)
        if found is None and not any(field_ in row.bad for row in self.group.rows):
            if self.present(field_):
                self.group.add(self.first_row, field_, Problem.REQUIRED)
            else:
                self.group.add(self.first_row, field_, Problem.NEEDS_COLUMN, header=COLUMN_BY_FIELD[field_].header)
        return found


def _sku_value(
    row: _Row, field_: Field, header: HeaderMap, kept: ExistingSku | None, attribute: str, default: int | str
) -> int | str | None:
    value: int | str | None = getattr(row, field_.value)
    if value is not None:
        return value
    if field_ in header.columns or kept is None:
        return default
    kept_value: int | str = getattr(kept, attribute)
    return kept_value


def _plan_skus(resolver: _Resolver, owned: Mapping[str, bool]) -> tuple[tuple[str, ...], list[SkuPlan]]:
    group, header, existing = resolver.group, resolver.header, resolver.existing
    specs_present = Field.SPECS in header.columns
    if specs_present:
        first_specs = next((row.specs for row in group.rows if Field.SPECS not in row.bad), None)
        spec_names = tuple(name for name, _v in first_specs or ())
        first_spec_row = next((row.number for row in group.rows if Field.SPECS not in row.bad), resolver.first_row)
    else:
        spec_names = existing.spec_names if existing else ()
        first_spec_row = resolver.first_row
    combos: dict[tuple[str, ...], int] = {}
    skus: list[SkuPlan] = []
    for row in group.rows:
        kept = existing.sku(row.code) if existing and owned.get(row.code) else None
        kept_values = dict(kept.spec_values) if kept else {}
        values = dict(row.specs or ()) if specs_present else kept_values
        if Field.SPECS not in row.bad and set(values) != set(spec_names):
            if specs_present or kept is not None:
                group.add(
                    row.number, Field.SPECS, Problem.SPEC_NAMES_DIFFER,
                    names="、".join(spec_names) or "—", row=first_spec_row,
                )  # fmt: skip
            else:
                group.add(row.number, Field.SPECS, Problem.NEEDS_COLUMN, header=COLUMN_BY_FIELD[Field.SPECS].header)
        elif spec_names and Field.SPECS not in row.bad:
            combo = tuple(values[name] for name in spec_names)
            if combo in combos:
                group.add(row.number, Field.SPECS, Problem.SPECS_REPEAT, row=combos[combo])
            combos.setdefault(combo, row.number)
        sale = row.sale_price if row.sale_price is not None else (kept.sale_fen if kept else None)
        if sale is None and Field.SALE_PRICE not in row.bad:
            if Field.SALE_PRICE in header.columns:
                group.add(row.number, Field.SALE_PRICE, Problem.REQUIRED)
            else:
                group.add(
                    row.number, Field.SALE_PRICE, Problem.NEEDS_COLUMN,
                    header=COLUMN_BY_FIELD[Field.SALE_PRICE].header,
                )  # fmt: skip
        skus.append(
            SkuPlan(
                row=row.number,
                code=row.code,
                spec_values={name: values[name] for name in spec_names if name in values},
                barcode=str(_sku_value(row, Field.BARCODE, header, kept, "barcode", "")),
                sale_fen=sale or 0,
                list_fen=int(_sku_value(row, Field.LIST_PRICE, header, kept, "list_fen", 0) or 0),
                cost_fen=int(_sku_value(row, Field.COST_PRICE, header, kept, "cost_fen", 0) or 0),
                weight_g=int(_sku_value(row, Field.WEIGHT_G, header, kept, "weight_g", 0) or 0),
                stock_quantity=int(_sku_value(row, Field.STOCK_QUANTITY, header, kept, "stock_quantity", 0) or 0),
            )
        )
    return spec_names, skus


def _listing_checks(resolver: _Resolver, plan: ProductPlan, facts: CatalogFacts) -> None:
    """What product_list / product_update would refuse, found before anything is written."""
    group = resolver.group
    copy: dict[str, str | list[str]] = {
        "title": plan.title,
        "selling_points": list(plan.selling_points),
        "description": plan.description,
    }
    seen: set[tuple[Field, str]] = set()
    for hit in facts.checker.scan(copy):
        field_ = (
            Field.TITLE if hit.field == "title" else Field.DESCRIPTION if hit.field == "description"
            else Field.SELLING_POINTS
        )  # fmt: skip
        if (field_, hit.word) not in seen:
            seen.add((field_, hit.word))
            group.add(resolver.source_row(field_), field_, Problem.BANNED_WORD, word=hit.word)
    expiries = resolver.existing.qualification_expiries if resolver.existing else ()
    listing = ListingFacts(
        title=plan.title,
        skus=[
            SkuFacts(code=s.code, sale_price_fen=s.sale_fen, list_price_fen=s.list_fen, cost_price_fen=s.cost_fen)
            for s in plan.skus
        ],
        main_image_count=len(plan.main_images),
        qualification_expiries=list(expiries),
        compliance_hits=[],
    )
    by_code = {sku.code: sku for sku in plan.skus}
    for problem in listing_problems(listing, today=facts.today):
        sku_code = problem.field.removeprefix("skus.").rpartition(".")[0] if problem.field.startswith("skus.") else ""
        sku = by_code.get(sku_code)
        if sku is not None and sku.list_fen and sku.sale_fen > sku.list_fen:
            group.add(sku.row, Field.SALE_PRICE, Problem.SALE_ABOVE_LIST)
        elif problem.field == "images":
            group.add(resolver.source_row(Field.MAIN_IMAGES), Field.MAIN_IMAGES, Problem.NO_MAIN_IMAGE)
        elif problem.field == "qualifications":
            expired = sum(1 for day in expiries if day is not None and day < facts.today)
            group.add(resolver.source_row(Field.STATUS), Field.STATUS, Problem.QUALIFICATION_EXPIRED, count=expired)
        else:  # a check added to lifecycle later: still refused, the service words its code
            group.add(
                resolver.source_row(Field.STATUS),
                Field.STATUS,
                Problem.NOT_LISTABLE,
                problem=problem.code.value,
                **problem.params,
            )


def _changed(plan: ProductPlan, existing: ExistingProduct) -> bool:
    active = [sku for sku in existing.skus if sku.is_active]
    return (
        plan.title, plan.brand_id, plan.category_id, frozenset(plan.scene_ids), plan.tier, plan.selling_points,
        plan.description, plan.spec_names, plan.main_images, plan.detail_images,
    ) != (
        existing.title, existing.brand_id, existing.category_id, frozenset(existing.scene_ids), existing.tier,
        existing.selling_points, existing.description, existing.spec_names, existing.main_images,
        existing.detail_images,
    ) or len(active) != len(plan.skus) or not all(
        sku.same_as(kept) for sku, kept in zip(plan.skus, active, strict=True)
    )  # fmt: skip


def _action(status: Status | None, existing: ExistingProduct | None) -> Action | None:
    current = existing.status if existing else Status.DRAFT
    if status is Status.LISTED and current is not Status.LISTED:
        return Action.LIST
    if status in (Status.DRAFT, Status.DELISTED) and current is Status.LISTED:
        return Action.DELIST
    return None


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _as_str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _as_tuple(value: object) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, tuple) else ()


def _as_ids(value: object) -> tuple[int, ...]:
    return tuple(item for item in value if isinstance(item, int)) if isinstance(value, tuple) else ()


def _plan_group(group: _Group, header: HeaderMap, facts: CatalogFacts, product_id: int | None) -> ProductPlan:
    existing = facts.products.get(product_id) if product_id is not None else None
    resolver = _Resolver(group, header, existing)
    owned = {row.code: facts.sku_owners.get(row.code) == product_id for row in group.rows}
    title = resolver.required(Field.TITLE, existing.title if existing else None)
    brand = resolver.required(Field.BRAND, existing.brand_id if existing else None)
    category = resolver.required(Field.CATEGORY, existing.category_id if existing else None)
    spec_names, skus = _plan_skus(resolver, owned)
    status = resolver.value(Field.STATUS, None, None)
    plan = ProductPlan(
        key=group.key,
        rows=tuple(row.number for row in group.rows),
        product_id=product_id,
        title=_as_str(title),
        brand_id=_as_int(brand),
        category_id=_as_int(category),
        scene_ids=_as_ids(resolver.value(Field.SCENES, existing.scene_ids if existing else (), ())),
        tier=_as_str(resolver.value(Field.TIER, existing.tier if existing else "", "long_tail")) or "long_tail",
        selling_points=_as_tuple(resolver.value(Field.SELLING_POINTS, existing.selling_points if existing else (), ())),
        description=_as_str(resolver.value(Field.DESCRIPTION, existing.description if existing else "", "")),
        spec_names=spec_names,
        main_images=_as_tuple(resolver.value(Field.MAIN_IMAGES, existing.main_images if existing else (), ())),
        detail_images=_as_tuple(resolver.value(Field.DETAIL_IMAGES, existing.detail_images if existing else (), ())),
        skus=tuple(skus),
        changed=True,
        action=_action(status if isinstance(status, Status) else None, existing),
    )
    if existing is not None:
        plan = replace(plan, changed=_changed(plan, existing))
    will_be_listed = plan.action is Action.LIST or (
        existing is not None and existing.status is Status.LISTED and plan.action is None
    )
    if will_be_listed:
        if not group.errors and not any(row.bad for row in group.rows):
            _listing_checks(resolver, plan, facts)
        else:
            _price_checks(group, plan)
    return plan


def _price_checks(group: _Group, plan: ProductPlan) -> None:
    """The listing check a SKU row answers on its own, reported alongside the file's other
    problems so that one upload names them all: a sale price above the list price. (The other
    listing checks need the whole product to be right first.)"""
    bad = {row.number: row.bad for row in group.rows}
    for sku in plan.skus:
        if {Field.SALE_PRICE, Field.LIST_PRICE} & bad.get(sku.row, set()):
            continue
        if sku.list_fen and sku.sale_fen > sku.list_fen:
            group.add(sku.row, Field.SALE_PRICE, Problem.SALE_ABOVE_LIST)


def _match(groups: list[_Group], facts: CatalogFacts) -> list[int | None]:
    """Each group's product: the one owning its first known SKU code (None: a new product)."""
    matched: list[int | None] = []
    claimed: dict[int, str] = {}
    for group in groups:
        product_id: int | None = None
        for row in group.rows:
            owner = facts.sku_owners.get(row.code)
            if owner is None:
                continue
            if product_id is None:
                product_id = owner
            elif owner != product_id:
                group.add(row.number, Field.SKU_CODE, Problem.SKU_OF_OTHER_PRODUCT, code=row.code, product=owner)
        if product_id is not None and product_id not in facts.products:
            product_id = None  # owner vanished between loading and checking: create (the write re-checks codes)
        if product_id is not None:
            if product_id in claimed:
                group.add(
                    group.rows[0].number, Field.PRODUCT_KEY, Problem.PRODUCT_UNDER_TWO_KEYS,
                    product=product_id, key=claimed[product_id],
                )  # fmt: skip
            claimed.setdefault(product_id, group.key)
        matched.append(product_id)
    return matched


def plan_import(
    sheet: Sheet,
    header: HeaderMap,
    facts: CatalogFacts,
    *,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = 100,
) -> ImportPlan:
    """Check every row and turn the file into one plan per product; any error and the plan
    must not be written. `on_progress(rows_checked)` is called every `progress_every` rows."""
    if header.errors:
        return ImportPlan(row_count=len(sheet.rows), products=(), errors=tuple(header.errors))
    errors: list[RowError] = []
    groups: dict[str, _Group] = {}
    first_code_row: dict[str, int] = {}
    for count, line in enumerate(sheet.rows, start=1):
        row = _parse_row(line, header, facts.names, errors)
        if row.code:
            if row.code in first_code_row:
                row.bad.add(Field.SKU_CODE)
                errors.append(
                    RowError(row.number, Field.SKU_CODE, Problem.DUPLICATE_SKU,
                             {"code": row.code, "row": first_code_row[row.code]})
                )  # fmt: skip
            first_code_row.setdefault(row.code, row.number)
        if row.key and row.code:
            groups.setdefault(row.key, _Group(key=row.key, rows=[], errors=[])).rows.append(row)
        if on_progress is not None and count % progress_every == 0:
            on_progress(count)
    group_list = list(groups.values())
    plans: list[ProductPlan] = []
    for group, product_id in zip(group_list, _match(group_list, facts), strict=True):
        plans.append(_plan_group(group, header, facts, product_id))
        errors.extend(group.errors)
    if on_progress is not None:
        on_progress(len(sheet.rows))
    return ImportPlan(row_count=len(sheet.rows), products=tuple(plans), errors=tuple(sorted(errors, key=error_order)))


# --- export ---------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [column.header for column in COLUMNS]


def yuan(fen: int) -> Decimal:
    return Money(fen).yuan


def export_rows(product: ExistingProduct, names: CatalogNames) -> Iterator[list[Cell]]:
    """One row per active SKU, in the columns and spellings the import reads back unchanged."""
    scene_names = [names.scene_names[scene] for scene in product.scene_ids if scene in names.scene_names]
    product_cells: dict[Field, Cell] = {
        Field.PRODUCT_KEY: str(product.id),
        Field.TITLE: product.title,
        Field.BRAND: names.brand_names.get(product.brand_id, ""),
        Field.CATEGORY: names.category_paths.get(product.category_id, ""),
        Field.SCENES: SCENE_SEPARATOR.join(scene_names),
        Field.TIER: TIER_LABELS.get(product.tier, product.tier),
        Field.SELLING_POINTS: LIST_SEPARATOR.join(product.selling_points),
        Field.DESCRIPTION: product.description,
        Field.MAIN_IMAGES: LIST_SEPARATOR.join(product.main_images),
        Field.DETAIL_IMAGES: LIST_SEPARATOR.join(product.detail_images),
        Field.STATUS: STATUS_LABELS[product.status],
    }
    for sku in product.skus:
        if not sku.is_active:
            continue
        cells: dict[Field, Cell] = {
            **product_cells,
            Field.SPECS: LIST_SEPARATOR.join(
                f"{name}:{sku.spec_values[name]}" for name in product.spec_names if name in sku.spec_values
            ),
            Field.SKU_CODE: sku.code,
            Field.BARCODE: sku.barcode,
            Field.SALE_PRICE: yuan(sku.sale_fen),
            Field.LIST_PRICE: yuan(sku.list_fen),
            Field.COST_PRICE: yuan(sku.cost_fen),
            Field.WEIGHT_G: sku.weight_g,
            Field.STOCK_QUANTITY: sku.stock_quantity,
        }
        yield [cells[column.field] for column in COLUMNS]
