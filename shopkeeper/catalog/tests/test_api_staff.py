"""The staff catalog API: the console's actions over HTTP, with money as yuan strings in and
{"fen", "yuan"} out, and the permission map enforced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import ApiClient
from shopkeeper.catalog.models import BannedWord, Product
from shopkeeper.core.enums import Role
from shopkeeper.core.models import User

pytestmark = pytest.mark.django_db


def _sku(code: str, size: str, sale: str, list_price: str, cost: str) -> dict[str, Any]:
    return {
        "code": code,
        "spec_values": {"颜色": "浅灰", "尺寸": size},
        "sale_price": sale,
        "list_price": list_price,
        "cost_price": cost,
    }


def _payload(base: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "北欧风纯棉四件套",
        "brand_id": base["other_brand"].pk,
        "category_id": base["home"].pk,
        "tier": "profit",
        "spec_names": ["颜色", "尺寸"],
        "selling_points": ["全棉磨毛", "亲肤透气"],
        "main_images": ["/static/shopkeeper/demo/bedding.svg"],
        "scene_ids": [],
        "skus": [
            _sku("BED-GREY-15", "1.5m床", "299.00", "399.00", "120.00"),
            _sku("BED-GREY-18", "1.8m床", "329.00", "429.00", "130.00"),
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def operator_api(make_staff: Callable[..., User], api_as: Callable[[User], ApiClient]) -> ApiClient:
    return api_as(make_staff(Role.STORE_OPERATOR))


def test_create_edit_list_and_read_back(operator_api: ApiClient, catalog_base: dict[str, Any]) -> None:
    created = operator_api.post("catalog/products", _payload(catalog_base))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["min_price"] == {"fen": 29900, "yuan": "299.00"}
    assert body["skus"][1]["sale_price"] == {"fen": 32900, "yuan": "329.00"}
    product_id = body["id"]

    listed = operator_api.post(f"catalog/products/{product_id}/list")
    assert listed.status_code == 200
    assert listed.json()["status"] == "listed"

    cheaper = _payload(catalog_base)
    cheaper["skus"][0]["sale_price"] = "279.00"
    refused = operator_api.put(f"catalog/products/{product_id}", cheaper)
    assert refused.status_code == 422
    assert refused.json()["details"] == {"price_reason": "required"}
    cheaper["price_reason"] = "换季清仓"
    assert operator_api.put(f"catalog/products/{product_id}", cheaper).status_code == 200
    history = operator_api.get(f"catalog/products/{product_id}/price-history").json()
    assert history["count"] == 1
    assert history["items"][0]["old"]["yuan"] == "299.00"
    assert history["items"][0]["reason"] == "换季清仓"

    rows = operator_api.get("catalog/products", status="listed").json()
    assert [row["id"] for row in rows["items"]] == [product_id]


def test_prices_never_arrive_as_floats(operator_api: ApiClient, catalog_base: dict[str, Any]) -> None:
    payload = _payload(catalog_base)
    payload["skus"][0]["sale_price"] = 299.5
    response = operator_api.post("catalog/products", payload)
    assert response.status_code == 422
    payload["skus"][0]["sale_price"] = "299.555"
    assert operator_api.post("catalog/products", payload).status_code == 422
    assert not Product.objects.exists()


def test_listing_refusal_names_the_banned_words(operator_api: ApiClient, catalog_base: dict[str, Any]) -> None:
    product_id = operator_api.post("catalog/products", _payload(catalog_base, title="国家级 纯棉四件套")).json()["id"]
    response = operator_api.post(f"catalog/products/{product_id}/list")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"]["hits"] == [{"field": "title", "word": "国家级", "start": 0, "end": 3, "kind": "authority"}]
    check = operator_api.post("catalog/compliance/check", {"title": "最好的四件套"}).json()
    assert [hit["word"] for hit in check] == ["最好"]  # the longest listed word at a position wins


def test_bulk_price_change_and_permissions(
    operator_api: ApiClient,
    catalog_base: dict[str, Any],
    make_staff: Callable[..., User],
    api_as: Callable[[User], ApiClient],
) -> None:
    body = operator_api.post("catalog/products", _payload(catalog_base)).json()
    sku_ids = [sku["id"] for sku in body["skus"]]
    change = operator_api.post(
        "catalog/prices/bulk-change", {"sku_ids": sku_ids, "mode": "amount", "value": "-20", "reason": "会员日"}
    )
    assert change.status_code == 200
    assert [c["new"]["yuan"] for c in change.json()] == ["279.00", "309.00"]

    warehouse = api_as(make_staff(Role.WAREHOUSE))
    assert warehouse.get("catalog/products").status_code == 200  # reading is shared
    assert (
        warehouse.post("catalog/prices/bulk-change", {"sku_ids": sku_ids, "value": "1", "reason": "x"}).status_code
        == 403
    )
    assert warehouse.post("catalog/products", _payload(catalog_base)).status_code == 403


def test_banned_words_belong_to_the_platform_admin(
    operator_api: ApiClient, admin_user: User, api_as: Callable[[User], ApiClient], catalog_base: dict[str, Any]
) -> None:
    assert operator_api.post("catalog/banned-words", {"word": "爆款"}).status_code == 403
    admin = api_as(admin_user)
    added = admin.post("catalog/banned-words", {"word": "爆款", "kind": "extreme", "note": "平台自定"})
    assert added.status_code == 201
    assert admin.post("catalog/banned-words", {"word": "爆款"}).status_code == 409
    assert admin.delete(f"catalog/banned-words/{added.json()['id']}").status_code == 204
    assert not BannedWord.objects.filter(word="爆款").exists()


def test_home_modules(operator_api: ApiClient, catalog_base: dict[str, Any]) -> None:
    banner = operator_api.post("catalog/home-modules", {"kind": "hero_banner", "config": {"image_url": "/b.svg"}})
    best = operator_api.post("catalog/home-modules", {"kind": "best_sellers", "config": {"count": 6}})
    assert banner.status_code == best.status_code == 201
    order = operator_api.put("catalog/home-modules-order", {"ids": [best.json()["id"], banner.json()["id"]]})
    assert [m["kind"] for m in order.json()] == ["best_sellers", "hero_banner"]
    bad = operator_api.post("catalog/home-modules", {"kind": "best_sellers", "config": {"count": 500}})
    assert bad.status_code == 422
    assert operator_api.post("catalog/home-modules", {"kind": "marquee"}).status_code == 422


def test_unknown_product_is_404(operator_api: ApiClient) -> None:
    response = operator_api.get("catalog/products/424242")
    assert response.status_code == 404
    assert response.json()["details"] == {"id": 424242}


def test_bulk_list_and_delist_are_all_or_nothing(
    operator_api: ApiClient,
    catalog_base: dict[str, Any],
    make_staff: Callable[..., User],
    api_as: Callable[[User], ApiClient],
) -> None:
    def create(title: str, code: str) -> int:
        skus = [_sku(f"{code}-15", "1.5m床", "299.00", "399.00", "120.00")]
        response = operator_api.post("catalog/products", _payload(catalog_base, title=title, skus=skus))
        assert response.status_code == 201, response.json()
        return int(response.json()["id"])

    first, second = create("纯棉四件套", "BULK-A"), create("水洗棉四件套", "BULK-B")
    banned = create("国家级 四件套", "BULK-C")

    refused = operator_api.post("catalog/products/bulk-list", {"ids": [first, second, banned]})
    assert refused.status_code == 422, refused.json()
    products = refused.json()["details"]["products"]
    assert list(products) == [str(banned)]
    assert [hit["word"] for hit in products[str(banned)]["hits"]] == ["国家级"]
    assert set(Product.objects.values_list("status", flat=True)) == {"draft"}  # not even the good two

    listed = operator_api.post("catalog/products/bulk-list", {"ids": [second, first]})
    assert listed.status_code == 200, listed.json()
    assert listed.json() == [first, second]
    assert set(Product.objects.filter(pk__in=[first, second]).values_list("status", flat=True)) == {"listed"}

    missing = operator_api.post("catalog/products/bulk-delist", {"ids": [first, 999_999]})
    assert missing.status_code == 404
    assert missing.json()["details"] == {"ids": [999_999]}
    draft = operator_api.post("catalog/products/bulk-delist", {"ids": [first, banned]})
    assert draft.status_code == 422  # a draft cannot be delisted: the listed one stays listed too
    assert list(draft.json()["details"]["products"]) == [str(banned)]
    assert Product.objects.get(pk=first).status == "listed"

    delisted = operator_api.post("catalog/products/bulk-delist", {"ids": [first, second]})
    assert delisted.status_code == 200, delisted.json()
    assert set(Product.objects.filter(pk__in=[first, second]).values_list("status", flat=True)) == {"delisted"}

    assert operator_api.post("catalog/products/bulk-list", {"ids": []}).status_code == 422
    warehouse = api_as(make_staff(Role.WAREHOUSE))
    assert warehouse.post("catalog/products/bulk-list", {"ids": [first]}).status_code == 403
    assert operator_api.get("catalog/products/bulk-list").status_code == 405  # not a product id


def test_changing_prices_through_the_api_also_needs_change_prices(
    operator_api: ApiClient, catalog_base: dict[str, Any], api_as: Callable[[User], ApiClient]
) -> None:
    """As in the console editor: managing products without change_prices edits everything but prices."""
    from django.contrib.auth.models import Permission

    product_id = operator_api.post("catalog/products", _payload(catalog_base)).json()["id"]
    editor = User.objects.create_user(username="copywriter", password="x-Secret-2025")
    editor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["catalog", "core"],
            codename__in=["view_catalog", "manage_products", "use_console", "use_api_tokens"],
        )
    )
    api = api_as(User.objects.get(pk=editor.pk))

    cheaper = _payload(catalog_base, price_reason="促销")
    cheaper["skus"][1]["cost_price"] = "125.00"
    refused = api.put(f"catalog/products/{product_id}", cheaper)
    assert refused.status_code == 403, refused.json()
    assert refused.json()["details"] == {"permission": "catalog.change_prices"}
    assert Product.objects.get(pk=product_id).skus.get(code="BED-GREY-18").cost_price_fen == 13000

    retitled = _payload(catalog_base, title="北欧风纯棉四件套 磨毛款")
    retitled["skus"].append(_sku("BED-GREY-20", "2.0m床", "359.00", "459.00", "140.00"))  # a new SKU's prices
    saved = api.put(f"catalog/products/{product_id}", retitled)
    assert saved.status_code == 200, saved.json()
    assert saved.json()["title"] == "北欧风纯棉四件套 磨毛款"
    assert operator_api.put(f"catalog/products/{product_id}", cheaper).status_code == 200  # the store operator may
