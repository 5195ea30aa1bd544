"""/docs and /redoc: the OpenAPI document lists every admin API operation, and the pages need
nothing from the internet (community offices' intranets have none)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.support.routes import served_operations


def test_the_openapi_document_lists_every_admin_api_operation(app_client: TestClient) -> None:
    served = served_operations(app_client.app, prefix="/api/v1")  # type: ignore[arg-type]
    # read from the app, not written here: a router included later is in it too
    assert {("GET", "/api/v1/tickets"), ("POST", "/api/v1/notices")} <= served

    response = app_client.get("/openapi.json")
    assert response.status_code == 200
    documented = {
        (method.upper(), path)
        for path, operations in response.json()["paths"].items()
        for method in operations
    }
    assert sorted(served - documented) == []


@pytest.mark.parametrize(("page", "assets"), [("/docs", 3), ("/redoc", 2)])
def test_the_docs_pages_load_everything_from_the_app_itself(
    app_client: TestClient, page: str, assets: int
) -> None:
    html = app_client.get(page).text
    assert "<title>红管家 管理接口</title>" in html
    assert "http:" not in html and "https:" not in html  # no CDN, no web fonts
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(urls) == assets  # the script, the favicon and (Swagger UI) the stylesheet
    for url in urls:
        assert url.startswith("/docs/static/"), url
        response = app_client.get(url)
        assert response.status_code == 200 and len(response.content) > 1000, url
