"""The storefront as a shopper sees it: home, category and scene listings with filters and
sorting, the product page with its spec data and reviews, search, and what stays hidden."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopkeeper.catalog.enums import HomeModuleKind, ImageKind, ProductStatus
from shopkeeper.catalog.models import Brand, Category, HomeModule, Product, ProductImage, Scene, Sku
from shopkeeper.core.services import ActorContext
from shopkeeper.inventory import services as inventory
from shopkeeper.storefront import panels

pytestmark = pytest.mark.django_db

SYSTEM = ActorContext.system()
CARD_ID = re.compile(r'data-testid="product-card" data-product-id="(\d+)"')


@dataclass
class World:
    brand: Brand
    other_brand: Brand
    apparel: Category
    women: Category
    dresses: Category
    home: Category
    office: Scene
    camping: Scene


def _category(name: str, name_en: str, slug: str, parent: Category | None = None) -> Category:
    category = Category.objects.create(
        name=name, name_en=name_en, slug=slug, parent=parent, depth=parent.depth + 1 if parent else 0
    )
    category.path = f"{parent.path if parent else ''}{category.pk}/"
    category.save(update_fields=["path"])
    return category


@pytest.fixture
def world(db: None) -> World:
    apparel = _category("服饰", "Apparel", "apparel")
    women = _category("女装", "Womenswear", "womenswear", apparel)
    return World(
        brand=Brand.objects.create(name="拾光", name_en="Shiguang", slug="shiguang"),
        other_brand=Brand.objects.create(name="栖木", name_en="Qimu", slug="qimu"),
        apparel=apparel,
        women=women,
        dresses=_category("连衣裙", "Dresses", "dresses", women),
        home=_category("家居", "Home", "home"),
        office=Scene.objects.create(name="通勤穿搭", name_en="Office outfits", slug="office", description="上班也好看"),
        camping=Scene.objects.create(name="周末露营", name_en="Weekend camping", slug="camping", position=1),
    )


Skus = Sequence[tuple[dict[str, str], int, int]]  # (spec values, sale price in fen, stock)


def make_product(
    world: World,
    title: str,
    *,
    category: Category | None = None,
    brand: Brand | None = None,
    skus: Skus = (({"颜色": "雾霾蓝"}, 19900, 10),),
    scenes: Sequence[Scene] = (),
    main_images: int = 1,
    detail_images: int = 0,
    sales: int = 0,
    rating: tuple[int, int] = (0, 0),
    status: str = ProductStatus.LISTED,
    listed_days_ago: int = 1,
    selling_points: Sequence[str] = ("垂感面料",),
) -> Product:
    """A product written straight to the tables, with the list fields the services would keep."""
    prices = [price for _spec, price, _stock in skus]
    product = Product.objects.create(
        title=title,
        brand=brand or world.brand,
        category=category or world.dresses,
        status=status,
        spec_names=list(dict.fromkeys(name for spec, _price, _stock in skus for name in spec)),
        selling_points=list(selling_points),
        description="面料柔软，适合通勤。",
        listed_at=timezone.now() - timedelta(days=listed_days_ago),
        min_price_fen=min(prices),
        max_price_fen=max(prices),
        sales_count=sales,
        rating_count=rating[0],
        rating_sum=rating[1],
    )
    product.scenes.set(scenes)
    created = Sku.objects.bulk_create(
        Sku(
            product=product,
            code=f"P{product.pk}-{index}",
            spec_values=spec,
            sale_price_fen=price,
            list_price_fen=price + 10000,
            cost_price_fen=price // 3,
            position=index,
        )
        for index, (spec, price, stock) in enumerate(skus)
    )
    # Stock lives in inventory: the units go into the default warehouse, through its ledger.
    warehouse = inventory.warehouse_default(actor=SYSTEM)
    for sku, (_spec, _price, stock) in zip(created, skus, strict=True):
        if stock:
            inventory.stock_receive(sku_id=sku.pk, warehouse_id=warehouse.pk, quantity=stock, actor=SYSTEM)
    ProductImage.objects.bulk_create(
        [
            ProductImage(product=product, kind=ImageKind.MAIN, url=f"/media/p{product.pk}-main-{i}.jpg", position=i)
            for i in range(main_images)
        ]
        + [
            ProductImage(product=product, kind=ImageKind.DETAIL, url=f"/media/p{product.pk}-detail-{i}.jpg", position=i)
            for i in range(detail_images)
        ]
    )
    return product


def card_ids(page: Any) -> list[int]:
    """The products shown as cards, in order, on a response or in a piece of HTML."""
    html = page if isinstance(page, str) else page.content.decode()
    return [int(found) for found in CARD_ID.findall(html)]


def sku_data(page: Any) -> list[dict[str, Any]]:
    match = re.search(r'<script id="sku-data" type="application/json">(.*?)</script>', page.content.decode(), re.S)
    assert match, "the product page carries its SKUs as JSON for the spec selector"
    data: list[dict[str, Any]] = json.loads(match.group(1))
    return data


def index(*products: Product) -> None:
    from shopkeeper.catalog.search import search_index_products

    search_index_products([product.pk for product in products])


# --- home -----------------------------------------------------------------------------------


def test_home_without_products_says_the_shop_is_getting_ready(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="storefront-empty"' in page.content.decode()


def test_home_before_arranging_shows_categories_scenes_best_sellers_and_new_arrivals(
    client: Client, world: World
) -> None:
    slow = make_product(world, "基础款T恤", sales=5, listed_days_ago=1)
    hit = make_product(world, "法式收腰连衣裙", sales=900, listed_days_ago=30)
    make_product(world, "未上架的草稿", status=ProductStatus.DRAFT, sales=10_000)
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="storefront-empty"' not in html
    assert 'data-testid="home-categories"' in html
    assert "/category/apparel/" in html
    assert "/category/home/" in html
    assert "/category/dresses/" not in html  # only top-level categories until the operator picks some
    assert 'data-testid="home-scenes"' in html
    assert "/scene/office/" in html
    best = html.split('data-testid="home-best_sellers"')[1].split("</section>")[0]
    newest = html.split('data-testid="home-new_arrivals"')[1].split("</section>")[0]
    assert card_ids(best) == [hit.pk, slow.pk]
    assert card_ids(newest) == [slow.pk, hit.pk]
    assert "未上架的草稿" not in html


def test_home_shows_the_modules_the_operator_arranged_in_their_order(client: Client, world: World) -> None:
    products = [make_product(world, f"连衣裙{i}", sales=i * 10) for i in range(5)]
    HomeModule.objects.create(kind=HomeModuleKind.BEST_SELLERS, title="本周热卖", position=2, config={"count": 2})
    HomeModule.objects.create(
        kind=HomeModuleKind.HERO_BANNER,
        title="夏日上新",
        position=0,
        config={"image_url": "/media/banner.jpg", "link": "javascript:alert(1)", "subtitle": "全场包邮"},
    )
    HomeModule.objects.create(
        kind=HomeModuleKind.CATEGORY_NAV, title="逛分类", position=1, config={"category_ids": [world.dresses.pk]}
    )
    HomeModule.objects.create(kind=HomeModuleKind.NEW_ARRIVALS, title="隐藏", position=3, is_active=False)
    html = client.get("/").content.decode()
    assert html.index("夏日上新") < html.index("逛分类") < html.index("本周热卖")
    assert "隐藏" not in html
    assert 'data-testid="home-scenes"' not in html
    assert "javascript:" not in html  # an unsafe banner link is dropped, the banner stays
    assert "/media/banner.jpg" in html
    assert "全场包邮" in html
    assert "/category/dresses/" in html
    assert card_ids(html) == [products[4].pk, products[3].pk]


def test_home_query_count_does_not_grow_with_modules(
    client: Client, world: World, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    for i in range(12):
        make_product(world, f"商品{i}", main_images=3, sales=i)
    for kind in (HomeModuleKind.BEST_SELLERS, HomeModuleKind.NEW_ARRIVALS) * 3:
        HomeModule.objects.create(kind=kind, config={"count": 8})
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


def test_category_entries_without_a_picture_show_a_readable_initial(client: Client, world: World) -> None:
    make_product(world, "法式收腰连衣裙")
    _category("运动户外", "sports", "sports")  # English names are often typed in lower case
    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    initials = re.findall(r'<span class="entry-initial" aria-hidden="true">(.*?)</span>', english)
    assert initials == ["A", "H", "S"]
    chinese = client.get("/").content.decode()
    assert re.findall(r'<span class="entry-initial" aria-hidden="true">(.*?)</span>', chinese) == ["服", "家", "运"]


# --- category and scene pages ---------------------------------------------------------------


def test_category_page_lists_its_whole_subtree_and_only_listed_products(client: Client, world: World) -> None:
    dress = make_product(world, "法式收腰连衣裙", category=world.dresses)
    blouse = make_product(world, "真丝衬衫", category=world.women)
    make_product(world, "香薰蜡烛", category=world.home)
    make_product(world, "草稿连衣裙", status=ProductStatus.DRAFT)
    make_product(world, "已下架连衣裙", status=ProductStatus.DELISTED)
    page = client.get("/category/apparel/")
    assert page.status_code == 200
    assert sorted(card_ids(page)) == sorted([dress.pk, blouse.pk])
    html = page.content.decode()
    assert "/category/womenswear/" in html  # sub-category chip
    assert card_ids(client.get("/category/dresses/")) == [dress.pk]
    assert "服饰" in client.get("/category/dresses/").content.decode()  # breadcrumb


def test_category_page_filters_by_price_brand_and_spec(client: Client, world: World) -> None:
    cheap = make_product(world, "平价款", skus=[({"颜色": "燕麦白"}, 5900, 3)])
    mid = make_product(world, "中档款", skus=[({"颜色": "雾霾蓝"}, 19900, 3), ({"颜色": "燕麦白"}, 21900, 3)])
    dear = make_product(world, "高端款", brand=world.other_brand, skus=[({"颜色": "雾霾蓝"}, 89900, 3)])
    url = "/category/dresses/"
    assert sorted(card_ids(client.get(url, {"min_price": "100", "max_price": "500"}))) == [mid.pk]
    assert sorted(card_ids(client.get(url, {"max_price": "199.00"}))) == sorted([cheap.pk, mid.pk])
    assert card_ids(client.get(url, {"brand": world.other_brand.pk})) == [dear.pk]
    assert sorted(card_ids(client.get(url, {"spec": "颜色:燕麦白"}))) == sorted([cheap.pk, mid.pk])
    assert card_ids(client.get(url, {"spec": "颜色:雾霾蓝", "max_price": "300"})) == [mid.pk]
    # The range typed backwards still means what the shopper meant.
    assert card_ids(client.get(url, {"min_price": "300", "max_price": "100"})) == [mid.pk]
    empty = client.get(url, {"min_price": "10000"})
    assert card_ids(empty) == []
    assert 'data-testid="no-products"' in empty.content.decode()
    facets = client.get(url).content.decode()
    assert 'value="颜色:燕麦白"' in facets
    assert f'value="{world.other_brand.pk}"' in facets


def test_category_page_sorts_by_sales_price_and_newest(client: Client, world: World) -> None:
    a = make_product(world, "A", skus=[({}, 30000, 1)], sales=10, listed_days_ago=3)
    b = make_product(world, "B", skus=[({}, 10000, 1)], sales=500, listed_days_ago=9)
    c = make_product(world, "C", skus=[({}, 20000, 1)], sales=50, listed_days_ago=1)
    url = "/category/dresses/"
    assert card_ids(client.get(url)) == [b.pk, c.pk, a.pk]  # best selling first by default
    assert card_ids(client.get(url, {"sort": "price_asc"})) == [b.pk, c.pk, a.pk]
    assert card_ids(client.get(url, {"sort": "price_desc"})) == [a.pk, c.pk, b.pk]
    assert card_ids(client.get(url, {"sort": "newest"})) == [c.pk, a.pk, b.pk]


def test_bad_filter_values_are_ignored_on_pages(client: Client, world: World) -> None:
    a = make_product(world, "A", sales=1)
    b = make_product(world, "B", sales=2)
    page = client.get(
        "/category/dresses/",
        {"min_price": "abc", "max_price": "-5", "sort": "bogus", "brand": "x", "spec": "no-colon", "page": "zzz"},
    )
    assert page.status_code == 200
    assert card_ids(page) == [b.pk, a.pk]


def test_listing_pages_twenty_products_at_a_time(client: Client, world: World) -> None:
    for i in range(23):
        make_product(world, f"款式{i}", sales=i)
    first, second = client.get("/category/dresses/"), client.get("/category/dresses/", {"page": "2"})
    assert len(card_ids(first)) == 20
    assert len(card_ids(second)) == 3
    assert 'rel="next"' in first.content.decode()


def test_scene_page_lists_the_scenes_products(client: Client, world: World) -> None:
    office = make_product(world, "通勤西装", scenes=[world.office])
    make_product(world, "露营帐篷", category=world.home, scenes=[world.camping])
    page = client.get("/scene/office/")
    assert page.status_code == 200
    assert card_ids(page) == [office.pk]
    assert "上班也好看" in page.content.decode()
    world.office.is_active = False
    world.office.save()
    assert client.get("/scene/office/").status_code == 404


def test_unknown_category_and_scene_are_404(client: Client, world: World) -> None:
    assert client.get("/category/no-such-thing/").status_code == 404
    assert client.get("/scene/no-such-thing/").status_code == 404


def test_categories_page_shows_the_tree(client: Client, world: World) -> None:
    html = client.get("/categories/").content.decode()
    assert html.index("服饰") < html.index("女装") < html.index("连衣裙")
    assert "/category/home/" in html


def test_pages_speak_english_when_asked(client: Client, world: World) -> None:
    make_product(world, "法式收腰连衣裙")
    html = client.get("/category/apparel/", headers={"accept-language": "en"}).content.decode()
    assert "Apparel" in html
    assert "Best selling" in html


# --- product page ---------------------------------------------------------------------------


def test_product_page_carries_each_skus_price_and_availability(client: Client, world: World) -> None:
    product = make_product(
        world,
        "法式收腰连衣裙",
        skus=[
            ({"颜色": "雾霾蓝", "尺码": "M"}, 19900, 10),
            ({"颜色": "雾霾蓝", "尺码": "L"}, 19900, 0),
            ({"颜色": "燕麦白", "尺码": "M"}, 21950, 3),
        ],
        scenes=[world.office],
        main_images=3,
        detail_images=2,
        selling_points=["垂感面料", "收腰显瘦"],
    )
    page = client.get(f"/product/{product.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "法式收腰连衣裙" in html
    assert "收腰显瘦" in html
    assert "¥199.00 – ¥219.50" in html  # the range until a variant is chosen
    assert html.count(f"/media/p{product.pk}-main-") == 6  # three slides and three thumbnails
    assert html.count(f"/media/p{product.pk}-detail-") == 2
    assert 'data-spec-name="颜色"' in html
    assert 'data-spec-name="尺码"' in html
    assert "/scene/office/" in html
    assert "/category/dresses/" in html
    data = sku_data(page)
    assert [(sku["spec"], sku["price"], sku["available"]) for sku in data] == [
        ({"颜色": "雾霾蓝", "尺码": "M"}, "¥199.00", 10),
        ({"颜色": "雾霾蓝", "尺码": "L"}, "¥199.00", 0),
        ({"颜色": "燕麦白", "尺码": "M"}, "¥219.50", 3),
    ]
    assert data[0]["list_price"] == "¥299.00"
    assert "storefront/product.js" in html


def test_product_with_one_sku_shows_its_price_and_stock_straight_away(client: Client, world: World) -> None:
    product = make_product(world, "香薰蜡烛", skus=[({}, 8800, 2)])
    html = client.get(f"/product/{product.pk}/").content.decode()
    assert 'data-testid="spec-selector"' not in html
    assert re.search(r'id="sku-price"[^>]*>¥88.00<', html)
    assert "Only 2 left" in client.get(f"/product/{product.pk}/", headers={"accept-language": "en"}).content.decode()


def test_product_page_reviews_are_honest(client: Client, world: World) -> None:
    unrated = make_product(world, "新品")
    rated = make_product(world, "老品", rating=(3, 14))
    english = {"accept-language": "en"}
    html = client.get(f"/product/{unrated.pk}/", headers=english).content.decode()
    assert 'data-testid="no-reviews"' in html
    assert "No reviews yet." in html
    html = client.get(f"/product/{rated.pk}/", headers=english).content.decode()
    assert 'data-testid="rating-average">4.7<' in html
    assert "3 ratings" in html


@pytest.mark.parametrize(
    ("link", "shown"),
    [
        ("/media/videos/dress.mp4", '<video controls preload="metadata" src="/media/videos/dress.mp4"'),
        (
            "https://cdn.example.com/v/dress.MP4?x=1",
            '<video controls preload="metadata" src="https://cdn.example.com/v/dress.MP4?x=1"',
        ),
        ("https://v.example.com/watch?v=42", '<a href="https://v.example.com/watch?v=42" target="_blank"'),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_product_page_shows_its_video(client: Client, world: World, link: str, shown: str | None) -> None:
    product = make_product(world, "法式收腰连衣裙")
    Product.objects.filter(pk=product.pk).update(video_url=link)
    html = client.get(f"/product/{product.pk}/", headers={"accept-language": "en"}).content.decode()
    if shown is None:
        assert 'data-testid="product-video"' not in html
        assert "javascript:" not in html
    else:
        assert shown.replace("&", "&amp;") in html
        assert "Watch the video" in html


def test_unlisted_and_unknown_products_are_404(client: Client, world: World) -> None:
    draft = make_product(world, "草稿", status=ProductStatus.DRAFT)
    gone = make_product(world, "下架", status=ProductStatus.DELISTED)
    for product_id in (draft.pk, gone.pk, 999_999):
        assert client.get(f"/product/{product_id}/").status_code == 404


def test_product_page_query_count_is_constant_in_skus_and_images(client: Client, world: World) -> None:
    small = make_product(world, "单规格", skus=[({"颜色": "红"}, 1000, 1)], main_images=1)
    big = make_product(
        world,
        "十二规格",
        skus=[({"颜色": f"色{i % 4}", "尺码": f"码{i // 4}"}, 1000 + i, i) for i in range(12)],
        main_images=10,
        detail_images=10,
        scenes=[world.office, world.camping],
    )
    counts = []
    for product in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/product/{product.pk}/").status_code == 200
        counts.append(len(queries))
    # the page's own 6 queries, and at most one for each campaign panel (flash sale, presale, …)
    assert counts[0] == counts[1] <= 6 + len(panels.PRODUCT_PANELS), counts


# --- search ---------------------------------------------------------------------------------


def test_search_finds_listed_products_by_chinese_words(client: Client, world: World) -> None:
    dress = make_product(world, "法式收腰连衣裙")
    draft = make_product(world, "法式草稿连衣裙", status=ProductStatus.DRAFT)
    make_product(world, "香薰蜡烛", category=world.home)
    index(dress, draft)
    page = client.get("/search/", {"q": "连衣裙"})
    assert page.status_code == 200
    assert card_ids(page) == [dress.pk]
    none = client.get("/search/", {"q": "不存在的东西"}, headers={"accept-language": "en"})
    assert card_ids(none) == []
    assert "No listed product matches" in none.content.decode()
    prompt = client.get("/search/")
    assert prompt.status_code == 200
    assert 'data-testid="search-prompt"' in prompt.content.decode()


def test_search_box_suggests_words(client: Client, world: World) -> None:
    index(make_product(world, "法式收腰连衣裙"))
    page = client.get("/search/suggest/", {"q": "连衣"})
    assert page.status_code == 200
    assert "<option" in page.content.decode()
    assert client.get("/search/suggest/", {"q": ""}).content.decode().strip() == ""
