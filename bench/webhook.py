"""Webhook benchmark: the full /wechat pipeline against a bare verify-decrypt-echo endpoint.

Run: ``.venv/bin/python bench/webhook.py [--senders 32] [--messages 60] [--database-url URL]``

The database is a new SQLite file unless ``--database-url`` names another (an empty
PostgreSQL database, say): the bench migrates it and loads the demo community into it.

Both servers run in their own process (uvicorn, one worker) on 127.0.0.1 with the same
gateway code; this process is the load generator. Safe-mode (AES) text messages are built
in advance with wechatpy's crypto, then sent by ``--senders`` concurrent senders. Both
servers are warmed, then measured in alternating rounds (``--rounds`` each): throughput is
the median over rounds, p50/p99 are over every request, and the ratio full / bare is the
median of each full round against the bare round just before it, so that the drift of a
shared machine hits both sides of each pair alike.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.wechat import WeChatSim, message_xml  # noqa: E402

TOKEN = "bench-token"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APP_ID = "wx5823bf96d3bd56c7"
TEXTS = ["你好", "物业费怎么交", "我住3栋2单元502", "谢谢", "楼道灯不亮了", "今天天气怎么样"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bare_app():  # type: ignore[no-untyped-def]
    """Verify, decrypt, parse and echo the text back encrypted: no database, no NLU."""
    from bot.clock import SystemClock
    from bot.replies import Text
    from bot.settings import load_settings
    from bot.wechat import WeChatGateway, read_body
    from bot.wire import render

    settings = load_settings()
    gateway = WeChatGateway(settings.wechat, SystemClock())
    app = FastAPI()

    @app.post("/wechat")
    async def echo(request: Request) -> Response:
        params = dict(request.query_params)
        body = await read_body(request, limit=settings.wechat.max_body_bytes)
        message, encrypted = gateway.open(body, params)
        xml = render([Text(message.text)], to_user=message.user_id, from_user="bench")
        return gateway.seal(xml, encrypted=encrypted, nonce=params["nonce"], timestamp=params["timestamp"])

    return app


def serve(kind: str, port: int) -> None:
    import uvicorn

    if kind == "bare":
        app = bare_app()
    else:
        from bot.app import create_app
        from bot.settings import load_settings

        app = create_app(load_settings())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_server(kind: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port)], env=env, cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{kind} server did not start")


class _Settings:
    class wechat:
        token, encoding_aes_key, app_id = TOKEN, AES_KEY, APP_ID


class _Clock:
    def now(self):  # type: ignore[no-untyped-def]
        from datetime import UTC, datetime

        return datetime.now(UTC)


_MSG_IDS = itertools.count(1)
# One nonce sequence for the whole run: a (timestamp, nonce) pair seen again with another body is a
# replay, which the gateway refuses (a fresh WeChatSim per round would start its nonces over).
_NONCES = itertools.count(500_000)


def build_requests(senders: int, per_sender: int, tag: str) -> list[list[tuple[dict[str, str], bytes]]]:
    sim = WeChatSim(client=None, settings=_Settings, clock=_Clock())  # type: ignore[arg-type]
    sim.next_msg_id = lambda: 8_000_000_000_000_000_000 + next(_MSG_IDS)  # type: ignore[method-assign]
    sim._nonces = _NONCES
    plan = []
    for s in range(senders):
        openid = f"bench-{tag}-{s:03d}"
        batch = []
        for i in range(per_sender):
            xml = message_xml(
                openid, "text", sim.now(), {"Content": TEXTS[i % len(TEXTS)], "MsgId": sim.next_msg_id()}
            )
            batch.append(sim.envelope(xml, mode="safe"))
        plan.append(batch)
    return plan


def raw_request(host: str, params: dict[str, str], body: bytes) -> bytes:
    """One pre-built HTTP/1.1 request: the load generator only writes bytes and reads replies."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    head = (
        f"POST /wechat?{query} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def drive(url: str, plan: list[list[tuple[dict[str, str], bytes]]]) -> tuple[float, list[float]]:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []

    async def sender(batch: list[tuple[dict[str, str], bytes]]) -> None:
        requests = [raw_request(host, params, body) for params, body in batch]
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for request in requests:
                started = time.perf_counter()
                writer.write(request)
                status, body = await read_response(reader)
                latencies.append(time.perf_counter() - started)
                if status != 200 or b"<Encrypt>" not in body:
                    raise RuntimeError(f"bad response {status}: {body[:200]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(sender(batch) for batch in plan))
    return time.perf_counter() - started, latencies


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_round(
    process: subprocess.Popen[bytes], url: str, senders: int, per_sender: int, tag: str
) -> dict[str, Any]:
    plan = build_requests(senders, per_sender, tag)
    cpu_before = cpu_seconds(process.pid)
    elapsed, latencies = asyncio.run(drive(url, plan))
    cpu = cpu_seconds(process.pid) - cpu_before
    return {"elapsed": elapsed, "latencies": latencies, "cpu": cpu}


def _rps(measured_round: dict[str, Any]) -> float:
    return len(measured_round["latencies"]) / measured_round["elapsed"]


def summary(rounds: list[dict[str, Any]]) -> dict[str, float]:
    """Median throughput over the rounds; latency percentiles over all requests of all rounds."""
    latencies = sorted(latency for r in rounds for latency in r["latencies"])
    count = len(latencies)
    return {
        "requests": count,
        "rounds": len(rounds),
        "throughput_rps": round(statistics.median(_rps(r) for r in rounds), 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(count * 0.99) - 1] * 1000, 2),
        "server_cpu_ms_per_request": round(sum(r["cpu"] for r in rounds) / count * 1000, 3),
    }


def compare(env: dict[str, str], senders: int, per_sender: int, rounds: int, tag: str = "") -> dict[str, Any]:
    """Both servers up at once, warmed, then measured in alternating rounds (noise hits both)."""
    servers = {kind: start_server(kind, env) for kind in ("bare", "full")}
    try:
        for kind, (_, url) in servers.items():  # warm-up: imports, NLU, pools
            asyncio.run(drive(url, build_requests(senders, 3, f"warm-{kind}{tag}")))
        measured: dict[str, list[dict[str, Any]]] = {"bare": [], "full": []}
        for number in range(rounds):
            for kind, (process, url) in servers.items():
                measured[kind].append(run_round(process, url, senders, per_sender, f"{kind}{tag}-{number}"))
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)
    result: dict[str, Any] = {kind: summary(results) for kind, results in measured.items()}
    # Each full round ran right after its bare round: the ratio of each pair, then the median.
    pairs = [_rps(full) / _rps(bare) for bare, full in zip(measured["bare"], measured["full"], strict=True)]
    result["ratio_per_round"] = [round(ratio, 3) for ratio in pairs]
    result["ratio"] = round(statistics.median(pairs), 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--messages", type=int, default=60, help="messages per sender and round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per server")
    parser.add_argument("--serve", choices=["bare", "full"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--database-url", help="an empty database to use instead of a new SQLite file")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "HGJ_DATABASE__URL": args.database_url or f"sqlite:///{tmp}/bench.db",
            "HGJ_WECHAT__TOKEN": TOKEN,
            "HGJ_WECHAT__ENCODING_AES_KEY": AES_KEY,
            "HGJ_WECHAT__APP_ID": APP_ID,
            "HGJ_WECOM__ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("HGJ_CONFIG", None)
        hgj = [sys.executable, "-m", "bot"]
        subprocess.run([*hgj, "db", "upgrade"], env=env, cwd=tmp, check=True, capture_output=True)
        demo = str(ROOT / "examples" / "demo-community.toml")
        subprocess.run([*hgj, "import", demo], env=env, cwd=tmp, check=True, capture_output=True)
        at_load = compare(env, args.senders, args.messages, args.rounds)
        ratio = at_load.pop("ratio")
        # One sender at a time: the service time of a message without queueing.
        alone = compare(env, 1, 200, args.rounds, tag="alone")
    result = {
        "database": "sqlite" if not args.database_url else args.database_url.split(":", 1)[0],
        "senders": args.senders,
        **at_load,
        "one_sender": alone,
        "throughput_ratio_full_over_bare": ratio,
        "targets": {"ratio_at_least": 0.5, "full_p99_ms_under": 50},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
