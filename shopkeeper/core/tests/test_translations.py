"""The Simplified Chinese catalogues are complete: every message translated, none fuzzy, placeholders intact;
and the catalog pages (console and storefront) really come out in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.translation import override

from shopkeeper.catalog.models import Product
from shopkeeper.catalog.tests import conftest as catalog_fixtures
from shopkeeper.core.enums import Role
from shopkeeper.core.management.commands.compile_translations import locale_dirs
from shopkeeper.core.models import User

PACKAGE_DIR = Path(__file__).resolve().parents[2]
PO_PATH = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Each app keeps the messages of its own pages in <app>/locale/ (so teams do not edit one file at once).
APP_PO_PATHS = sorted(
    path for path in PACKAGE_DIR.glob("*/**/locale/zh_Hans/LC_MESSAGES/django.po") if "node_modules" not in path.parts
)
ALL_PO_PATHS = [PO_PATH, *APP_PO_PATHS]

catalog_base = catalog_fixtures.catalog_base  # the catalog's fixtures, for the rendered pages below
make_product = catalog_fixtures.make_product

# printf-style conversions as Python's % operator reads them: %s, %d, %(name)s, %.2f, %%.
PRINTF = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
# str.format fields: {name}, {0}, {name!r:>10}; doubled braces are literal.
BRACE = re.compile(r"(?<!\{)\{(?P<field>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@pytest.fixture(
    scope="module", params=ALL_PO_PATHS, ids=lambda path: "/".join(path.relative_to(PACKAGE_DIR).parts[:-4]) or "main"
)
def po_path(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    assert path.is_file(), f"{path} is missing"
    return path


@pytest.fixture(scope="module")
def catalogue(po_path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(po_path)) if not entry.obsolete]


def _label(entry: polib.POEntry) -> str:
    return repr(entry.msgid) if not entry.msgctxt else f"{entry.msgid!r} (context {entry.msgctxt!r})"


def _failure(problem: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {problem}:\n  " + "\n  ".join(offenders)


def _placeholders(text: str, entry: polib.POEntry) -> tuple[list[str], set[str], set[str]]:
    """Positional printf conversions (in order), named printf keys, and str.format fields of ``text``."""
    positional: list[str] = []
    named: set[str] = set()
    if "python-format" in entry.flags or "%(" in text:
        for match in PRINTF.finditer(text):
            if match["name"] is not None:
                named.add(match["name"])
            elif "python-format" in entry.flags:  # a bare "%" is only a conversion in a python-format message
                positional.append(match.group())
    fields = {match["field"] for match in BRACE.finditer(text)} if "python-brace-format" in entry.flags else set()
    return positional, named, fields


def test_header_declares_one_plural_form(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy"
    assert catalogue.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_is_translated(catalogue: list[polib.POEntry]) -> None:
    offenders = []
    for entry in catalogue:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if not forms or sorted(forms) != [0] or not all(value.strip() for value in forms.values()):
                offenders.append(_label(entry))
        elif not entry.msgstr.strip():
            offenders.append(_label(entry))
    assert not offenders, _failure("untranslated (or wrongly pluralised) messages", offenders)


def test_no_message_is_fuzzy(catalogue: list[polib.POEntry]) -> None:
    offenders = [_label(entry) for entry in catalogue if "fuzzy" in entry.flags]
    assert not offenders, _failure("fuzzy messages", offenders)


def test_translations_keep_the_placeholders(catalogue: list[polib.POEntry]) -> None:
    offenders = []
    for entry in catalogue:
        # Chinese has one plural form, so msgstr[0] stands for the plural (general) wording.
        source = entry.msgid_plural or entry.msgid
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        want_positional, want_named, want_fields = _placeholders(source, entry)
        allowed_named = want_named | _placeholders(entry.msgid, entry)[1]
        for translation in translations:
            if not translation:
                continue  # reported by test_every_message_is_translated
            positional, named, fields = _placeholders(translation, entry)
            if positional != want_positional or not want_named <= named <= allowed_named or fields != want_fields:
                offenders.append(f"{_label(entry)} -> {translation!r}")
    assert not offenders, _failure("translations that lose, add or reorder placeholders", offenders)


def test_compile_translations_compiles_every_catalogue_of_ours() -> None:
    dirs = locale_dirs()
    for path in ALL_PO_PATHS:
        assert path.parents[2] in dirs, f"{path} would not be compiled"
    assert all(directory.is_relative_to(PACKAGE_DIR) for directory in dirs)  # Django's own ship compiled


# --- the pages, rendered in Simplified Chinese --------------------------------------------------------


@pytest.fixture(scope="module")
def compiled() -> None:
    """`make` compiles before pytest; a stale or missing .mo (a bare `pytest`) is compiled here."""
    stale = [
        path
        for path in ALL_PO_PATHS
        if not path.with_suffix(".mo").is_file() or path.with_suffix(".mo").stat().st_mtime < path.stat().st_mtime
    ]
    if stale:
        call_command("compile_translations", verbosity=0)
        from django.utils.translation import trans_real

        # Drop the catalogues loaded before the compile (what Django does when LOCALE_PATHS changes).
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]


@pytest.fixture
def zh_operator(compiled: None, make_staff: Callable[..., User], client: Client) -> Client:
    client.force_login(make_staff(Role.STORE_OPERATOR, username="store_operator_zh"))
    client.cookies["django_language"] = "zh-hans"
    return client


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert '<html lang="zh-hans">' in response.content.decode()
    return response.content.decode()


def _assert_chinese(html: str, labels: list[str], english: list[str]) -> None:
    missing = [label for label in labels if label not in html]
    assert not missing, f"not on the page: {missing}"
    left = [text for text in english if re.search(rf">\s*{re.escape(text)}\s*<", html)]
    assert not left, f"still in English: {left}"


@pytest.mark.django_db
def test_console_product_list_is_in_chinese(zh_operator: Client, make_product: Callable[..., Product]) -> None:
    make_product(listed=True)
    html = _page(zh_operator, "/console/products/")
    _assert_chinese(
        html,
        [
            "<h2>商品管理</h2>",  # the catalog section of the menu, with its entries
            ">导入导出<",
            ">合规检查<",
            ">首页装修<",
            "<h1>商品</h1>",
            "新建商品",
            "标题或 SKU编码",
            "商品分层",
            "全部状态",
            "销量低于",
            "批量改价（所选商品的全部 SKU）",
            "改价",
            "上架所选",
            "下架所选",
            "共 1 件商品",
            "极限词",
            "已上架",
            "<td>长尾品</td>",
        ],
        [
            "Products",
            "New product",
            "Filter",
            "Change prices",
            "List chosen",
            "Delist chosen",
            "Banned words",
            "Catalog",
        ],
    )


@pytest.mark.django_db
def test_console_product_editor_is_in_chinese(zh_operator: Client, make_product: Callable[..., Product]) -> None:
    product = make_product()
    html = _page(zh_operator, f"/console/products/{product.pk}/")
    _assert_chinese(
        html,
        [
            "草稿",
            "立即上架",
            "定时上架",
            "保存定时",
            "文案",
            "卖点",
            "检测文案极限词",
            "主图",
            "详情图",
            "规格与 SKU",
            "生成 SKU 行",
            "售价（¥）",
            "划线价（¥）",
            "成本价（¥）",
            "资质文件",
            "保存商品",
            "价格历史",
            "暂无改价记录。",
            "变更记录",
        ],
        ["Status", "List now", "Copy", "Media", "Specs and SKUs", "Build SKU rows", "Save product", "Price history"],
    )
    new = _page(zh_operator, "/console/products/new/")
    _assert_chinese(new, ["新建商品", "保存为草稿"], ["New product", "Save as draft"])


@pytest.mark.django_db
def test_listing_refusal_reasons_are_in_chinese(zh_operator: Client, make_product: Callable[..., Product]) -> None:
    product = make_product(main_images=[])
    response = zh_operator.post(f"/console/products/{product.pk}/status/", {"action": "list"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "“法式收腰连衣裙”暂时无法上架" in html
    assert '<li data-field="images">至少需要一张主图。</li>' in html
    delisting = zh_operator.post(f"/console/products/{product.pk}/status/", {"action": "delist"})
    assert "草稿商品无法下架。" in delisting.content.decode()


@pytest.mark.django_db
def test_catalog_tool_pages_are_in_chinese(zh_operator: Client) -> None:
    _assert_chinese(
        _page(zh_operator, "/console/catalog/import/"),
        ["导入商品", "上传并导入", "导出商品", "最近导入"],
        ["Import products", "Export products", "Download"],
    )
    _assert_chinese(
        _page(zh_operator, "/console/catalog/compliance/"), ["合规报告", "立即重新扫描"], ["Compliance report"]
    )
    _assert_chinese(_page(zh_operator, "/console/catalog/home/"), ["首页装修", "添加模块"], ["Home page"])


@pytest.mark.django_db
def test_storefront_product_page_is_in_chinese(compiled: None, make_product: Callable[..., Product]) -> None:
    product = make_product(listed=True, description="面料柔软，适合通勤。")
    Product.objects.filter(pk=product.pk).update(sales_count=176)
    html = _page(Client(headers={"accept-language": "zh-hans"}), f"/product/{product.pk}/")
    _assert_chinese(
        html,
        ["首页", "分类", 'placeholder="搜索商品"', "<h2>评价</h2>", "暂无评价。", "<h2>商品介绍</h2>", "已售 176"],
        ["Home", "Categories", "Reviews", "About this product", "176 sold", "No reviews yet."],
    )


@pytest.mark.django_db
def test_listing_reasons_follow_the_language(compiled: None, make_product: Callable[..., Product]) -> None:
    from shopkeeper.catalog import services
    from shopkeeper.catalog.errors import ListingRefused

    product = make_product(main_images=[])
    for language, expected in (("en", "At least one main image is required."), ("zh-hans", "至少需要一张主图。")):
        with override(language), pytest.raises(ListingRefused) as caught:
            services.product_list(actor=catalog_fixtures.SYSTEM, product=product)
        problems: list[dict[str, Any]] = caught.value.details["problems"]
        assert problems == [{"field": "images", "code": "no_main_image", "params": {}, "message": expected}]
