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
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from smoke_wechat import APP_ID, FakeWeChatApi, Resident, SmokeFailure  # deploy/, beside this file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hgj_smoke"
RESIDENT = "demo-resident-wang"
STARTUP_SECONDS = 90
STARTED = time.monotonic()


def note(what: str) -> None:
    print(f"      [{time.monotonic() - STARTED:5.1f} s] {what}", flush=True)


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
    note(f"created database {name}")
    try:
        yield
    finally:
        if not keep:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            note(f"dropped database {name}")


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
[server]
spool_dir = "{directory / "spool"}"
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
        run = Run(url, directory, fake)
        try:
            run.start()
            run.healthy()
            ticket = run.chat_across_processes()
            run.delivered_once(ticket)
            run.metrics_and_logs()
            run.backup()
        finally:
            codes = run.procs.stop()
            note(f"stopped: {codes}")
        # uvicorn shuts down gracefully, then re-raises SIGTERM (systemd counts that as a clean stop).
        check(
            all(code in (0, -signal.SIGTERM) for code in codes.values()), "every process stopped on SIGTERM"
        )
    finally:
        fake.stop()


class Run:
    def __init__(self, url: str, directory: Path, fake: FakeWeChatApi) -> None:
        self.url, self.directory, self.fake = url, directory, fake
        self.keys = write_config(directory, url=url, fake=fake)
        self.procs = Processes(directory)
        self.web = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
        self.worker = f"http://127.0.0.1:{free_port()}"
        self.admin = {"Authorization": f"Bearer {self.keys['admin']}"}
        self.scrape = {"Authorization": f"Bearer {self.keys['metrics']}"}
        self.resident = Resident(token=self.keys["token"], aes_key=self.keys["aes_key"], openid=RESIDENT)
        self.request_id = ""

    def get(self, url: str, **headers: str) -> httpx.Response:
        return httpx.get(url, headers=headers, timeout=10)

    def start(self) -> None:
        note(self.procs.run("db", "upgrade").strip())
        for number, base in enumerate(self.web, 1):
            self.procs.start(f"web{number}", "serve", "--no-background", "--port", base.rsplit(":", 1)[1])
        self.procs.start(
            "worker", "worker", "--threads", "1", "--metrics-port", self.worker.rsplit(":", 1)[1]
        )
        note(f"started web1 {self.web[0]}, web2 {self.web[1]}, worker (metrics {self.worker})")
        self.procs.run("import", str(ROOT / "examples" / "demo-community.toml"))  # while they warm up
        check(True, "migrated, demo community imported")

    def healthy(self) -> None:
        for base in self.web:
            wait_for(
                lambda b=base: self.get(f"{b}/healthz").is_success,
                f"{base}/healthz",
                self.procs,
                STARTUP_SECONDS,
            )
            health = self.get(f"{base}/healthz").json()
            ok = health["status"] == "ok" and health["scheduler"] == "off"
            check(ok, f"{base}/healthz ok, no scheduler in a web process")
        check(
            self.get(f"{self.web[0]}/metrics").status_code == 401,
            "/metrics refuses a scrape without the token",
        )

    def chat_across_processes(self) -> str:
        """A repair begun on web 1 and confirmed on web 2; WeChat's retry lands on web 1."""
        first, _ = self.resident.say(self.web[0], "我家卫生间天花板渗水")
        check("是" in first, f"web1 asks to confirm the repair: {first[:12]}…")
        confirm_id = 6_100_000_000_000_009_999
        created, response = self.resident.say(self.web[1], "是", msg_id=confirm_id)
        found = re.search(r"已登记报修单 (R\d+)", created)
        check(found, f"web2 files it: {created[:24]}…")
        ticket = found.group(1) if found else ""
        self.request_id = response.headers.get("x-request-id", "")
        check(self.request_id, "the answer carries an X-Request-ID")
        retried, _ = self.resident.say(self.web[0], "是", msg_id=confirm_id)
        check(retried == created, "WeChat's retry on web1 gets the same answer")
        listed = self.get(f"{self.web[0]}/api/v1/tickets", **self.admin).json()
        mine = [t for t in listed["items"] if t.get("code") == ticket]
        check(len(mine) == 1 and listed["total"] == 1, f"{ticket} is visible through web1's API, once")
        return ticket

    def delivered_once(self, ticket: str) -> None:
        def settled() -> list[tuple[str, str]] | None:
            """The ticket's pushes once none is waiting any more: [(idempotency key, status)]."""
            with psycopg.connect(plain_url(self.url)) as connection:
                rows = connection.execute(
                    "SELECT idempotency_key, status FROM outbox_message WHERE text LIKE %s", (f"%{ticket}%",)
                ).fetchall()
            return rows if rows and all(status in ("sent", "dead") for _, status in rows) else None

        pushes = wait_for(settled, f"the worker to deliver {ticket}'s pushes", self.procs, 30)
        check(all(status == "sent" for _, status in pushes), f"{len(pushes)} push(es) about {ticket} sent")
        counts = Counter(key for _, key, _ in self.fake.delivered())
        check(all(counts[key] == 1 for key, _ in pushes), "each reached the fake WeChat exactly once")
        check(all(n == 1 for n in counts.values()) and "" not in counts, "no push at all was delivered twice")

    def metrics_and_logs(self) -> None:
        worker = self.get(f"{self.worker}/metrics", **self.scrape).text
        check(metric(worker, "hgj_scheduler_leader") == 1, "the worker leads the scheduler")
        check(metric(worker, "hgj_outbox_dead") == 0, "no dead letters")
        for number, base in enumerate(self.web, 1):
            text = self.get(f"{base}/metrics", **self.scrape).text
            calls = metric(text, "hgj_http_requests_total", route="/wechat", method="POST", status="200")
            ok = bool(calls) and metric(text, "hgj_scheduler_leader") == 0
            check(ok, f"web{number} /metrics: {calls or 0:.0f} webhook calls, not the leader")
        first = self.get(f"{self.web[0]}/metrics", **self.scrape).text
        check(metric(first, "hgj_intents_total", intent="repair") == 1, "web1 counted the repair intent")
        self.procs.alive()
        lines = [json.loads(line) for line in self.procs.log_lines("web2") if line.startswith("{")]
        ids = {line.get("request_id") for line in lines if line.get("logger") == "hgj.access"}
        check(self.request_id in ids, "web2's JSON access log has the confirmation's request id")

    def backup(self) -> None:
        if not shutil.which("pg_dump"):
            print("  --  hgj backup skipped: no pg_dump on this machine", flush=True)
            return
        said = self.procs.run("backup", str(self.directory / "live.dump"))
        made = "已备份" in said and (self.directory / "live.dump").stat().st_size > 0
        check(made, "hgj backup of the running database")


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
