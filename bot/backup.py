"""Backups: a consistent copy of the database taken while the service runs, and putting one back.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies every page inside one read
  transaction, so the copy is the database as of one moment although writers carry on (WAL). The
  copy is switched to a rollback journal: one self-contained file. Restoring uses the same API in
  the other direction, so the live file (and its WAL) is replaced page by page, never copied over.
- PostgreSQL: ``pg_dump --format=custom`` (one repeatable-read snapshot). Restoring streams
  ``pg_restore --clean --if-exists``'s script into ``psql`` inside one transaction, together
  with dropping the tables the backup does not have: it commits only when pg_restore read the
  whole backup and every statement succeeded, so a broken or truncated backup leaves the
  database as it was. The SQLAlchemy URL becomes a libpq URL; the password goes in
  ``PGPASSWORD``, never on a command line.

A backup knows its schema revision (its ``alembic_version`` row). Restoring refuses a database
that already holds data unless told to overwrite it, refuses a backup from a newer (unknown)
schema, and upgrades one from an older schema right after restoring it.

Errors are ``BackupError`` with a sentence for the operator (the CLI prints it as is).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from bot.db import create_db_engine, normalise_url
from bot.migrate import alembic_config, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
SUFFIX = {"sqlite": ".db", "postgresql": ".dump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    backend: str  # sqlite | postgresql
    revision: str | None  # the schema revision inside the backup
    size: int


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    upgraded_to: str | None  # the head revision when the backup was older and got upgraded


# -- the code's schema ------------------------------------------------------------------------


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown or ambiguous ids
        return False


# -- taking a backup --------------------------------------------------------------------------


def backend_of(url: str) -> str:
    name = make_url(normalise_url(url)).get_backend_name()
    if name not in SUFFIX:
        raise BackupError(f"不支持备份这种数据库：{name}（只支持 SQLite 和 PostgreSQL）。")
    return name


def target_path(path: Path, *, backend: str, stamp: str) -> Path:
    """``path`` itself, or a dated file inside it when it is a directory (for a backup timer)."""
    if path.is_dir():
        return path / f"hgj-{stamp}{SUFFIX[backend]}"
    return path


def backup(url: str, path: Path, *, overwrite: bool = False) -> BackupInfo:
    """Write a consistent backup of the database at ``url`` to ``path`` (atomically: a reader
    never sees half a file, and a failed backup leaves nothing behind)."""
    backend = backend_of(url)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} 已存在；换一个文件名，或加 --yes 覆盖。")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            _sqlite_backup(_sqlite_file(url), partial)
        else:
            _pg_dump(url, partial)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return inspect_backup(path)


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份。")
    return Path(database)


def _sqlite_backup(source: Path, destination: Path) -> None:
    if not source.is_file():
        raise BackupError(f"找不到数据库文件 {source.resolve()}。")
    src = sqlite3.connect(source, timeout=30)
    dest = sqlite3.connect(destination)
    try:
        src.backup(dest)  # every page in one step: one read transaction, one moment
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _quick_check(dest, destination)
    finally:
        dest.close()
        src.close()


def _quick_check(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} 检查未通过：{result[0] if result else '无结果'}。")


# -- reading a backup -------------------------------------------------------------------------


def inspect_backup(path: Path) -> BackupInfo:
    """What a backup file is (SQLite or PostgreSQL) and the schema revision inside it."""
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        backend, revision = "sqlite", _sqlite_revision(path)
    elif head.startswith(PG_MAGIC):
        backend, revision = "postgresql", _pg_revision(path)
    else:
        raise BackupError(f"{path} 不是红管家的备份（既不是 SQLite 文件，也不是 pg_dump 的备份）。")
    return BackupInfo(path=path, backend=backend, revision=revision, size=path.stat().st_size)


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None


_COPY = re.compile(r"^COPY (?:\S+\.)?\"?alembic_version\"? \(version_num\) FROM stdin;$")


def _pg_revision(path: Path) -> str | None:
    """The ``alembic_version`` row inside a custom-format dump (read by pg_restore, no server)."""
    result = _run([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)])
    lines = result.splitlines()
    for number, line in enumerate(lines):
        if _COPY.match(line) and number + 1 < len(lines) and lines[number + 1] != "\\.":
            return lines[number + 1].strip()
    return None


def _pg_tables(path: Path) -> set[str]:
    """The tables a dump holds (from its table of contents)."""
    listing = _run([_tool("pg_restore"), "--list", str(path)])
    return {m.group(1) for m in re.finditer(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.M)}


# -- restoring --------------------------------------------------------------------------------


def holds_data(url: str) -> bool:
    """Whether the database already has the schema (then restoring would replace what is there)."""
    backend = backend_of(url)
    if backend == "sqlite" and not _sqlite_file(url).exists():
        return False
    engine = create_db_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    except Exception as exc:
        raise BackupError(f"连不上要恢复到的数据库：{str(exc).splitlines()[0][:200]}") from exc
    finally:
        engine.dispose()


def restore(path: Path, url: str, *, overwrite: bool = False) -> Restored:
    """Replace the database at ``url`` with the backup at ``path`` (see the module docstring)."""
    info = inspect_backup(path)
    backend = backend_of(url)
    if info.backend != backend:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{path} 是 {names[info.backend]} 的备份，当前配置的数据库是 {names[backend]}，不能直接恢复。"
        )
    head = head_revision()
    if info.revision is None:
        raise BackupError(f"{path} 里没有结构版本（alembic_version），不是红管家的备份。")
    if info.revision != head and not known_revision(info.revision):
        raise BackupError(
            f"备份的结构版本 {info.revision} 是本程序不认识的（本程序是 {head}），"
            "多半来自更新的版本：请用备份时的程序版本恢复。"
        )
    if not overwrite and holds_data(url):
        raise BackupError("目标数据库里已有数据，恢复会覆盖它们。确认无误后加 --yes 再运行。")
    if backend == "sqlite":
        _sqlite_restore(path, _sqlite_file(url))
    else:
        _pg_restore(path, url)
    upgraded_to = None
    if info.revision != head:
        engine = create_db_engine(url)
        try:
            upgraded_to = upgrade(engine)[1]
        finally:
            engine.dispose()
    return Restored(info=info, upgraded_to=upgraded_to)


def _sqlite_restore(backup_file: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    dest = sqlite3.connect(database, timeout=30)
    try:
        _quick_check(src, backup_file)
        src.backup(dest)
        _quick_check(dest, database)
    except sqlite3.OperationalError as exc:
        raise BackupError(f"恢复失败：{exc}（服务还在写这个数据库吗？请先停止服务）。") from exc
    finally:
        dest.close()
        src.close()


def _pg_restore(path: Path, url: str) -> None:
    keep = _pg_tables(path)
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            stale = sorted(set(inspect(connection).get_table_names()) - keep)
    finally:
        engine.dispose()
    # Tables the backup does not have (a newer schema's) would survive --clean: drop them, in
    # the same transaction as the restore itself.
    head = "\\set ON_ERROR_STOP on\nBEGIN;\n" + "".join(
        f'DROP TABLE IF EXISTS "{t}" CASCADE;\n' for t in stale
    )
    target, env = libpq_url(url)
    script = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--file=-",
        str(path),
    ]
    psql = [_tool("psql"), "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1", f"--dbname={target}"]
    # --clean --if-exists says NOTICE for every object it need not drop: keep psql to warnings
    full_env = {**os.environ, **env, "PGOPTIONS": "-c client_min_messages=warning"}
    with (
        tempfile.TemporaryFile() as read_errors,
        tempfile.TemporaryFile() as write_errors,
        subprocess.Popen(script, stdout=subprocess.PIPE, stderr=read_errors) as reading,
        subprocess.Popen(
            psql,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=write_errors,
            env=full_env,
            bufsize=0,
        ) as writing,
    ):
        assert reading.stdout is not None and writing.stdin is not None
        try:
            writing.stdin.write(head.encode())
            shutil.copyfileobj(reading.stdout, writing.stdin, 1 << 20)
            read_ok = reading.wait() == 0
            writing.stdin.write(b"COMMIT;\n" if read_ok else b"ROLLBACK;\n")
            writing.stdin.close()
        except BrokenPipeError:  # psql stopped at an error, its transaction not committed
            reading.kill()
            read_ok = True  # not pg_restore's fault
        written_ok = writing.wait() == 0
        reading.wait()
        read_errors.seek(0)
        write_errors.seek(0)
        said = {"pg_restore": read_errors.read(), "psql": write_errors.read()}
    if not read_ok or not written_ok:
        tool = "pg_restore" if not read_ok else "psql"
        last = (said[tool].decode(errors="replace").strip().splitlines() or ["（没有输出）"])[-1]
        raise BackupError(f"恢复失败，数据库保持原样（{tool}：{last}）")


def _pg_dump(url: str, destination: Path) -> None:
    source, env = libpq_url(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={destination}", f"--dbname={source}"], env=env)


# -- PostgreSQL's command-line tools -----------------------------------------------------------


def libpq_url(url: str) -> tuple[str, dict[str, str]]:
    """``postgresql+psycopg://u:pw@h:5432/db?sslmode=require`` → (``postgresql://u@h:5432/db?sslmode=require``,
    ``{"PGPASSWORD": "pw"}``): what pg_dump understands, without the password on a command line."""
    parsed: URL = make_url(normalise_url(url))
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    plain = URL.create(  # ``URL.set(password=None)`` would keep the password
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian/Ubuntu：apt install postgresql-client），"
            "版本不低于数据库服务器。"
        )
    return found


def _run(command: list[str], *, env: dict[str, str] | None = None) -> str:
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
        )
    except OSError as exc:
        raise BackupError(f"无法运行 {command[0]}：{exc}") from exc
    if result.returncode != 0:
        problem = (result.stderr.strip().splitlines() or ["（没有输出）"])[-1]
        raise BackupError(f"{Path(command[0]).name} 失败：{problem}")
    return result.stdout
