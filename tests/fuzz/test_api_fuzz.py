"""Fuzz every ``/api/v1`` route from the app's own OpenAPI document: no input gets a 5xx.

Schemathesis generates valid and invalid requests from the schema (huge integers, NUL and
odd unicode in strings, wrong types, missing fields, raw CSV and TOML bodies) and sends them,
with an admin token, to the real app on the test database (SQLite, and PostgreSQL when
configured). Every answer must be below 500.

The budget is small and derandomised for CI; ``HGJ_FUZZ_EXAMPLES=200`` runs deeper and
``HGJ_FUZZ_ONLY=ledger`` fuzzes only the routes whose path (after ``/api/v1/``) starts so.
"""

from __future__ import annotations

import os

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

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
    config = SchemathesisConfig.from_dict({"generation": {"deterministic": True, "allow-x00": True}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=config)
    return [result.ok() for result in schema.include(path_regex=f"^/api/v1/{ONLY}").get_all_operations()]


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
                response = case.call(headers=AUTH)
                checks = [not_a_server_error]
                if response.status_code < 300:  # refusals carry the reason in their own shapes
                    checks += [response_schema_conformance, content_type_conformance]
                case.validate_response(response, checks=checks)

            try:
                fuzz()
            except (Exception, BaseExceptionGroup) as exc:  # the next operation is fuzzed all the same
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:3000]}")
    assert not failures, "\n\n".join(failures)
