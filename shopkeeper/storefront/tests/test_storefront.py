from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_says_the_shop_has_no_products_yet(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-testid="storefront-empty"' in page.content.decode()
