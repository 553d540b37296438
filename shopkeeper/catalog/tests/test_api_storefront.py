"""The storefront API through HTTP as an anonymous shop client: listed products only, filters,
sorting, pagination, money as fen and yuan strings, 422s for bad filters, constant query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.catalog import services
from shopkeeper.catalog.models import Product
from shopkeeper.catalog.tests.conftest import SYSTEM, sku

pytestmark = pytest.mark.django_db

MakeProduct = Callable[..., Product]


def _floats(value: Any) -> list[Any]:
    """Every float anywhere in a JSON document (money must never be one)."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [found for item in value.values() for found in _floats(item)]
    if isinstance(value, list):
        return [found for item in value for found in _floats(item)]
    return []


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def listed(
    make_product: MakeProduct, title: str, *prices: str, sales: int = 0, days_ago: int = 1, **kw: Any
) -> Product:
    """A listed product with one SKU per price (colours in order), its sales and listing time set."""
    colours = ["雾霾蓝", "燕麦白", "樱花粉", "墨黑"]
    code = f"T{Product.objects.count()}"
    product = make_product(
        listed=True,
        title=title,
        spec_names=["颜色"],
        skus=[sku(f"{code}-{i}", price, "999.00", 颜色=colours[i]) for i, price in enumerate(prices or ("199.00",))],
        **kw,
    )
    Product.objects.filter(pk=product.pk).update(sales_count=sales, listed_at=timezone.now() - timedelta(days=days_ago))
    return Product.objects.get(pk=product.pk)


# --- products list ----------------------------------------------------------------------------


def test_list_answers_items_and_count_with_money_in_fen_and_yuan(anonymous_api: Any, make_product: MakeProduct) -> None:
    product = listed(make_product, "法式收腰连衣裙", "199.00", "219.50", sales=12)
    response = anonymous_api.get("shop/products")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == product.pk
    assert item["title"] == "法式收腰连衣裙"
    assert item["price_min"] == {"fen": 19900, "yuan": "199.00"}
    assert item["price_max"] == {"fen": 21950, "yuan": "219.50"}
    assert item["brand"]["name"] == "拾光"
    assert item["image"] == "/static/shopkeeper/demo/dress.svg"
    assert item["sales_count"] == 12
    assert item["rating"] == {"count": 0, "average": None}
    assert _floats(body) == []


def test_list_shows_only_listed_products(anonymous_api: Any, make_product: MakeProduct) -> None:
    shown = listed(make_product, "在售")
    make_product(title="草稿", spec_names=[], skus=[sku("DRAFT-1")])
    gone = listed(make_product, "已下架")
    services.product_delist(actor=SYSTEM, product=gone)
    assert _ids(anonymous_api.get("shop/products")) == [shown.pk]


def test_list_filters_by_category_subtree_scene_brand_price_and_spec(
    anonymous_api: Any, make_product: MakeProduct, catalog_base: dict[str, Any]
) -> None:
    dress = listed(make_product, "连衣裙", "199.00", "259.00")
    blouse = listed(make_product, "衬衫", "89.00", category_id=catalog_base["women"].pk, scene_ids=[])
    candle = listed(
        make_product,
        "香薰蜡烛",
        "59.00",
        category_id=catalog_base["home"].pk,
        brand_id=catalog_base["other_brand"].pk,
        scene_ids=[catalog_base["camping"].pk],
    )
    get = anonymous_api.get
    assert sorted(_ids(get("shop/products", category="apparel"))) == sorted([dress.pk, blouse.pk])
    assert _ids(get("shop/products", category="dresses")) == [dress.pk]
    assert _ids(get("shop/products", scene=catalog_base["camping"].slug)) == [candle.pk]
    assert _ids(get("shop/products", brand_id=catalog_base["other_brand"].pk)) == [candle.pk]
    assert sorted(_ids(get("shop/products", min_price="60", max_price="199"))) == sorted([dress.pk, blouse.pk])
    assert _ids(get("shop/products", min_price="89.01")) == [dress.pk]
    assert _ids(get("shop/products", spec="颜色:燕麦白")) == [dress.pk]  # the second SKU's colour
    assert _ids(get("shop/products", spec=["颜色:雾霾蓝", "颜色:燕麦白"])) == [dress.pk]
    assert _ids(get("shop/products", category="apparel", max_price="100")) == [blouse.pk]


def test_list_sorts_and_pages(anonymous_api: Any, make_product: MakeProduct) -> None:
    a = listed(make_product, "A", "300.00", sales=10, days_ago=3)
    b = listed(make_product, "B", "100.00", sales=500, days_ago=9)
    c = listed(make_product, "C", "200.00", sales=50, days_ago=1)
    get = anonymous_api.get
    assert _ids(get("shop/products")) == [b.pk, c.pk, a.pk]
    assert _ids(get("shop/products", sort="price_asc")) == [b.pk, c.pk, a.pk]
    assert _ids(get("shop/products", sort="price_desc")) == [a.pk, c.pk, b.pk]
    assert _ids(get("shop/products", sort="newest")) == [c.pk, a.pk, b.pk]
    page = get("shop/products", limit=1, offset=1)
    assert page.json()["count"] == 3
    assert _ids(page) == [c.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "abc"},
        {"max_price": "-5"},
        {"min_price": "1.999"},
        {"min_price": "300", "max_price": "100"},
        {"sort": "bogus"},
        {"spec": "no-colon"},
        {"brand_id": "x"},
        {"limit": "0"},
        {"offset": "-1"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_list_refuses_bad_filters_with_422(
    anonymous_api: Any, catalog_base: dict[str, Any], params: dict[str, str]
) -> None:
    response = anonymous_api.get("shop/products", **params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_list_with_unknown_category_or_scene_is_404(anonymous_api: Any, catalog_base: dict[str, Any]) -> None:
    for params in ({"category": "no-such-category"}, {"scene": "no-such-scene"}):
        response = anonymous_api.get("shop/products", **params)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


# --- product detail and reviews ---------------------------------------------------------------


def test_detail_has_skus_with_prices_availability_images_scenes_and_rating(
    anonymous_api: Any, make_product: MakeProduct, catalog_base: dict[str, Any]
) -> None:
    product = make_product(listed=True, detail_images=["/media/d1.jpg", "/media/d2.jpg"])
    response = anonymous_api.get(f"shop/products/{product.pk}")
    assert response.status_code == 200
    body = response.json()
    assert _floats(body) == []
    assert body["title"] == "法式收腰连衣裙"
    assert body["spec_names"] == ["颜色", "尺码"]
    assert [(s["code"], s["spec_values"], s["price"]["yuan"], s["available"], s["in_stock"]) for s in body["skus"]] == [
        ("D-BLUE-M", {"颜色": "雾霾蓝", "尺码": "M"}, "199.00", 10, True),
        ("D-BLUE-L", {"颜色": "雾霾蓝", "尺码": "L"}, "199.00", 10, True),
        ("D-WHITE-M", {"颜色": "燕麦白", "尺码": "M"}, "219.00", 10, True),
        ("D-WHITE-L", {"颜色": "燕麦白", "尺码": "L"}, "219.00", 10, True),
    ]
    assert body["skus"][0]["list_price"] == {"fen": 29900, "yuan": "299.00"}
    assert body["price_min"]["fen"] == 19900
    assert body["price_max"]["fen"] == 21900
    assert [image["url"] for image in body["detail_images"]] == ["/media/d1.jpg", "/media/d2.jpg"]
    assert len(body["main_images"]) == 1
    assert [scene["slug"] for scene in body["scenes"]] == [catalog_base["office"].slug]
    assert [node["name"] for node in body["breadcrumb"]] == ["服饰", "女装", "连衣裙"]
    assert body["selling_points"] == ["垂感面料", "收腰显瘦"]
    assert body["rating"] == {"count": 0, "average": None}


def test_unlisted_and_unknown_products_are_404(anonymous_api: Any, make_product: MakeProduct) -> None:
    draft = make_product()
    gone = make_product(listed=True, title="下架款", spec_names=[], skus=[sku("GONE-1")])
    services.product_delist(actor=SYSTEM, product=gone)
    for product_id in (draft.pk, gone.pk, 999_999):
        for path in (f"shop/products/{product_id}", f"shop/products/{product_id}/reviews"):
            response = anonymous_api.get(path)
            assert response.status_code == 404, path
            assert response.json()["code"] == "not_found"


def test_reviews_give_the_rating_and_no_invented_reviews(anonymous_api: Any, make_product: MakeProduct) -> None:
    product = make_product(listed=True)
    body = anonymous_api.get(f"shop/products/{product.pk}/reviews").json()
    assert body["rating"] == {"count": 0, "average": None}
    assert (body["items"], body["count"]) == ([], 0)
    assert [bar["count"] for bar in body["stars"]] == [0, 0, 0, 0, 0]
    Product.objects.filter(pk=product.pk).update(rating_count=3, rating_sum=14)
    body = anonymous_api.get(f"shop/products/{product.pk}/reviews").json()
    assert body["rating"] == {"count": 3, "average": "4.7"}
    assert body["items"] == []
    assert anonymous_api.get(f"shop/products/{product.pk}/reviews", limit=0).status_code == 422


# --- categories, scenes, search ---------------------------------------------------------------


def test_categories_come_as_a_nested_tree(anonymous_api: Any, catalog_base: dict[str, Any]) -> None:
    tree = anonymous_api.get("shop/categories").json()
    by_name = {node["name"]: node for node in tree}
    assert set(by_name) == {"服饰", "家居"}
    women = by_name["服饰"]["children"][0]
    assert (women["name"], women["name_en"]) == ("女装", "womenswear")
    assert [child["slug"] for child in women["children"]] == [catalog_base["dresses"].slug]


def test_scenes_list_only_active_ones(anonymous_api: Any, catalog_base: dict[str, Any]) -> None:
    catalog_base["camping"].is_active = False
    catalog_base["camping"].save()
    scenes = anonymous_api.get("shop/scenes").json()
    assert [scene["name"] for scene in scenes] == ["通勤穿搭"]


def test_search_finds_listed_products_in_chinese(
    anonymous_api: Any, make_product: MakeProduct, catalog_base: dict[str, Any]
) -> None:
    dress = listed(make_product, "法式收腰连衣裙")
    make_product(title="法式草稿连衣裙", spec_names=[], skus=[sku("DRAFT-1")])
    listed(make_product, "香薰蜡烛", category_id=catalog_base["home"].pk)
    response = anonymous_api.get("shop/search", q="连衣裙")
    assert response.status_code == 200
    body = response.json()
    assert body["q"] == "连衣裙"
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [dress.pk]
    assert body["items"][0]["price_min"] == {"fen": 19900, "yuan": "199.00"}
    assert anonymous_api.get("shop/search").status_code == 422
    assert anonymous_api.get("shop/search", q="连衣裙", limit=1000).status_code == 422


def test_suggestions_complete_a_prefix(anonymous_api: Any, make_product: MakeProduct) -> None:
    listed(make_product, "法式收腰连衣裙")
    response = anonymous_api.get("shop/search/suggestions", prefix="连衣")
    assert response.status_code == 200
    body = response.json()
    assert body["prefix"] == "连衣"
    assert all(isinstance(word, str) for word in body["items"])
    assert anonymous_api.get("shop/search/suggestions").status_code == 422


CUSTOMER_PREFIXES = ("/api/v1/shop/account", "/api/v1/shop/cart", "/api/v1/shop/checkout", "/api/v1/shop/orders")


def test_every_storefront_endpoint_is_in_the_openapi_document_and_anonymous(anonymous_api: Any) -> None:
    """The shop's public reads need no sign-in; everything else under /shop is a customer's own."""
    document = anonymous_api.get("openapi.json").json()
    shop_paths = {path: item for path, item in document["paths"].items() if path.startswith("/api/v1/shop/")}
    public = {path for path, item in shop_paths.items() if not any("security" in op for op in item.values())}
    assert public - {path for path in public if path.startswith(CUSTOMER_PREFIXES)} == {
        "/api/v1/shop/products",
        "/api/v1/shop/products/{product_id}",
        "/api/v1/shop/products/{product_id}/reviews",
        "/api/v1/shop/categories",
        "/api/v1/shop/scenes",
        "/api/v1/shop/search",
        "/api/v1/shop/search/suggestions",
        # campaign pages anyone may look at before signing in
        "/api/v1/shop/flash",
        "/api/v1/shop/presales",
        "/api/v1/shop/presales/{presale_id}",
        "/api/v1/shop/groups/{share_code}",
    }
    names = {parameter["name"] for parameter in shop_paths["/api/v1/shop/products"]["get"]["parameters"]}
    assert {"category", "scene", "brand_id", "min_price", "max_price", "spec", "sort", "limit", "offset"} <= names


# --- query counts -----------------------------------------------------------------------------


def _big(make_product: MakeProduct, title: str) -> Product:
    """A product with 12 SKUs and 10 main and 10 detail images."""
    return make_product(
        listed=True,
        title=title,
        skus=[sku(f"BIG-{i}", f"{100 + i}.00", 颜色=f"色{i % 4}", 尺码=f"码{i // 4}") for i in range(12)],
        main_images=[f"/media/big-{i}.jpg" for i in range(10)],
        detail_images=[f"/media/big-detail-{i}.jpg" for i in range(10)],
    )


def _small(make_product: MakeProduct, title: str) -> Product:
    return make_product(
        listed=True,
        title=title,
        spec_names=["颜色"],
        skus=[sku(f"SMALL-{Product.objects.count()}", 颜色="红")],
        main_images=["/media/small.jpg"],
        detail_images=[],
    )


def _count(anonymous_api: Any, path: str, **params: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = anonymous_api.get(path, **params)
    assert response.status_code == 200, response.content
    return len(queries)


def test_detail_query_count_does_not_grow_with_skus_and_images(anonymous_api: Any, make_product: MakeProduct) -> None:
    small, big = _small(make_product, "单规格"), _big(make_product, "十二规格")
    counts = [_count(anonymous_api, f"shop/products/{product.pk}") for product in (small, big)]
    assert counts[0] == counts[1] <= 10, counts


def test_list_query_count_does_not_grow_with_skus_images_or_products(
    anonymous_api: Any, make_product: MakeProduct
) -> None:
    _small(make_product, "单规格")
    one = _count(anonymous_api, "shop/products", category="apparel", spec="颜色:红", min_price="1")
    _big(make_product, "十二规格")
    for i in range(5):
        _small(make_product, f"单规格{i}")
    many = _count(anonymous_api, "shop/products", category="apparel", spec="颜色:红", min_price="1")
    assert one == many <= 10, (one, many)
    assert _count(anonymous_api, "shop/products") <= 10
