"""Product search on the database's own full-text index (SQLite FTS5 or PostgreSQL), one behaviour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shopkeeper.catalog import services
from shopkeeper.catalog.models import Product, ProductSearchDocument
from shopkeeper.catalog.search import product_search, search_reindex_all, search_suggest
from shopkeeper.catalog.tests.conftest import SYSTEM, product_input, sku

MakeProduct = Callable[..., Product]


@pytest.fixture
def shelf(make_product: MakeProduct, catalog_base: dict[str, Any]) -> dict[str, Product]:
    """Four listed products and a draft; the candle mentions 连衣裙 only in a selling point."""
    home = catalog_base["home"].pk
    return {
        "dress": make_product(title="法式收腰连衣裙", listed=True),
        "shirt_dress": make_product(
            title="衬衫式连衣裙 纯棉", listed=True, skus=[sku("SD-1", 颜色="白", 尺码="M")], scene_ids=[]
        ),
        "candle": make_product(
            title="香薰蜡烛",
            category_id=home,
            brand_id=catalog_base["other_brand"].pk,
            selling_points=["适合搭配连衣裙拍照"],
            spec_names=[],
            skus=[sku("CANDLE-1")],
            scene_ids=[catalog_base["camping"].pk],
            listed=True,
        ),
        "bedding": make_product(
            title="纯棉四件套 1.8m床",
            category_id=home,
            spec_names=[],
            skus=[sku("BED-1")],
            scene_ids=[],
            listed=True,
        ),
        "draft": make_product(title="草稿连衣裙", spec_names=[], skus=[sku("DRAFT-1")]),
    }


def ids(result: Any) -> list[int]:
    return list(result.ids)


def test_title_hits_come_before_other_hits(shelf: dict[str, Product]) -> None:
    result = product_search("连衣裙")
    assert result.total == 3
    assert set(ids(result)[:2]) == {shelf["dress"].pk, shelf["shirt_dress"].pk}
    assert ids(result)[2] == shelf["candle"].pk


def test_best_sellers_lead_among_equal_title_hits(shelf: dict[str, Product]) -> None:
    Product.objects.filter(pk=shelf["shirt_dress"].pk).update(sales_count=500)
    assert ids(product_search("连衣裙"))[0] == shelf["shirt_dress"].pk


def test_every_word_must_match(shelf: dict[str, Product]) -> None:
    assert ids(product_search("纯棉 四件套")) == [shelf["bedding"].pk]
    assert ids(product_search("纯棉四件套")) == [shelf["bedding"].pk]
    assert ids(product_search("纯棉 连衣裙")) == [shelf["shirt_dress"].pk]
    assert product_search("纯棉 帐篷").total == 0


def test_brand_category_and_scene_names_in_both_languages(shelf: dict[str, Product]) -> None:
    assert ids(product_search("栖木")) == [shelf["candle"].pk]
    assert ids(product_search("qimu")) == [shelf["candle"].pk]
    assert ids(product_search("Weekend camping")) == [shelf["candle"].pk]
    assert set(ids(product_search("womenswear"))) == {shelf["dress"].pk, shelf["shirt_dress"].pk}
    assert set(ids(product_search("通勤"))) == {shelf["dress"].pk}
    assert set(ids(product_search("家居"))) == {shelf["candle"].pk, shelf["bedding"].pk}


def test_single_characters_and_sku_specs_and_numbers(shelf: dict[str, Product]) -> None:
    assert shelf["dress"].pk in ids(product_search("裙"))
    assert ids(product_search("1.8m")) == [shelf["bedding"].pk]
    assert shelf["dress"].pk in ids(product_search("雾霾蓝"))


def test_drafts_are_found_only_when_asked(shelf: dict[str, Product]) -> None:
    assert shelf["draft"].pk not in ids(product_search("草稿"))
    assert ids(product_search("草稿", listed_only=False)) == [shelf["draft"].pk]


def test_listing_and_delisting_update_the_index(shelf: dict[str, Product]) -> None:
    services.product_delist(actor=SYSTEM, product=shelf["bedding"])
    assert product_search("四件套").total == 0
    services.product_list(actor=SYSTEM, product=Product.objects.get(pk=shelf["bedding"].pk))
    assert product_search("四件套").total == 1


def test_an_edited_title_is_searchable_at_once(shelf: dict[str, Product], catalog_base: dict[str, Any]) -> None:
    product = shelf["dress"]
    data = product_input(catalog_base, title="复古灯芯绒长裙")
    services.product_update(actor=SYSTEM, product=product, data=data)
    assert ids(product_search("灯芯绒 长裙")) == [product.pk]
    # Still a dress by category, but no longer a title hit: the other dress now leads.
    assert ids(product_search("连衣裙"))[0] == shelf["shirt_dress"].pk


def test_paging_keeps_the_total(shelf: dict[str, Product]) -> None:
    first = product_search("连衣裙", limit=2)
    rest = product_search("连衣裙", limit=2, offset=2)
    beyond = product_search("连衣裙", limit=2, offset=10)
    assert (first.total, rest.total, beyond.total) == (3, 3, 3)
    assert (len(first.ids), len(rest.ids), beyond.ids) == (2, 1, [])
    assert set(first.ids).isdisjoint(rest.ids)


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ('"', 0),
        ("'", 0),
        ("连衣裙 OR 蜡烛", 0),  # "or" is a word to find, not an operator
        ("连衣裙*", 3),
        ("-连衣裙", 3),
        ("(连衣裙", 3),
        ("title_tokens:连衣裙", 0),  # no column filters: "title" and "tokens" are words
        ("a & b | !c", 0),
        ("\\", 0),
        ("%_", 0),
        ("NEAR(连衣裙 蜡烛)", 0),
    ],
)
def test_search_syntax_is_only_characters(shelf: dict[str, Product], query: str, total: int) -> None:
    assert product_search(query).total == total  # and never a database error


def test_empty_and_overlong_queries(shelf: dict[str, Product]) -> None:
    assert product_search("   ").total == 0
    assert product_search("，。！").total == 0
    assert product_search("连衣裙" * 200).total >= 0


def test_suggestions_complete_the_last_word_best_sellers_first(shelf: dict[str, Product]) -> None:
    Product.objects.filter(pk=shelf["shirt_dress"].pk).update(sales_count=900)
    assert search_suggest("连衣")[:2] == ["衬衫式连衣裙 纯棉", "法式收腰连衣裙"]
    assert search_suggest("草稿") == []  # drafts never suggested
    assert search_suggest("") == []
    assert search_suggest("zzzz") == []


def test_suggestions_lead_with_brands(shelf: dict[str, Product]) -> None:
    assert search_suggest("Qi")[0] == "Qimu"
    assert search_suggest("栖")[0] == "栖木"


def test_english_singular_and_plural_find_each_other(
    shelf: dict[str, Product], make_product: MakeProduct, catalog_base: dict[str, Any]
) -> None:
    dresses = {shelf["dress"].pk, shelf["shirt_dress"].pk}  # their category is "dresses"
    assert set(ids(product_search("dress"))) == dresses
    assert set(ids(product_search("dresses"))) == dresses
    assert set(ids(product_search("DRESS womenswear"))) == dresses
    kitchen = services.category_create(actor=SYSTEM, name="保温杯", name_en="tumbler", parent=catalog_base["home"])
    cup = make_product(
        title="316不锈钢保温杯", category_id=kitchen.pk, spec_names=[], skus=[sku("CUP-1")], scene_ids=[], listed=True
    )
    assert ids(product_search("tumblers")) == [cup.pk]
    assert ids(product_search("tumbler")) == [cup.pk]
    assert ids(product_search("outfit")) == [shelf["dress"].pk]  # the scene "office outfits"


def test_the_last_word_is_also_the_start_of_a_word(shelf: dict[str, Product]) -> None:
    assert set(ids(product_search("womensw"))) == {shelf["dress"].pk, shelf["shirt_dress"].pk}
    assert ids(product_search("camping wee")) == [shelf["candle"].pk]
    assert product_search("wee camping").total == 0  # only the last word is still being typed
    assert ids(product_search("纯棉 四件")) == [shelf["bedding"].pk]
    assert ids(product_search("1.8")) == [shelf["bedding"].pk]
    assert product_search("1.9").total == 0


def test_suggestions_offer_english_category_and_scene_names(
    shelf: dict[str, Product], catalog_base: dict[str, Any]
) -> None:
    services.category_create(actor=SYSTEM, name="童装", name_en="kidswear", parent=catalog_base["apparel"])
    assert search_suggest("dre") == ["dresses"]
    assert search_suggest("Camp") == ["weekend camping"]
    assert search_suggest("womens")[0] == "womenswear"
    assert search_suggest("kid") == []  # a category with nothing listed in it is not offered
    assert search_suggest("Shi")[0] == "Shiguang"  # brands still lead


def test_reindex_all_rebuilds_lost_documents(shelf: dict[str, Product]) -> None:
    ProductSearchDocument.objects.all().delete()
    assert product_search("连衣裙").total == 0
    assert search_reindex_all() == Product.objects.count()
    assert product_search("连衣裙").total == 3


def test_reindex_command(shelf: dict[str, Product]) -> None:
    from io import StringIO

    from django.core.management import call_command

    ProductSearchDocument.objects.all().delete()
    out = StringIO()
    call_command("catalog_reindex", stdout=out)
    assert out.getvalue().startswith(f"Indexed {Product.objects.count()} products")
    assert product_search("四件套").total == 1
