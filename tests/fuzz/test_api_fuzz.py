"""Fuzz every ``/api/v1`` route from the app's own OpenAPI document: no input gets a 5xx.

Schemathesis generates valid and invalid requests from the schema (huge integers, NUL and
odd unicode in strings, wrong types, missing fields, raw CSV and TOML bodies); they are sent,
with an admin token, through the test's own client to the real app on the test database
(SQLite, and PostgreSQL when configured). Every answer must be below 500, and a success must
match the response schema the operation documents.

The budget is small and derandomised for CI; ``HGJ_FUZZ_EXAMPLES=200`` runs deeper and
``HGJ_FUZZ_ONLY=ledger`` fuzzes only the routes whose path (after ``/api/v1/``) starts so.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from models.base import MAX_INT
from tests.conftest import ADMIN_TOKEN

EXAMPLES = int(os.environ.get("HGJ_FUZZ_EXAMPLES", "0")) or 8
ONLY = os.environ.get("HGJ_FUZZ_ONLY", "")
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
schemathesis.serializer.alias("application/toml", "text/plain")  # PUT /knowledge-files/{name}


def _operations(client: TestClient) -> list[schemathesis.APIOperation]:
    # From the document as a dict, not from_asgi: schemathesis would start the app's lifespan a
    # second time, on its own event loop, and keep it running after the test.
    config = SchemathesisConfig.from_dict({"generation": {"deterministic": True, "allow-x00": True}})
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json(), config=config)
    return [result.ok() for result in schema.include(path_regex=f"^/api/v1/{ONLY}").get_all_operations()]


def _send(client: TestClient, case: schemathesis.Case) -> Response:
    """The case through the test's client (a case testing missing auth keeps it missing)."""
    request = case.as_transport_kwargs(base_url=str(client.base_url), headers=AUTH)
    body = request.pop("data", None)
    if body is not None:
        request["content"] = body.encode() if isinstance(body, str) else body
    if cookies := request.pop("cookies", None):  # httpx takes them per client, not per request
        request["headers"]["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return client.request(**request)


def test_no_request_gets_a_server_error(app_client: TestClient, demo: None) -> None:
    """Every operation, with valid and with invalid data; all failures are reported together."""
    failures: list[str] = []
    operations = _operations(app_client)
    assert len(operations) >= (40 if not ONLY else 1)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @FUZZ
            def fuzz(case: schemathesis.Case) -> None:
                response = _send(app_client, case)
                checks = [not_a_server_error]
                if response.status_code < 300:  # refusals carry the reason in their own shapes
                    checks += [response_schema_conformance, content_type_conformance]
                case.validate_response(response, checks=checks)

            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as exc:  # the next operation is fuzzed all the same
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:3000]}")
    assert not failures, "\n\n".join(failures)


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Places in ``schema`` where an integer has no maximum within MAX_INT or a string no limit."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _unbounded(components[name], components, f"{where}<{name}>", seen)
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, components, where, seen)
    kind = schema.get("type")
    if kind == "integer" and not ("maximum" in schema and schema["maximum"] <= MAX_INT):
        found.append(where)
    limited = any(key in schema for key in ("maxLength", "enum", "const", "pattern", "format"))
    if kind == "string" and not limited:  # a format (date-time) is parsed, not stored as text
        found.append(where)
    for name, item in schema.get("properties", {}).items():
        found += _unbounded(item, components, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        found += _unbounded(schema["items"], components, f"{where}[]", seen)
    return found


def test_every_input_is_bounded_in_the_schema(app_client: TestClient) -> None:
    """Cheaper than luck: every integer an operation takes fits an INTEGER column and every
    string has a limit, in paths, queries and JSON bodies (the raw CSV and TOML uploads are
    bounded by the body size limit)."""
    document = app_client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    found: list[str] = []
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{label} {parameter['in']} {parameter['name']}"
                found += _unbounded(parameter["schema"], components, where, set())
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found += _unbounded(content["application/json"]["schema"], components, f"{label} body", set())
    assert not found, "\n".join(found)
