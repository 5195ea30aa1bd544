"""The OpenAPI document behind /docs: it is served, and it lists every admin API operation."""

from __future__ import annotations

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
