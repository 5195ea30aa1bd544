#!/usr/bin/env python3
"""Smoke test of the production layout on this machine, without root or systemd.

PostgreSQL, two web processes (``hgj serve --no-background`` on two ports, as the
``hgj-web@`` units run them), one delivery worker (``hgj worker``, the only scheduler), a local
fake of WeChat's API for the worker's pushes, and WeChat's side played with wechatpy (signed and
encrypted, safe mode). It checks that:

1. both web processes answer ``/healthz`` and ``/metrics`` (with the metrics token);
2. a resident starts a repair on web 1 and confirms it on web 2; the ticket is visible through
   web 1's admin API; WeChat's retry of the confirmation on web 1 creates nothing new;
3. the worker delivers each push to the fake WeChat exactly once, and only the worker leads the
   scheduler;
4. the logs are JSON lines carrying request ids, and ``hgj backup`` works against the live database.

Then everything is stopped and the database dropped. Usage (from the repository root)::

    .venv/bin/python deploy/smoke.py [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/hgj_smoke] [--keep]

``HGJ_SMOKE_URL`` sets the database too. The database is created and dropped: never point it
at one that holds data. Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import xmltodict
from wechatpy.crypto import WeChatCrypto

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hgj_smoke"
APP_ID = "wx5823bf96d3bd56c7"
RESIDENT = "demo-resident-wang"
STARTUP_SECONDS = 90


class SmokeFailure(Exception):
    pass


STARTED = time.monotonic()


def check(condition: object, what: str) -> None:
    if not condition:
        raise SmokeFailure(what)
    print(f"  ok  [{time.monotonic() - STARTED:5.1f} s] {what}", flush=True)


# -- the database -----------------------------------------------------------------------------


def plain_url(url: str) -> str:
    """The SQLAlchemy URL as libpq (psycopg, psql) reads it: ``postgresql://`` without a driver."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def _conninfo(url: str) -> tuple[str, str]:
    """(libpq URL of the same server's ``postgres`` database, the smoke database's name)."""
    match = re.match(r"^(postgresql://[^/]*)/([^?]+)(\?.*)?$", plain_url(url))
    if not match:
        raise SystemExit(f"not a PostgreSQL URL: {url}")
    base, name, query = match.group(1), match.group(2), match.group(3) or ""
    return f"{base}/postgres{query}", name


@contextmanager
def fresh_database(url: str, *, keep: bool) -> Iterator[None]:
    admin, name = _conninfo(url)
    if not re.fullmatch(r"\w+", name) or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to recreate the database {name!r}")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}", flush=True)
    try:
        yield
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped database {name}", flush=True)


# -- a fake of WeChat's API -------------------------------------------------------------------


class FakeWeChatApi:
    """Answers the Official Account's token and message calls and records every message."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[str, str, dict[str, Any]]] = []  # (path, idempotency key, body)
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?", 1)[0]
                if path.endswith("/cgi-bin/stable_token") or path.endswith("/cgi-bin/gettoken"):
                    answer: dict[str, Any] = {"access_token": "smoke-token", "expires_in": 7200}
                elif "/cgi-bin/message/" in path or path.endswith("/cgi-bin/webhook/send"):
                    with fake.lock:
                        fake.deliveries.append(
                            (path, self.headers.get("X-Idempotency-Key", ""), json.loads(body or b"{}"))
                        )
                    answer = {"errcode": 0, "errmsg": "ok", "msgid": len(fake.deliveries)}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # WeCom's gettoken is a GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def delivered(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.lock:
            return list(self.deliveries)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- WeChat's side of the webhook -------------------------------------------------------------


class Resident:
    """Sends a resident's messages the way WeChat's servers do in safe mode, and reads replies."""

    def __init__(self, *, token: str, aes_key: str, openid: str) -> None:
        self.token, self.openid = token, openid
        self.crypto = WeChatCrypto(token, aes_key, APP_ID)
        self.next_id = 6_100_000_000_000_000_000

    def request(self, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        xml = (
            f"<xml><ToUserName><![CDATA[gh_smoke]]></ToUserName><FromUserName><![CDATA[{self.openid}]]>"
            f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        signature = hashlib.sha1("".join(sorted([self.token, timestamp, nonce])).encode()).hexdigest()
        params = {
            "signature": signature,
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": self.openid,
            "encrypt_type": "aes",
            "msg_signature": sealed["MsgSignature"],
        }
        body = f"<xml><ToUserName><![CDATA[gh_smoke]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
        return params, body.encode()

    def say(self, base: str, text: str, msg_id: int | None = None) -> tuple[str, httpx.Response]:
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        params, body = self.request(text, msg_id)
        response = httpx.post(f"{base}/wechat", params=params, content=body, timeout=10)
        if response.status_code != 200:
            raise SmokeFailure(f"POST {base}/wechat answered {response.status_code}: {response.text[:200]}")
        if response.text == "success":
            return "", response
        sealed = xmltodict.parse(response.text)["xml"]
        plain = self.crypto.decrypt_message(
            response.text, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
        )
        return str(xmltodict.parse(plain)["xml"].get("Content", "")), response


# -- the processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(directory: Path, *, url: str, fake: FakeWeChatApi) -> dict[str, str]:
    secrets_ = {
        "token": secrets.token_hex(16),
        "aes_key": base64.b64encode(secrets.token_bytes(32)).decode().rstrip("="),
        "admin": secrets.token_urlsafe(24),
        "metrics": secrets.token_urlsafe(24),
    }
    (directory / "config.toml").write_text(
        f"""
[database]
url = "{url}"
[wechat]
app_id = "{APP_ID}"
app_secret = "smoke-secret"
token = "{secrets_["token"]}"
encoding_aes_key = "{secrets_["aes_key"]}"
api_base_url = "{fake.url}/mp"
[wechat.templates]
default = "TPL-SMOKE"
[wecom]
enabled = false
api_base_url = "{fake.url}/qy"
[admin]
tokens = ["{secrets_["admin"]}"]
[outbox]
poll_seconds = 0.2
unconfigured = "dead"
[log]
format = "json"
access = true
[metrics]
token = "{secrets_["metrics"]}"
""",
        encoding="utf-8",
    )
    return secrets_


class Processes:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.env = {**os.environ, "HGJ_CONFIG": str(directory / "config.toml"), "PYTHONUNBUFFERED": "1"}
        self.env = {k: v for k, v in self.env.items() if not k.startswith("HGJ_") or k == "HGJ_CONFIG"}
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SmokeFailure(f"hgj {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done.stdout

    def start(self, name: str, *args: str) -> None:
        log = (self.directory / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise SmokeFailure(
                    f"{name} exited with {process.returncode}; see {self.directory / name}.log"
                )

    def stop(self) -> dict[str, int | None]:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for name, process in self.running.items():
            try:
                codes[name] = process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = process.wait()
        return codes

    def log_lines(self, name: str) -> list[str]:
        return (self.directory / f"{name}.log").read_text(encoding="utf-8", errors="replace").splitlines()


def wait_for(condition: Callable[[], object], what: str, processes: Processes, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        processes.alive()
        try:
            result = condition()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise SmokeFailure(f"timed out waiting for {what}")


def metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            head = line.split(" ", 1)[0]
            if head == name or head.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return None


# -- the run ----------------------------------------------------------------------------------


def smoke(url: str, directory: Path) -> None:
    fake = FakeWeChatApi()
    try:
        keys = write_config(directory, url=url, fake=fake)
        procs = Processes(directory)
        try:
            _run(procs, fake, keys, directory, url)
        finally:
            codes = procs.stop()
            print(f"stopped: {codes}", flush=True)
        # uvicorn shuts down gracefully, then re-raises SIGTERM (systemd counts that as a clean stop).
        clean = all(code in (0, -signal.SIGTERM) for code in codes.values())
        check(clean, "every process stopped on SIGTERM")
    finally:
        fake.stop()


def _run(procs: Processes, fake: FakeWeChatApi, keys: dict[str, str], directory: Path, url: str) -> None:
    print(procs.run("db", "upgrade").strip(), flush=True)
    web = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
    worker_metrics = free_port()
    for number, base in enumerate(web, 1):
        procs.start(f"web{number}", "serve", "--no-background", "--port", base.rsplit(":", 1)[1])
    procs.start("worker", "worker", "--threads", "1", "--metrics-port", str(worker_metrics))
    print(f"started web1 {web[0]}, web2 {web[1]}, worker (metrics :{worker_metrics})", flush=True)
    procs.run("import", str(ROOT / "examples" / "demo-community.toml"))  # while they warm up
    check(True, "migrated, demo community imported")

    for base in web:
        wait_for(
            lambda b=base: httpx.get(f"{b}/healthz", timeout=5).status_code == 200,
            f"{base}/healthz",
            procs,
            STARTUP_SECONDS,
        )
        health = httpx.get(f"{base}/healthz", timeout=5).json()
        check(
            health["status"] == "ok" and health["scheduler"] == "off",
            f"{base}/healthz ok, no scheduler in a web process",
        )
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    scrape = {"Authorization": f"Bearer {keys['metrics']}"}
    check(
        httpx.get(f"{web[0]}/metrics", timeout=5).status_code == 401,
        "/metrics refuses a scrape without the token",
    )

    resident = Resident(token=keys["token"], aes_key=keys["aes_key"], openid=RESIDENT)
    first, _ = resident.say(web[0], "我家卫生间天花板渗水")
    check("是" in first, f"web1 asks to confirm the repair: {first[:40]}…")
    confirm_id = 6_100_000_000_000_009_999
    created, response = resident.say(web[1], "是", msg_id=confirm_id)
    code = re.search(r"已登记报修单 (R\d+)", created)
    check(code, f"web2 files it: {created[:40]}…")
    check(response.headers.get("x-request-id"), "the answer carries an X-Request-ID")
    retried, _ = resident.say(web[0], "是", msg_id=confirm_id)  # WeChat's retry reaches the other process
    check(retried == created, "WeChat's retry on web1 gets the same answer")
    tickets = httpx.get(f"{web[0]}/api/v1/tickets", headers=admin, timeout=10).json()
    mine = [t for t in tickets["items"] if t.get("code") == code.group(1)]
    check(len(mine) == 1 and tickets["total"] == 1, f"{code.group(1)} is visible through web1's API, once")

    ticket = code.group(1)
    dsn = plain_url(url)

    def settled() -> list[tuple[str, str]] | None:
        """The ticket's pushes once none is waiting any more: [(idempotency key, status)]."""
        with psycopg.connect(dsn) as connection:
            rows = connection.execute(
                "SELECT idempotency_key, status FROM outbox_message WHERE text LIKE %s", (f"%{ticket}%",)
            ).fetchall()
        return rows if rows and all(status in ("sent", "dead") for _, status in rows) else None

    pushes = wait_for(settled, f"the worker to deliver {ticket}'s pushes", procs, 30)
    check(all(status == "sent" for _, status in pushes), f"{len(pushes)} push(es) about {ticket} sent")
    delivered = fake.delivered()
    counts = Counter(key for _, key, _ in delivered)
    check(all(counts[key] == 1 for key, _ in pushes), "each reached the fake WeChat exactly once")
    check(all(n == 1 for n in counts.values()) and "" not in counts, "no push at all was delivered twice")
    worker_text = httpx.get(f"http://127.0.0.1:{worker_metrics}/metrics", headers=scrape, timeout=5).text
    check(metric(worker_text, "hgj_scheduler_leader") == 1, "the worker leads the scheduler")
    check(metric(worker_text, "hgj_outbox_dead") == 0, "no dead letters")

    for number, base in enumerate(web, 1):
        text = httpx.get(f"{base}/metrics", headers=scrape, timeout=5).text
        count = metric(text, "hgj_http_requests_total", route="/wechat", method="POST", status="200")
        check(
            count and metric(text, "hgj_scheduler_leader") == 0,
            f"web{number} /metrics: {count:.0f} webhook calls, not the leader",
        )
    intents = metric(
        httpx.get(f"{web[0]}/metrics", headers=scrape, timeout=5).text, "hgj_intents_total", intent="repair"
    )
    check(intents == 1, "web1 counted the repair intent")

    if shutil.which("pg_dump"):
        backup = procs.run("backup", str(directory / "live.dump"))
        made = "已备份" in backup and (directory / "live.dump").stat().st_size > 0
        check(made, "hgj backup of the running database")
    else:
        print("  --  hgj backup skipped: no pg_dump on this machine", flush=True)

    procs.alive()
    lines = [json.loads(line) for line in procs.log_lines("web2") if line.startswith("{")]
    ids = {line.get("request_id") for line in lines if line.get("logger") == "hgj.access"}
    check(response.headers["x-request-id"] in ids, "web2's JSON access log has the confirmation's request id")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("HGJ_SMOKE_URL") or DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="hgj-smoke-"))
    try:
        with fresh_database(args.database_url, keep=args.keep):
            smoke(args.database_url, directory)
    except SmokeFailure as failure:
        print(f"SMOKE FAILED: {failure} (logs in {directory})", file=sys.stderr, flush=True)
        return 1
    print(f"smoke passed in {time.monotonic() - STARTED:.1f} s", flush=True)
    if not args.keep:
        for file in directory.iterdir():
            file.unlink()
        directory.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
