"""The SQLite write gate queues writers across processes (``bot.gate``): ``hgj serve`` and its
child ``hgj worker`` wait their turn on the gate, woken as soon as it is let go, instead of
sleeping in SQLite's busy handler."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import create_db_engine, is_busy, write_gate, write_lock

ROOT = Path(__file__).resolve().parents[2]

# Another process writes through the gate, holding it until told to go on.
HOLDER = """
import sys
from sqlalchemy import text
from bot.db import create_db_engine, write_gate
engine = create_db_engine(sys.argv[1])
with write_gate(engine), engine.begin() as connection:
    connection.execute(text("INSERT INTO note (who) VALUES ('other')"))
    print("holding", flush=True)
    sys.stdin.readline()
print("let go", flush=True)
"""


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/gate.db"
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT)"))
    return url, engine


def test_a_writer_in_another_process_holds_the_gate_and_this_one_queues_behind_it(tmp_path: Path) -> None:
    url, engine = _engine(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "holding"
        gate = write_lock(engine)
        assert gate is not None
        assert not gate.acquire(blocking=False)  # held by the other process
        started = time.monotonic()
        with pytest.raises(Exception) as waited, write_gate(engine, timeout=0.2):
            pass
        assert is_busy(waited.value) and 0.15 < time.monotonic() - started < 2
        assert not gate.locked()  # gave up cleanly: this process's side is free again

        holder.stdin.write("go\n")
        holder.stdin.flush()
        started = time.monotonic()
        with write_gate(engine, timeout=10), engine.begin() as connection:
            waited_for = time.monotonic() - started
            connection.execute(text("INSERT INTO note (who) VALUES ('this')"))
        assert waited_for < 1  # woken when the other let go, not after a busy-handler sleep
    finally:
        holder.communicate(timeout=10)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT who FROM note ORDER BY id")).scalars().all() == [
            "other",
            "this",
        ]
    engine.dispose()


def test_engines_on_one_file_share_the_gate_and_an_in_memory_database_has_its_own(tmp_path: Path) -> None:
    url, engine = _engine(tmp_path)
    again = create_db_engine(url)
    assert write_lock(engine) is write_lock(again)
    with write_gate(engine):
        assert (tmp_path / "gate.db-gate").exists()  # the file the processes on this database lock
    memory = create_db_engine("sqlite://")
    gate = write_lock(memory)
    assert gate is not None and gate is not write_lock(engine) and gate.path is None
    for each in (engine, again, memory):
        each.dispose()
