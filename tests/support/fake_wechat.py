"""A local fake of WeChat's and WeCom's outbound APIs and group-robot webhooks.

A real HTTP server on 127.0.0.1 (random port, one thread per request) so that every worker,
thread and process talks to it as to the real thing. Official Account endpoints live under
``/mp``, WeCom under ``/qy`` (robot webhooks too: ``/qy/cgi-bin/webhook/send?key=...``).
It issues tokens with an expiry, answers 40001 / 42001 for unknown or expired tokens, enforces
the robots' 20 messages a minute and the 2,048 / 4,096-byte text and markdown limits, can fail
a share of calls (HTTP 500, errcode -1 "system busy", or a dropped connection — all before
anything is delivered), can answer slowly (``delay_seconds``: the message is delivered at once,
the answer comes after the delay, like an API that is slow to confirm), and records every
delivered message with its ``X-Idempotency-Key``.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.clock import Clock

ROBOT_PER_MINUTE = 20


@dataclass(frozen=True)
class Delivery:
    channel: str  # mp_custom | mp_template | wecom_app | group_robot
    recipient: str  # openid, WeCom userid, or the robot's key
    text: str
    key: str  # X-Idempotency-Key
    msgtype: str
    body: dict[str, Any] = field(default_factory=dict, compare=False)


class FakeWeChat:
    def __init__(self, *, clock: Clock, seed: int = 7) -> None:
        self.clock = clock
        self.random = random.Random(seed)
        self.fail_rate = 0.0
        self.lock = threading.Lock()
        self.deliveries: list[Delivery] = []
        self.token_requests: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.errors: list[tuple[str, int]] = []  # (path, errcode) of every refusal
        self.tokens: dict[str, tuple[str, datetime]] = {}  # app -> (token, expires_at)
        self.force_errcode: list[int] = []  # returned, in order, by the next message calls
        self.delay_seconds = 0.0  # how long a delivered message's answer takes
        self.in_flight = 0  # message calls received and not yet answered
        self._robot_sends: dict[str, list[datetime]] = {}
        self.qrcodes: dict[str, str] = {}  # scene_str -> the url its permanent QR code encodes
        self._counter = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle and addresses ----------------------------------------------------------------

    def start(self) -> FakeWeChat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def mp_base(self) -> str:
        return f"{self.url}/mp"

    @property
    def qy_base(self) -> str:
        return f"{self.url}/qy"

    # -- what tests look at ---------------------------------------------------------------------

    def delivered(self, channel: str | None = None) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if channel is None or d.channel == channel]

    def duplicate_keys(self) -> list[str]:
        counts = Counter(d.key for d in self.delivered())
        return [key for key, n in counts.items() if n > 1]

    def invalidate_tokens(self) -> None:
        """Every issued token becomes unknown (40001), as after a secret reset."""
        with self.lock:
            self.tokens.clear()

    def expire_tokens(self) -> None:
        """Every issued token expires now (42001)."""
        with self.lock:
            self.tokens = {app: (token, self.clock.now()) for app, (token, _) in self.tokens.items()}

    # -- behaviour ------------------------------------------------------------------------------

    def issue(self, app: str, *, force: bool) -> dict[str, Any]:
        with self.lock:
            self.token_requests[app] += 1
            current = self.tokens.get(app)
            now = self.clock.now()
            if current is None or force or current[1] <= now:
                self._counter += 1
                current = (f"{app}-token-{self._counter}", now + timedelta(seconds=7200))
                self.tokens[app] = current
            expires_in = int((current[1] - now).total_seconds())
            return {"errcode": 0, "access_token": current[0], "expires_in": expires_in}

    def check_token(self, app: str, token: str) -> int:
        with self.lock:
            current = self.tokens.get(app)
            if current is None or current[0] != token:
                return 40001
            return 42001 if current[1] <= self.clock.now() else 0

    def inject_failure(self) -> str | None:
        with self.lock:
            if self.fail_rate and self.random.random() < self.fail_rate:
                kind = self.random.choice(["http500", "busy", "drop"])
                self.failures[kind] += 1
                return kind
            return None

    def robot_allows(self, key: str) -> bool:
        with self.lock:
            now = self.clock.now()
            recent = [t for t in self._robot_sends.get(key, []) if now - t < timedelta(minutes=1)]
            if len(recent) >= ROBOT_PER_MINUTE:
                return False
            self._robot_sends[key] = [*recent, now]
            return True

    def record(self, delivery: Delivery) -> None:
        with self.lock:
            self.deliveries.append(delivery)

    def idle(self) -> bool:
        """No message call is being answered right now."""
        with self.lock:
            return self.in_flight == 0


def _content(body: dict[str, Any]) -> tuple[str, str]:
    msgtype = str(body.get("msgtype", "template"))
    if msgtype == "template":
        data = body.get("data", {})
        return msgtype, "".join(str(v.get("value", "")) for v in data.values())
    return msgtype, str(body.get(msgtype, {}).get("content", ""))


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self, payload: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _refuse(self, path: str, code: int, message: str) -> None:
            with fake.lock:
                fake.errors.append((path, code))
            self._answer({"errcode": code, "errmsg": message})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/qy/cgi-bin/gettoken":
                self._answer(fake.issue("qy", force=False))
            else:
                self._answer({"errcode": 404, "errmsg": "not found"}, 404)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if url.path == "/mp/cgi-bin/stable_token":
                self._answer(fake.issue("mp", force=bool(body.get("force_refresh"))))
                return
            if url.path == "/mp/cgi-bin/qrcode/create":
                self._qrcode(url.path, query, body)
                return
            routes = {
                "/mp/cgi-bin/message/custom/send": ("mp_custom", "mp"),
                "/mp/cgi-bin/message/template/send": ("mp_template", "mp"),
                "/qy/cgi-bin/message/send": ("wecom_app", "qy"),
                "/qy/cgi-bin/webhook/send": ("group_robot", ""),
            }
            if url.path not in routes:
                self._answer({"errcode": 404, "errmsg": "not found"}, 404)
                return
            channel, app = routes[url.path]
            with fake.lock:
                fake.in_flight += 1
            try:
                self._message(url.path, channel, app, query, body)
            finally:
                with fake.lock:
                    fake.in_flight -= 1

        def _qrcode(self, path: str, query: dict[str, str], body: dict[str, Any]) -> None:
            """A permanent QR code (QR_LIMIT_STR_SCENE): the same scene always gets the same url."""
            code = fake.check_token("mp", query.get("access_token", ""))
            if code:
                self._refuse(path, code, "invalid credential")
                return
            scene = str(body.get("action_info", {}).get("scene", {}).get("scene_str", ""))
            if body.get("action_name") != "QR_LIMIT_STR_SCENE" or not 1 <= len(scene) <= 64:
                self._refuse(path, 40053, "invalid action info")
                return
            with fake.lock:
                link = fake.qrcodes.setdefault(scene, f"http://weixin.qq.com/q/fake{len(fake.qrcodes):04d}")
            self._answer({"ticket": f"TICKET-{scene}", "expire_seconds": 0, "url": link})

        def _message(
            self, path: str, channel: str, app: str, query: dict[str, str], body: dict[str, Any]
        ) -> None:
            if app:
                code = fake.check_token(app, query.get("access_token", ""))
                if code:
                    self._refuse(path, code, "invalid credential" if code == 40001 else "token expired")
                    return
            with fake.lock:
                forced = fake.force_errcode.pop(0) if fake.force_errcode else 0
            if forced:
                self._refuse(path, forced, "forced by the test")
                return
            failure = fake.inject_failure()
            if failure == "http500":
                self._answer({"errmsg": "internal error"}, 500)
                return
            if failure == "busy":
                self._refuse(path, -1, "system error")
                return
            if failure == "drop":
                self.close_connection = True
                return
            msgtype, text = _content(body)
            limit = 4096 if msgtype == "markdown" else 2048
            if channel in ("group_robot", "wecom_app") and len(text.encode()) > limit:
                self._refuse(path, 40058, f"content exceeds {limit} bytes")
                return
            if channel == "group_robot" and not fake.robot_allows(query.get("key", "")):
                self._refuse(path, 45009, "api freq out of limit")
                return
            recipient = query.get("key", "") if channel == "group_robot" else str(body.get("touser", ""))
            key = self.headers.get("X-Idempotency-Key", "")
            fake.record(Delivery(channel, recipient, text, key, msgtype, body))
            if fake.delay_seconds:
                time.sleep(fake.delay_seconds)
            self._answer({"errcode": 0, "errmsg": "ok"})

    return Handler
