"""Real ``hgj`` processes for fault tests: a config file pointing at the test database and a local
fake of WeChat.

Processes that compare leases with each other run on the machine's clock, shared by all of them.
``hgj --now`` starts a process's clock when the process parses it, after its imports: two
processes started together would disagree by however much longer one took to start (seconds,
on a busy machine), more than a test's few-second lease can absorb. Nothing these tests check
depends on the date.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]  # the repository


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def write_config(path: Path, sections: dict[str, dict[str, object]]) -> Path:
    """A config file from ``{section: {key: value}}``; a dict value becomes a sub-table."""
    lines: list[str] = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        tables = {k: v for k, v in values.items() if isinstance(v, dict)}
        lines += [f"{key} = {_toml(value)}" for key, value in values.items() if key not in tables]
        for name, table in tables.items():
            lines.append(f"[{section}.{name}]")
            lines += [f"{key} = {_toml(value)}" for key, value in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wechat_sections(mp_base: str, qy_base: str) -> dict[str, dict[str, object]]:
    """Template messages through a local fake of WeChat; WeCom off."""
    return {
        "wechat": {
            "app_id": "wx-fault-test",
            "app_secret": "fault-test-secret",
            "api_base_url": mp_base,
            "templates": {"default": "TPL-NOTICE"},
        },
        "wecom": {"enabled": False, "api_base_url": qy_base},
    }


class Process:
    """One ``hgj`` command running in its own OS process, its output in a file."""

    def __init__(self, args: list[str], *, log: Path) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("wb")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> None:
        """Ctrl+C, as a person would; killed if it does not end in time."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._out.close()


@contextmanager
def hgj_processes(commands: list[list[str]], *, logs: Path, first: int = 0) -> Iterator[list[Process]]:
    """Start each command as its own ``hgj`` process (output in ``logs/hgj-<n>.log``, numbered
    from ``first``); stop them all at the end."""
    started: list[Process] = []
    try:
        for index, command in enumerate(commands, start=first):
            started.append(Process(command, log=logs / f"hgj-{index}.log"))
        yield started
    finally:
        for process in started:
            process.stop()


def wait_until(condition: Callable[[], bool], *, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
