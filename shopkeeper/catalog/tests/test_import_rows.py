"""Import rows, without a database: the column spec, every per-row check, grouping rows into
products, the create/update rule and the export → import round trip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkeeper.catalog.domain.compliance import BannedTerm, ComplianceChecker
from shopkeeper.catalog.domain.import_rows import (
    COLUMNS,
    MAX_ROWS,
    CatalogFacts,
    CatalogNames,
    CategoryNode,
    Cell,
    CellRefused,
    ExistingProduct,
    ExistingSku,
    Field,
    ImportPlan,
    Named,
    Problem,
    SheetRefused,
    export_header,
    export_rows,
    map_header,
    parse_count,
    parse_price,
    parse_specs,
    plan_import,
    sheet_from_rows,
)
from shopkeeper.catalog.domain.lifecycle import Action, Status

TODAY = date(2026, 11, 22)
NAMES = CatalogNames(
    brands=[Named(1, "拾光", "Shiguang"), Named(2, "栖木", "Qimu")],
    categories=[
        CategoryNode(10, ("服饰",), "apparel"),
        CategoryNode(11, ("服饰", "女装"), "womenswear"),
        CategoryNode(12, ("服饰", "女装", "连衣裙"), "dresses"),
        CategoryNode(13, ("服饰", "童装"), "kidswear"),
        CategoryNode(14, ("服饰", "童装", "连衣裙"), "kids dresses"),
        CategoryNode(20, ("家居",), "home"),
        CategoryNode(21, ("家居", "收纳盒"), "storage"),
    ],
    scenes=[Named(100, "通勤穿搭", "office outfits"), Named(101, "周末露营", "weekend camping")],
)
CHECKER = ComplianceChecker([BannedTerm("最"), BannedTerm("第一")])
HEADER = export_header()


def facts(products: Sequence[ExistingProduct] = ()) -> CatalogFacts:
    return CatalogFacts(
        names=NAMES,
        sku_owners={sku.code: product.id for product in products for sku in product.skus},
        products={product.id: product for product in products},
        checker=CHECKER,
        today=TODAY,
    )


def row(**cells: Cell) -> dict[Field, Cell]:
    base: dict[Field, Cell] = {
        Field.PRODUCT_KEY: "P1",
        Field.TITLE: "法式收腰连衣裙",
        Field.BRAND: "拾光",
        Field.CATEGORY: "服饰/女装/连衣裙",
        Field.SCENES: "通勤穿搭",
        Field.TIER: "利润品",
        Field.SELLING_POINTS: "垂感面料|收腰显瘦",
        Field.DESCRIPTION: "一条裙子",
        Field.SPECS: "颜色:雾霾蓝|尺码:M",
        Field.SKU_CODE: "D-BLUE-M",
        Field.BARCODE: "6901234567890",
        Field.SALE_PRICE: "199.00",
        Field.LIST_PRICE: "299.00",
        Field.COST_PRICE: "80",
        Field.WEIGHT_G: "300",
        Field.STOCK_QUANTITY: "12",
        Field.MAIN_IMAGES: "/static/dress.svg",
        Field.DETAIL_IMAGES: "/static/dress-1.svg|/static/dress-2.svg",
        Field.STATUS: "草稿",
    }
    base.update({Field(name): value for name, value in cells.items()})
    return base


def plan(
    rows: Sequence[Mapping[Field, Cell]],
    *,
    header: Sequence[str] | None = None,
    fields: Sequence[Field] | None = None,
    products: Sequence[ExistingProduct] = (),
) -> ImportPlan:
    """Plan a sheet of `rows` with the columns `fields` (default: every column, export headers)."""
    fields = list(fields or [column.field for column in COLUMNS])
    titles = list(header) if header else [next(c.header for c in COLUMNS if c.field == f) for f in fields]
    table: list[Sequence[Cell]] = [titles] + [[r.get(f) for f in fields] for r in rows]
    sheet = sheet_from_rows(table)
    return plan_import(sheet, map_header(sheet), facts(products))


def problems(result: ImportPlan) -> list[tuple[int, str, Problem]]:
    return [(e.row, e.field.value if e.field else "", e.problem) for e in result.errors]


def existing(*, status: Status = Status.LISTED, **overrides: Any) -> ExistingProduct:
    data: dict[str, Any] = {
        "id": 7,
        "title": "法式收腰连衣裙",
        "status": status,
        "brand_id": 1,
        "category_id": 12,
        "scene_ids": (100,),
        "tier": "profit",
        "selling_points": ("垂感面料", "收腰显瘦"),
        "description": "一条裙子",
        "spec_names": ("颜色", "尺码"),
        "main_images": ("/static/dress.svg",),
        "detail_images": ("/static/dress-1.svg", "/static/dress-2.svg"),
        "skus": (
            ExistingSku("D-BLUE-M", {"颜色": "雾霾蓝", "尺码": "M"}, "6901234567890", 19900, 29900, 8000, 300, 12),
            ExistingSku("D-BLUE-L", {"颜色": "雾霾蓝", "尺码": "L"}, "", 19900, 29900, 8000, 300, 5),
        ),
    }
    data.update(overrides)
    return ExistingProduct(**data)


# --- a good sheet ---------------------------------------------------------------------------


class TestGoodSheet:
    def test_rows_group_into_products_with_exact_typed_values(self) -> None:
        result = plan(
            [
                row(),
                row(sku_code="D-BLUE-L", specs="颜色:雾霾蓝|尺码:L", sale_price=219.9, title=None),
                row(product_key="P2", title="收纳盒", category="收纳盒", specs="", sku_code="BOX-1", tier="traffic"),
            ]
        )
        assert result.ok, problems(result)
        dress, box = result.products
        assert dress.creates
        assert dress.rows == (2, 3)
        assert (dress.title, dress.brand_id, dress.category_id, dress.tier) == ("法式收腰连衣裙", 1, 12, "profit")
        assert dress.spec_names == ("颜色", "尺码")
        assert [(s.code, s.sale_fen, s.list_fen, s.cost_fen) for s in dress.skus] == [
            ("D-BLUE-M", 19900, 29900, 8000),
            ("D-BLUE-L", 21990, 29900, 8000),
        ]
        assert dress.skus[1].spec_values == {"颜色": "雾霾蓝", "尺码": "L"}
        assert dress.selling_points == ("垂感面料", "收腰显瘦")
        assert dress.detail_images == ("/static/dress-1.svg", "/static/dress-2.svg")
        assert (box.category_id, box.tier, box.spec_names) == (21, "traffic", ())
        assert result.counts()["created"] == 2

    def test_english_headers_and_spellings_are_accepted(self) -> None:
        english = [c.field.value.replace("_", " ") for c in COLUMNS]
        result = plan(
            [row(tier="long_tail", status="listed", brand="shiguang", scenes="Office Outfits, 周末露营")],
            header=english,
        )
        assert result.ok, problems(result)
        (product,) = result.products
        assert (product.tier, product.brand_id, product.action) == ("long_tail", 1, Action.LIST)
        assert set(product.scene_ids) == {100, 101}

    def test_headers_ignore_width_case_and_units(self) -> None:
        header = [c.header.replace("(", "（").replace(")", "）") for c in COLUMNS]
        header[header.index("SKU编码")] = "sku编码"
        header[header.index("售价（元）")] = "售价"
        assert plan([row()], header=header).ok

    def test_money_arrives_as_text_int_float_or_decimal(self) -> None:
        cells: list[Cell] = ["¥1,299.50", 1299.5, Decimal("1299.50"), "１２９９.５", "1299.5元"]
        for cell in cells:
            assert parse_price(cell, positive=True) == 129950, cell
        assert parse_price(1299, positive=True) == 129900
        assert parse_price(None, positive=True) is None

    def test_a_category_may_be_named_when_only_one_has_the_name(self) -> None:
        result = plan([row(category="收纳盒"), row(product_key="P2", sku_code="X", category=" 服饰 / 女装 ")])
        assert [p.category_id for p in result.products] == [21, 11]

    def test_later_rows_may_leave_product_cells_blank(self) -> None:
        blank = {f.value: None for f in (Field.TITLE, Field.BRAND, Field.CATEGORY, Field.SCENES, Field.STATUS)}
        result = plan([row(), row(sku_code="D-BLUE-L", specs="颜色:雾霾蓝|尺码:L", **blank)])
        assert result.ok, problems(result)
        assert result.products[0].scene_ids == (100,)


# --- every bad cell is reported, with row and column -----------------------------------------


class TestBadCells:
    @pytest.mark.parametrize(
        ("cells", "field", "problem"),
        [
            ({"sale_price": "12.345"}, Field.SALE_PRICE, Problem.FEN_FRACTION),
            ({"sale_price": 0.1 + 0.2}, Field.SALE_PRICE, Problem.FEN_FRACTION),  # a float is never rounded
            ({"sale_price": "abc"}, Field.SALE_PRICE, Problem.NOT_A_NUMBER),
            ({"sale_price": True}, Field.SALE_PRICE, Problem.NOT_A_NUMBER),
            ({"sale_price": "0"}, Field.SALE_PRICE, Problem.NOT_POSITIVE),
            ({"sale_price": None}, Field.SALE_PRICE, Problem.REQUIRED),
            ({"sale_price": "1e999999"}, Field.SALE_PRICE, Problem.TOO_LARGE),
            ({"list_price": "-1"}, Field.LIST_PRICE, Problem.NEGATIVE),
            ({"cost_price": "NaN"}, Field.COST_PRICE, Problem.NOT_A_NUMBER),
            ({"weight_g": 1.5}, Field.WEIGHT_G, Problem.NOT_WHOLE),
            ({"stock_quantity": "-3"}, Field.STOCK_QUANTITY, Problem.NEGATIVE),
            ({"stock_quantity": 3_000_000_000}, Field.STOCK_QUANTITY, Problem.TOO_LARGE),
            ({"title": "长" * 121}, Field.TITLE, Problem.TOO_LONG),
            ({"title": None}, Field.TITLE, Problem.REQUIRED),
            ({"brand": "无此品牌"}, Field.BRAND, Problem.UNKNOWN_BRAND),
            ({"category": "服饰/男装"}, Field.CATEGORY, Problem.UNKNOWN_CATEGORY),
            ({"category": "连衣裙"}, Field.CATEGORY, Problem.AMBIGUOUS_CATEGORY),
            ({"scenes": "通勤穿搭、海边度假"}, Field.SCENES, Problem.UNKNOWN_SCENE),
            ({"tier": "主推"}, Field.TIER, Problem.UNKNOWN_TIER),
            ({"status": "在售"}, Field.STATUS, Problem.UNKNOWN_STATUS),
            ({"specs": "颜色雾霾蓝"}, Field.SPECS, Problem.SPEC_FORMAT),
            ({"specs": "颜色:蓝|颜色:白"}, Field.SPECS, Problem.SPEC_NAME_REPEATS),
            ({"sku_code": "X" * 65}, Field.SKU_CODE, Problem.TOO_LONG),
            ({"sku_code": None}, Field.SKU_CODE, Problem.REQUIRED),
            ({"product_key": " "}, Field.PRODUCT_KEY, Problem.REQUIRED),
            ({"barcode": "9" * 33}, Field.BARCODE, Problem.TOO_LONG),
            ({"main_images": "https://x/" + "a" * 500}, Field.MAIN_IMAGES, Problem.TOO_LONG),
        ],
    )
    def test_one_bad_cell_rejects_the_file_at_its_row_and_column(
        self, cells: dict[str, Cell], field: Field, problem: Problem
    ) -> None:
        result = plan([row(product_key="OK", sku_code="GOOD"), row(**cells)])
        assert not result.ok
        assert (3, field.value, problem) in problems(result)
        assert all(error.row == 3 for error in result.errors)  # the good row (2) is not blamed

    def test_every_bad_row_is_listed_not_just_the_first(self) -> None:
        rows = [row(product_key=f"P{n}", sku_code=f"S{n}", sale_price="x" if n % 2 else "9.9") for n in range(10)]
        result = plan(rows)
        assert [e.row for e in result.errors] == [3, 5, 7, 9, 11]

    def test_header_problems_stop_before_the_rows(self) -> None:
        header = [*HEADER, "备注", "品牌"]
        result = plan([row()], header=header, fields=[*[c.field for c in COLUMNS], Field.TITLE, Field.BRAND])
        assert problems(result) == [(1, "", Problem.UNKNOWN_COLUMN), (1, "brand", Problem.DUPLICATE_COLUMN)]
        missing = plan([row()], fields=[Field.TITLE, Field.SALE_PRICE])
        assert problems(missing) == [
            (1, "product_key", Problem.MISSING_COLUMN),
            (1, "sku_code", Problem.MISSING_COLUMN),
        ]

    def test_duplicate_sku_codes_in_the_file(self) -> None:
        result = plan([row(), row(product_key="P2", title="别的")])
        assert problems(result) == [(3, "sku_code", Problem.DUPLICATE_SKU)]
        assert result.errors[0].params == {"code": "D-BLUE-M", "row": 2}

    def test_product_cells_that_disagree(self) -> None:
        result = plan([row(), row(sku_code="D-BLUE-L", specs="颜色:雾霾蓝|尺码:L", tier="爆款", brand="Shiguang")])
        assert problems(result) == [(3, "tier", Problem.INCONSISTENT)]
        assert result.errors[0].params == {"row": 2}

    def test_spec_names_must_match_and_combinations_must_differ(self) -> None:
        result = plan(
            [
                row(),
                row(sku_code="B", specs="颜色:雾霾蓝"),
                row(sku_code="C", specs="尺码:M|颜色:雾霾蓝"),
            ]
        )
        assert problems(result) == [(3, "specs", Problem.SPEC_NAMES_DIFFER), (4, "specs", Problem.SPECS_REPEAT)]


# --- create or update -----------------------------------------------------------------------


class TestCreateOrUpdate:
    def test_a_known_sku_code_updates_its_product_and_unknown_codes_join_it(self) -> None:
        result = plan(
            [
                row(product_key="anything", status=None),
                row(product_key="anything", sku_code="NEW", specs="颜色:白|尺码:M", status=None),
            ],
            products=[existing()],
        )
        assert result.ok, problems(result)
        (product,) = result.products
        assert (product.product_id, product.changed, product.action) == (7, True, None)
        assert [s.code for s in product.skus] == ["D-BLUE-M", "NEW"]  # D-BLUE-L is left out: deactivated

    def test_an_unedited_export_changes_nothing(self) -> None:
        product = existing()
        sheet_rows = [dict(zip([c.field for c in COLUMNS], r, strict=True)) for r in export_rows(product, NAMES)]
        result = plan(sheet_rows, products=[product])
        assert result.ok, problems(result)
        assert result.counts() == {
            "rows": 2, "products": 1, "created": 0, "updated": 0, "unchanged": 1, "listed": 0, "delisted": 0
        }  # fmt: skip

    def test_left_out_columns_keep_what_the_product_has(self) -> None:
        fields = [Field.PRODUCT_KEY, Field.SKU_CODE, Field.SALE_PRICE]
        result = plan(
            [row(sale_price="189"), row(sku_code="D-BLUE-L", sale_price="199")], fields=fields, products=[existing()]
        )
        assert result.ok, problems(result)
        (product,) = result.products
        assert (product.title, product.scene_ids, product.spec_names) == ("法式收腰连衣裙", (100,), ("颜色", "尺码"))
        assert [(s.sale_fen, s.list_fen, s.stock_quantity) for s in product.skus] == [
            (18900, 29900, 12),
            (19900, 29900, 5),
        ]
        assert (product.changed, product.action) == (True, None)

    def test_a_new_product_needs_the_columns_it_cannot_do_without(self) -> None:
        result = plan([row(sku_code="NEW")], fields=[Field.PRODUCT_KEY, Field.SKU_CODE, Field.SALE_PRICE])
        assert {(e.field, e.problem) for e in result.errors} == {
            (Field.TITLE, Problem.NEEDS_COLUMN),
            (Field.BRAND, Problem.NEEDS_COLUMN),
            (Field.CATEGORY, Problem.NEEDS_COLUMN),
        }

    def test_codes_of_two_products_in_one_group(self) -> None:
        other = existing(id=8, skus=(ExistingSku("OTHER", {"颜色": "白", "尺码": "M"}, "", 100, 0, 0, 0, 0),))
        result = plan([row(), row(sku_code="OTHER", specs="颜色:白|尺码:M")], products=[existing(), other])
        assert problems(result) == [(3, "sku_code", Problem.SKU_OF_OTHER_PRODUCT)]
        assert result.errors[0].params == {"code": "OTHER", "product": 8}

    def test_one_product_under_two_keys(self) -> None:
        result = plan(
            [row(product_key="A"), row(product_key="B", sku_code="D-BLUE-L", specs="颜色:雾霾蓝|尺码:L")],
            products=[existing()],
        )
        assert problems(result) == [(3, "product_key", Problem.PRODUCT_UNDER_TWO_KEYS)]

    def test_draft_status_takes_a_listed_product_off_sale(self) -> None:
        result = plan([row(status="草稿", title="最好的裙子")], products=[existing()])
        assert result.ok, problems(result)  # banned words are fine once it is off sale
        assert result.products[0].action is Action.DELIST

    def test_an_inactive_sku_in_the_file_comes_back(self) -> None:
        skus = existing().skus
        inactive = ExistingSku("D-BLUE-L", {"颜色": "雾霾蓝", "尺码": "L"}, "", 19900, 29900, 8000, 300, 5, False)
        product = existing(skus=(skus[0], inactive))
        rows = [row(status="上架"), row(sku_code="D-BLUE-L", specs="颜色:雾霾蓝|尺码:L", stock_quantity=5, status=None)]
        result = plan(rows, products=[product])
        assert result.ok
        assert result.products[0].changed


# --- listing checks -------------------------------------------------------------------------


class TestListing:
    def test_banned_words_refuse_a_product_that_is_to_be_listed(self) -> None:
        result = plan([row(status="上架", title="第一品牌连衣裙", selling_points="最显瘦")])
        assert problems(result) == [(2, "title", Problem.BANNED_WORD), (2, "selling_points", Problem.BANNED_WORD)]
        assert plan([row(status="草稿", title="第一品牌连衣裙")]).ok

    def test_a_listed_product_stays_listed_so_its_copy_is_checked(self) -> None:
        result = plan([row(status=None, description="全网最低")], products=[existing()])
        assert problems(result) == [(2, "description", Problem.BANNED_WORD)]

    def test_the_other_listing_checks(self) -> None:
        result = plan(
            [
                row(status="上架", main_images=None),
                row(sku_code="B", specs="颜色:白|尺码:M", sale_price="399", status=None, main_images=None),
            ]
        )
        assert problems(result) == [
            (2, "main_images", Problem.NO_MAIN_IMAGE),
            (3, "sale_price", Problem.SALE_ABOVE_LIST),
        ]

    def test_a_sale_price_above_the_list_price_is_reported_with_the_other_problems(self) -> None:
        """One upload names every problem: the price pair of a row to be listed too."""
        result = plan(
            [
                row(status="上架", scenes="无此场景", sale_price="399"),
                row(sku_code="B", specs="颜色:白|尺码:M", sale_price="399", list_price="abc", status=None),
                row(sku_code="C", specs="颜色:黑|尺码:M", sale_price="199", status=None),
            ]
        )
        assert problems(result) == [
            (2, "scenes", Problem.UNKNOWN_SCENE),
            (2, "sale_price", Problem.SALE_ABOVE_LIST),
            (3, "list_price", Problem.NOT_A_NUMBER),  # no list price to compare with
        ]
        draft = plan([row(status="草稿", scenes="无此场景", sale_price="399")])
        assert problems(draft) == [(2, "scenes", Problem.UNKNOWN_SCENE)]  # a draft may be priced so

    def test_expired_qualifications_stop_listing(self) -> None:
        product = existing(status=Status.DRAFT, qualification_expiries=(date(2026, 1, 1), None))
        result = plan([row(status="上架")], products=[product])
        assert problems(result) == [(2, "status", Problem.QUALIFICATION_EXPIRED)]
        assert result.errors[0].params == {"count": 1}


# --- the sheet itself -----------------------------------------------------------------------


class TestSheet:
    def test_blank_rows_are_skipped_but_keep_their_numbers(self) -> None:
        sheet = sheet_from_rows([[None, ""], HEADER, [], [None] * 3, ["P1"]])
        assert sheet.header_row == 2
        assert [r.number for r in sheet.rows] == [5]

    def test_too_many_rows_and_no_header(self) -> None:
        with pytest.raises(SheetRefused) as refused:
            sheet_from_rows([HEADER, *([["x"]] * (MAX_ROWS + 1))])
        assert refused.value.error.problem is Problem.TOO_MANY_ROWS
        with pytest.raises(SheetRefused) as empty:
            sheet_from_rows([[], [" "]])
        assert empty.value.error.problem is Problem.NO_HEADER

    def test_progress_is_reported_every_hundred_rows_and_at_the_end(self) -> None:
        rows = [row(product_key=f"P{n}", sku_code=f"S{n}") for n in range(250)]
        sheet = sheet_from_rows([HEADER, *[[r[c.field] for c in COLUMNS] for r in rows]])
        seen: list[int] = []
        plan_import(sheet, map_header(sheet), facts(), on_progress=seen.append)
        assert seen == [100, 200, 250]

    def test_specs_cell(self) -> None:
        assert parse_specs("颜色：雾霾蓝 | 尺码:M") == (("颜色", "雾霾蓝"), ("尺码", "M"))
        assert parse_specs("") == ()


# --- invariants -----------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=9_999_999_999)


@given(cents)
def test_yuan_with_two_decimals_parse_exactly_in_every_cell_type(fen: int) -> None:
    text = f"{fen // 100}.{fen % 100:02d}"
    assert parse_price(text, positive=True) == fen
    assert parse_price(Decimal(text), positive=True) == fen
    assert parse_price(float(text), positive=True) == fen  # the float's shortest form is the typed number


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3))
def test_a_fraction_of_a_fen_is_refused_never_rounded(value: Decimal) -> None:
    if value * 100 == (value * 100).to_integral_value():
        assert parse_price(value, positive=True) == int(value * 100)
    else:
        with pytest.raises(CellRefused) as refused:
            parse_price(value, positive=True)
        assert refused.value.problem is Problem.FEN_FRACTION


any_cell = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)


@given(any_cell)
def test_number_cells_are_parsed_or_refused_never_crash(cell: Cell) -> None:
    for parse in (lambda c: parse_price(c, positive=True), lambda c: parse_price(c, positive=False), parse_count):
        try:
            value = parse(cell)
        except CellRefused:
            continue
        assert value is None or (isinstance(value, int) and value >= 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(any_cell, min_size=len(COLUMNS), max_size=len(COLUMNS)), min_size=1, max_size=8))
def test_any_sheet_is_planned_or_refused_row_by_row(cells: list[list[Cell]]) -> None:
    sheet = sheet_from_rows([HEADER, *cells])
    result = plan_import(sheet, map_header(sheet), facts([existing()]))
    numbers = {r.number for r in sheet.rows}
    assert all(error.row in numbers | {sheet.header_row} for error in result.errors)
    if result.ok:
        planned = sorted(sku.row for product in result.products for sku in product.skus)
        assert planned == sorted(numbers)  # every row lands in exactly one product


names = st.text(alphabet="颜色尺码规格容量abcXYZ", min_size=1, max_size=4)
values = st.text(alphabet="雾霾蓝白黑灰SMLX0123456789 -_", min_size=1, max_size=6).map(str.strip).filter(bool)


@st.composite
def products(draw: st.DrawFn) -> ExistingProduct:
    spec_names = tuple(draw(st.lists(names, max_size=2, unique=True)))
    count = draw(st.integers(min_value=1, max_value=4))
    skus = []
    for index in range(count):
        specs = {name: f"{draw(values)}{index}" for name in spec_names}
        sale = draw(cents)
        skus.append(
            ExistingSku(
                code=f"C{draw(st.integers(0, 999))}-{index}",
                spec_values=specs,
                barcode=draw(st.sampled_from(["", "6901234567890", "0012"])),
                sale_fen=sale,
                list_fen=draw(st.sampled_from([0, 1])) * min(sale + draw(st.integers(0, 10**6)), 9_999_999_999),
                cost_fen=draw(st.integers(0, 10**8)),
                weight_g=draw(st.integers(0, 10**6)),
                stock_quantity=draw(st.integers(0, 10**6)),
                is_active=draw(st.booleans()) or index == 0,
            )
        )
    line = st.text(alphabet="法式收腰连衣裙 =+-@'\"，,。|", min_size=1, max_size=12).map(str.strip).filter(bool)
    return ExistingProduct(
        id=draw(st.integers(1, 10**6)),
        title=draw(line),
        status=draw(st.sampled_from(list(Status))),
        brand_id=draw(st.sampled_from([1, 2])),
        category_id=draw(st.sampled_from([11, 12, 20, 21])),
        scene_ids=tuple(draw(st.lists(st.sampled_from([100, 101]), unique=True))),
        tier=draw(st.sampled_from(["traffic", "profit", "long_tail"])),
        selling_points=tuple(p for p in (q.replace("|", "").strip() for q in draw(st.lists(line, max_size=3))) if p),
        description=draw(st.text(alphabet="好看\n ,=", max_size=10)).strip(),
        spec_names=spec_names,
        main_images=("/static/a.svg",),
        detail_images=tuple(draw(st.lists(st.sampled_from(["/x.png", "https://cdn/y.jpg"]), max_size=2))),
        skus=tuple(skus),
    )


def _as_text(cell: Cell) -> Cell:
    """A cell as a CSV file holds it: everything is text."""
    return "" if cell is None else str(cell)


@settings(max_examples=80, deadline=None)
@given(products(), st.booleans())
def test_export_then_import_changes_nothing(product: ExistingProduct, as_text: bool) -> None:
    if len({sku.code for sku in product.skus}) != len(product.skus):
        return
    rows = [
        dict(zip([c.field for c in COLUMNS], [_as_text(c) if as_text else c for c in r], strict=True))
        for r in export_rows(product, NAMES)
    ]
    result = plan(rows, products=[product])
    assert result.ok, problems(result)
    (planned,) = result.products
    assert planned.product_id == product.id
    assert (planned.changed, planned.action) == (False, None)
