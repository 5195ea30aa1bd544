"""The webhook fast path: what WeChat sees for good, refused, oversized and broken requests."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.errors import BadSignature
from bot.webhook import TEXT, XML, Webhook, WebhookApp

LIMIT = 64


def _client(behaviour: str) -> TestClient:
    async def receive(body: bytes, params: dict[str, str]) -> tuple[bytes, str]:
        if behaviour == "refuse":
            raise BadSignature("signature does not match the configured token")
        if behaviour == "crash":
            raise RuntimeError("secret internals")
        return b"<xml>" + body + params.get("nonce", "").encode() + b"</xml>", XML

    app = WebhookApp()

    @app.get("/wechat")
    def verify() -> str:
        return "verified"

    app.fast_webhooks["/wechat"] = Webhook(receive, LIMIT)
    return TestClient(app, raise_server_exceptions=False)


def test_a_message_gets_the_receivers_answer_with_its_query_parameters() -> None:
    response = _client("ok").post("/wechat?nonce=n1&signature=", content=b"hi")
    assert response.status_code == 200
    assert response.text == "<xml>hin1</xml>"
    assert response.headers["content-type"] == XML


def test_a_refused_request_gets_its_status_and_one_line() -> None:
    response = _client("refuse").post("/wechat", content=b"hi")
    assert response.status_code == 403
    assert response.text == "signature does not match the configured token"
    assert response.headers["content-type"] == TEXT


def test_an_oversized_body_is_refused_whether_declared_or_streamed() -> None:
    client = _client("ok")
    assert client.post("/wechat", content=b"x" * (LIMIT + 1)).status_code == 400

    def stream():  # type: ignore[no-untyped-def]  # no Content-Length: chunked
        yield b"x" * LIMIT
        yield b"x"

    assert client.post("/wechat", content=stream()).status_code == 400


def test_a_crash_is_a_bare_500_without_internals() -> None:
    response = _client("crash").post("/wechat", content=b"hi")
    assert response.status_code == 500
    assert "secret" not in response.text


def test_other_methods_and_paths_reach_the_app() -> None:
    client = _client("ok")
    assert client.get("/wechat").json() == "verified"
    assert client.put("/wechat", content=b"hi").status_code == 405
    assert client.post("/elsewhere", content=b"hi").status_code == 404
