"""A backup taken while residents write restores to exactly the database as it was at one moment.

Two writers run throughout: residents chatting through the real pipeline (each message stores a
person and an inbound row in one transaction) and tickets filed with their push (ticket, its
event and an outbox row in one transaction). A backup is taken in the middle, the writers carry
on, and the backup is restored into a fresh database (SQLite file; PostgreSQL: a database of its
own, dropped afterwards). The restored database must equal the backup file row for row, hold
every transaction whole or not at all, hold a gap-free prefix of each writer's work (a
snapshot, not a smear), and agree with the source on every row it holds.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from typer.testing import CliRunner

from bot.app import build_pipeline
from bot.backup import BackupError, backup, inspect_backup, libpq_url, restore
from bot.cli import app as cli_app
from bot.clock import ManualClock
from bot.db import create_db_engine, reader, write_gate
from bot.message import Message
from bot.migrate import upgrade
from bot.settings import Settings
from models.outbox import enqueue
from models.people import Person
from models.tickets import TicketKind, create_ticket

WARM_UP = 20  # writes by each writer before the backup starts
AFTER = 5  # and after it ends, so the backup is surely from the middle


@dataclass
class Writers:
    """Two threads writing until stopped; ``done`` counts committed transactions per writer."""

    write: dict[str, Callable[[int], None]]
    done: dict[str, int] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.done = dict.fromkeys(self.write, 0)
        self.threads = [threading.Thread(target=self._run, args=(name,), daemon=True) for name in self.write]

    def _run(self, name: str) -> None:
        try:
            while not self.stop.is_set():
                self.write[name](self.done[name])
                with self.changed:
                    self.done[name] += 1
                    self.changed.notify_all()
        except BaseException as exc:
            self.errors.append(exc)
            with self.changed:
                self.changed.notify_all()

    def wait_until(self, least: dict[str, int]) -> None:
        with self.changed:
            reached = self.changed.wait_for(
                lambda: self.errors or all(self.done[k] >= n for k, n in least.items()), timeout=60
            )
        assert reached and not self.errors, self.errors or f"writers stalled at {self.done}"

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def _writers(engine: Engine, settings: Settings, clock: ManualClock) -> Writers:
    pipeline = build_pipeline(settings, engine=engine, clock=clock)
    with Session(engine) as session, session.begin():
        reporter = Person(openid="load-reporter", name="负载", created_at=clock.now())
        session.add(reporter)
        session.flush()
        reporter_id = reporter.id

    def chat(i: int) -> None:
        message = Message(channel="mp", user_id=f"load-a-{i}", kind="text", text="你好", msg_id=f"900{i}")
        pipeline.process(message)

    def ticket(j: int) -> None:
        now = clock.now()
        with write_gate(engine), Session(engine) as session, session.begin():
            create_ticket(
                session,
                kind=TicketKind.repair,
                reporter_id=reporter_id,
                due_at=now + timedelta(days=1),
                now=now,
                description=f"load-b-{j}",
            )
            enqueue(
                session,
                idempotency_key=f"load-b-{j}",
                person_id=reporter_id,
                kind="ticket",
                text="新工单",
                now=now,
            )

    return Writers({"chat": chat, "ticket": ticket})


# -- databases --------------------------------------------------------------------------------


@pytest.fixture
def fresh_url(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as ``engine``: a new SQLite file, or a PostgreSQL
    database named after the test database with ``_restore`` (created here, dropped after)."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("PostgreSQL's client tools (pg_dump, pg_restore) are not installed")
    source = make_url(engine.url.render_as_string(hide_password=False))
    name = f"{source.database}_restore"
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield source.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a stable order (a row-level dump)."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with reader(engine).connect() as connection:
        schema = MetaData()
        schema.reflect(bind=connection)  # all tables at once (one by one is slow on PostgreSQL)
        for name, table in sorted(schema.tables.items()):
            dump[name] = sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
    return dump


def numbers(values: list[str], prefix: str) -> set[int]:
    return {int(value.removeprefix(prefix)) for value in values if value.startswith(prefix)}


def check_snapshot(db: Engine) -> tuple[int, int]:
    """Each transaction whole or absent, each writer's work a gap-free prefix; returns the sizes."""
    with reader(db).connect() as c:
        people = numbers(list(c.execute(text("SELECT openid FROM person")).scalars()), "load-a-")
        inbound = numbers(list(c.execute(text("SELECT user_id FROM inbound_message")).scalars()), "load-a-")
        failed = c.execute(text("SELECT count(*) FROM inbound_message WHERE failed")).scalar_one()
        tickets = numbers(list(c.execute(text("SELECT description FROM ticket")).scalars()), "load-b-")
        pushes = numbers(
            list(c.execute(text("SELECT idempotency_key FROM outbox_message")).scalars()), "load-b-"
        )
        events = c.execute(
            text(
                "SELECT count(*) FROM ticket_event JOIN ticket ON ticket.id = ticket_event.ticket_id"
                " WHERE ticket.description LIKE 'load-b-%'"
            )
        ).scalar_one()
    assert failed == 0
    assert people == inbound == set(range(len(people)))  # person and message: together or not at all
    assert tickets == pushes == set(range(len(tickets))) and events == len(tickets)
    return len(people), len(tickets)


# -- the test ---------------------------------------------------------------------------------


def test_a_backup_taken_under_writes_restores_to_one_consistent_moment(
    engine: Engine, settings: Settings, clock: ManualClock, demo: None, fresh_url: str, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    file = tmp_path / ("backup.db" if engine.dialect.name == "sqlite" else "backup.dump")
    with _writers(engine, settings, clock) as writers:
        writers.wait_until(dict.fromkeys(writers.write, WARM_UP))
        info = backup(url, file)
        at_backup = dict(writers.done)
        writers.wait_until({name: n + AFTER for name, n in at_backup.items()})
    assert not writers.errors
    assert info.revision is not None and info.backend == engine.dialect.name

    restore(file, fresh_url)
    restored = create_db_engine(fresh_url)
    try:
        chats, tickets = check_snapshot(restored)
        # From the middle: more than the warm-up, less than everything the writers did.
        assert WARM_UP <= chats <= at_backup["chat"] < writers.done["chat"]
        assert WARM_UP <= tickets <= at_backup["ticket"] < writers.done["ticket"]

        restored_rows = rows(restored)
        assert restored_rows == backup_rows(file, engine.dialect.name, restored)
        source_rows = rows(engine)
        assert set(restored_rows) == set(source_rows)
        for table, kept in restored_rows.items():  # the writers only add rows: the source has them all
            missing = set(map(repr, kept)) - set(map(repr, source_rows[table]))
            assert not missing, f"{table}: {sorted(missing)[:3]}"

        # The restored database carries on: new rows get fresh ids (PostgreSQL: sequences restored).
        with Session(restored) as session, session.begin():
            person = Person(openid="after-restore", created_at=clock.now())
            session.add(person)
            session.flush()
            assert person.id is not None and person.id > max(row[0] for row in restored_rows["person"])
    finally:
        restored.dispose()


def backup_rows(file: Path, backend: str, restored: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The backup file's own rows: SQLite opens it; for a dump, pg_restore prints its COPY data,
    compared with the same text form (COPY ... TO STDOUT) of the restored database."""
    if backend == "sqlite":
        opened = create_db_engine(f"sqlite:///{file}")
        try:
            return rows(opened)
        finally:
            opened.dispose()
    dumped = _dump_copy_rows(file)
    with restored.connect() as connection:
        cursor = connection.connection.cursor()
        for table in dumped:
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:  # type: ignore[attr-defined]
                data = b"".join(bytes(chunk) for chunk in copy).decode()
            live = sorted((tuple(line.split("\t")) for line in data.splitlines()), key=repr)
            assert live == dumped[table], table
        sequences = _dump_sequences(file)
        for sequence, value in sequences.items():
            assert connection.execute(text(f"SELECT last_value FROM {sequence}")).scalar_one() == value
    return rows(restored)


def _dump_copy_rows(file: Path) -> dict[str, list[tuple[str, ...]]]:
    import subprocess

    script = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(file)], capture_output=True, text=True, check=True
    ).stdout
    tables: dict[str, list[tuple[str, ...]]] = {}
    for match in re.finditer(
        r"^COPY (?:public\.)?\"?(\w+)\"? \(.*?\) FROM stdin;\n(.*?)^\\\.$", script, re.M | re.S
    ):
        tables[match.group(1)] = sorted(
            (tuple(line.split("\t")) for line in match.group(2).splitlines()), key=repr
        )
    assert "person" in tables and "alembic_version" in tables
    return tables


def _dump_sequences(file: Path) -> dict[str, int]:
    import subprocess

    script = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(file)], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r"setval\('([\w.]+)', (\d+), true\)", script)
    assert found
    return {name: int(value) for name, value in found}


# -- the commands' refusals -------------------------------------------------------------------


def test_restore_asks_before_replacing_data_and_upgrades_an_older_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_revision = "be560676dcb5"
    source = tmp_path / "old.db"
    old = create_db_engine(f"sqlite:///{source}")
    upgrade(old, old_revision)
    old.dispose()
    monkeypatch.chdir(tmp_path)
    cli = CliRunner()
    env = {"HGJ_DATABASE__URL": f"sqlite:///{source}", "COLUMNS": "300"}
    taken = cli.invoke(cli_app, ["backup", "old-backup.db"], env=env)
    assert taken.exit_code == 0 and f"结构版本 {old_revision}" in taken.output, taken.output
    again = cli.invoke(cli_app, ["backup", "old-backup.db"], env=env)
    assert again.exit_code == 2 and "已存在" in again.output

    target = {"HGJ_DATABASE__URL": f"sqlite:///{tmp_path / 'live.db'}", "COLUMNS": "300"}
    assert cli.invoke(cli_app, ["db", "upgrade"], env=target).exit_code == 0
    refused = cli.invoke(cli_app, ["restore", "old-backup.db"], env=target)
    assert refused.exit_code == 2 and "已有数据" in refused.output and "--yes" in refused.output
    done = cli.invoke(cli_app, ["restore", "old-backup.db", "--yes"], env=target)
    assert done.exit_code == 0 and "已升级到" in done.output, done.output
    live = create_db_engine(target["HGJ_DATABASE__URL"])
    with live.connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() != old_revision
        )
    live.dispose()


def test_a_backup_from_an_unknown_schema_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "future.db"
    future = create_db_engine(f"sqlite:///{source}")
    upgrade(future)
    with future.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    future.dispose()
    file = tmp_path / "future-backup.db"
    assert backup(f"sqlite:///{source}", file).revision == "f00dfeedbeef"
    with pytest.raises(BackupError, match="不认识"):
        restore(file, f"sqlite:///{tmp_path / 'new.db'}")
    assert not (tmp_path / "new.db").exists()


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(BackupError, match="不是红管家的备份"):
        inspect_backup(junk)


def test_postgres_without_pg_dump_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    with pytest.raises(BackupError, match=r"找不到 pg_dump.*postgresql-client"):
        backup("postgresql+psycopg://u:secret@db.example:5432/hgj", tmp_path / "x.dump")
    assert not list(tmp_path.iterdir())


def test_the_password_stays_off_the_command_line() -> None:
    target, env = libpq_url("postgresql+psycopg://hgj:s3cr%40t@db.example:6432/hgj?sslmode=require")
    assert target == "postgresql://hgj@db.example:6432/hgj?sslmode=require"
    assert env == {"PGPASSWORD": "s3cr@t"}


def test_a_restore_that_fails_half_way_leaves_the_database_as_it_was(
    engine: Engine, demo: None, fresh_url: str, tmp_path: Path
) -> None:
    """SQLite: a backup copy cut short. PostgreSQL: a report view the office made on a table, which
    the restore cannot drop — after the restore already dropped a table the backup lacks."""
    sqlite = engine.dialect.name == "sqlite"
    file = tmp_path / ("backup.db" if sqlite else "backup.dump")
    backup(engine.url.render_as_string(hide_password=False), file)
    restore(file, fresh_url)
    live = create_db_engine(fresh_url)
    try:
        with live.begin() as connection:  # the office's work since: a change and a newer version's table
            connection.execute(text("UPDATE community SET hotline = 'after-the-backup'"))
            connection.execute(text("CREATE TABLE later_feature (id integer primary key)"))
            connection.execute(text("INSERT INTO later_feature VALUES (1)"))
            if not sqlite:
                connection.execute(text("CREATE SCHEMA office"))
                connection.execute(
                    text("CREATE VIEW office.hotlines AS SELECT hotline FROM public.community")
                )
        if sqlite:
            broken = tmp_path / "broken.db"
            broken.write_bytes(file.read_bytes()[: file.stat().st_size * 7 // 10])
        else:
            broken = file
        with pytest.raises(BackupError) as refused:
            restore(broken, fresh_url, overwrite=True)
        if not sqlite:
            assert "数据库保持原样" in str(refused.value) and "depend" in str(refused.value), refused.value
        with live.connect() as connection:
            hotlines = connection.execute(text("SELECT hotline FROM community")).scalars().all()
            assert hotlines == ["after-the-backup"]
            assert connection.execute(text("SELECT id FROM later_feature")).scalar_one() == 1
    finally:
        live.dispose()
