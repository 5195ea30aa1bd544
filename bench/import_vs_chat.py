"""Chat latency with and without a large roster import running (issue 15, finding 2).

Run: ``.venv/bin/python bench/import_vs_chat.py [--rows 100000] [--senders 4] [--quiet-seconds 15]``

A server process (uvicorn, the full app, a new SQLite file with the demo community) is started
as ``bench/webhook.py --serve full`` does. Residents (``--senders`` of them, each sending its
next message as soon as the last is answered) write to ``/wechat`` in safe mode, first for
``--quiet-seconds`` with nothing else going on, then while an admin imports a ``--rows`` roster
CSV through ``POST /api/v1/residents/import`` (until its operation is done). Printed: p50/p99
of both phases, the ratio of the p99s, how long the import took, and how many answers were
「收到，正在处理」 (the webhook's fallback when the database could not answer in time).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.webhook import AES_KEY, APP_ID, TOKEN, _Clock, _Settings, start_server  # noqa: E402
from tests.support.wechat import WeChatSim, message_xml  # noqa: E402

ADMIN = "bench-admin-token-0123456789"
TEXTS = ["你好", "积分多少", "最近通知", "物业费怎么交", "谢谢", "楼道灯不亮了"]
BUILDINGS = ("1", "2", "3", "5")
_IDS = itertools.count(9_000_000_000_000_000_001)
SIM = WeChatSim(client=None, settings=_Settings, clock=_Clock())  # type: ignore[arg-type]  # one nonce sequence


def roster_csv(rows: int) -> bytes:
    lines = ["楼栋,单元,房号,面积,姓名,电话"]
    for i in range(rows):
        building, unit, room = BUILDINGS[i % 4], i // 4 % 6 + 1, 1000 + i // 24
        lines.append(f"{building},{unit},{room},{80 + i % 40}.5,住户{i},138{i:08d}")
    return ("\n".join(lines) + "\n").encode()


async def resident(
    client: httpx.AsyncClient, openid: str, stop: asyncio.Event, latencies: list[float], held: list[int]
) -> None:
    sim = SIM
    for turn in itertools.count():
        if stop.is_set():
            return
        xml = message_xml(
            openid, "text", sim.now(), {"Content": TEXTS[turn % len(TEXTS)], "MsgId": next(_IDS)}
        )
        params, body = sim.envelope(xml, mode="safe")
        started = time.perf_counter()
        response = await client.post("/wechat", params=params, content=body)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"/wechat answered {response.status_code}: {response.text[:200]}")
        data = sim.reply(response)  # type: ignore[arg-type]
        if data is not None and "正在处理" in str(data.get("Content", "")):
            held.append(1)


def figures(latencies: list[float], held: list[int]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "told_to_wait": len(held),
    }


async def phase(url: str, senders: int, tag: str, until: Any) -> tuple[dict[str, Any], Any]:
    latencies: list[float] = []
    held: list[int] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        tasks = [
            asyncio.create_task(resident(client, f"bench-{tag}-{n}", stop, latencies, held))
            for n in range(senders)
        ]
        outcome = await until()
        stop.set()
        await asyncio.gather(*tasks)
    return figures(latencies, held), outcome


async def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {ADMIN}"}
    body = roster_csv(args.rows)
    async with httpx.AsyncClient(base_url=url, timeout=30) as warm:  # imports, NLU, pools
        sim = SIM
        for text in TEXTS:
            xml = message_xml("bench-warm", "text", sim.now(), {"Content": text, "MsgId": next(_IDS)})
            params, content = sim.envelope(xml, mode="safe")
            await warm.post("/wechat", params=params, content=content)

    async def quiet() -> None:
        await asyncio.sleep(args.quiet_seconds)

    async def importing() -> dict[str, Any]:
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=url, timeout=600) as admin:
            posted = await admin.post("/api/v1/residents/import", content=body, headers=headers)
            if posted.status_code not in (201, 202):
                raise RuntimeError(f"import answered {posted.status_code}: {posted.text[:300]}")
            operation = {"status": "done", "detail": {"report": posted.json()}}
            if posted.status_code == 202:
                while operation.get("status") == "running" or "id" not in operation:
                    await asyncio.sleep(0.5)
                    operation = (await admin.get(posted.headers["Location"], headers=headers)).json()
        return {"seconds": round(time.perf_counter() - started, 1), "status": operation["status"]}

    without, _ = await phase(url, args.senders, "quiet", quiet)
    during, imported = await phase(url, args.senders, "import", importing)
    return {
        "rows": args.rows,
        "senders": args.senders,
        "import": imported,
        "chat_without_import": without,
        "chat_during_import": during,
        "p99_ratio_during_over_without": round(during["p99_ms"] / without["p99_ms"], 2),
        "target": {"p99_during_import_ms_under": 1000, "told_to_wait": 0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--quiet-seconds", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "HGJ_DATABASE__URL": f"sqlite:///{tmp}/bench.db",
            "HGJ_WECHAT__TOKEN": TOKEN,
            "HGJ_WECHAT__ENCODING_AES_KEY": AES_KEY,
            "HGJ_WECHAT__APP_ID": APP_ID,
            "HGJ_WECOM__ENABLED": "false",
            "HGJ_ADMIN__TOKENS": json.dumps([ADMIN]),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("HGJ_CONFIG", None)
        hgj = [sys.executable, "-m", "bot"]
        subprocess.run([*hgj, "db", "upgrade"], env=env, cwd=tmp, check=True, capture_output=True)
        demo = str(ROOT / "examples" / "demo-community.toml")
        subprocess.run([*hgj, "import", demo], env=env, cwd=tmp, check=True, capture_output=True)
        process, url = start_server("full", env)
        try:
            result = asyncio.run(run(url, args))
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
