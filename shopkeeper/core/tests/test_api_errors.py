"""Every 4xx from the API has one shape: {"code", "message", "details"}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import ApiClient
from shopkeeper.core.models import ApiToken, AuditEntry, User

pytestmark = pytest.mark.django_db


def _shape(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["message"]
    return body


def test_unknown_api_route_is_json_404(anonymous_api: ApiClient) -> None:
    response = anonymous_api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _shape(response)["code"] == "not_found"


def test_unknown_page_is_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "/no-such-page/" in response.content.decode()


def test_missing_credentials_is_401(anonymous_api: ApiClient) -> None:
    response = anonymous_api.get("me")
    assert response.status_code == 401
    assert _shape(response)["code"] == "unauthenticated"


def test_bad_token_is_401() -> None:
    response = ApiClient("skt_not-a-real-token").get("me")
    assert response.status_code == 401
    assert _shape(response)["code"] == "unauthenticated"


def test_malformed_json_is_422_naming_the_body(admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
    api = api_as(admin_user)
    before = ApiToken.objects.count()
    response = api.post("tokens", raw='{"name": "broken",')
    assert response.status_code == 422
    body = _shape(response)
    assert body["code"] == "validation_error"
    assert body["details"]["fields"][0]["loc"] == ["body"]
    assert "line 1" in body["details"]["fields"][0]["message"]
    assert ApiToken.objects.count() == before


def test_wrong_types_are_422_with_field_details(admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
    api = api_as(admin_user)
    before = AuditEntry.objects.count()
    response = api.post("tokens", {"name": "", "expires_in_days": "soon"})
    assert response.status_code == 422
    fields = {tuple(field["loc"]): field for field in _shape(response)["details"]["fields"]}
    assert ("body", "payload", "name") in fields
    assert ("body", "payload", "expires_in_days") in fields
    assert AuditEntry.objects.count() == before


def test_bad_query_parameters_are_422(admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
    api = api_as(admin_user)
    assert api.get("audit-log", limit=-5).status_code == 422
    assert api.get("audit-log", since="yesterday").status_code == 422
    assert api.get("staff", role="astronaut").status_code == 422


def test_path_ids_that_do_not_exist_are_404(admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
    api = api_as(admin_user)
    response = api.get("audit-log/999999")
    assert response.status_code == 404
    assert _shape(response)["details"] == {"id": 999999}
    assert api.get("audit-log/not-a-number").status_code == 422


def test_session_writes_need_the_csrf_token(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/v1/tokens", data='{"name": "x"}', content_type="application/json")
    assert response.status_code == 403
    assert _shape(response)["code"] == "permission_denied"
    assert not ApiToken.objects.filter(user=admin_user).exists()


def test_session_reads_work_for_the_console(admin_user: User, client: Client) -> None:
    client.force_login(admin_user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == admin_user.username


def test_openapi_document_and_docs_page(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/v1/me", "/api/v1/tokens", "/api/v1/audit-log", "/api/v1/staff"} <= set(paths)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200


def test_wrong_method_is_405_in_the_error_shape(admin_user: User, api_as: Callable[[User], ApiClient]) -> None:
    response = api_as(admin_user).put("me", {})
    assert response.status_code == 405
    body = _shape(response)
    assert body["code"] == "method_not_allowed"
    assert body["details"]["allowed"] == ["GET"]


def test_unknown_api_route_is_json_even_in_debug(anonymous_api: ApiClient, settings: Any) -> None:
    settings.DEBUG = True
    response = anonymous_api.get("/api/v1/nope")
    assert response.status_code == 404
    assert _shape(response)["details"] == {"path": "/api/v1/nope"}


def test_csrf_refusal_says_which_header(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.delete("/api/v1/tokens/1")
    assert response.status_code == 403
    assert _shape(response)["details"] == {"header": "X-CSRFToken"}
