"""Database engine and sessions: SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import threading
import weakref
import zlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from bot.gate import WriteLock

BUSY_TIMEOUT_MS = 30_000
# Chat waits at most this long for another process's write lock per attempt: well inside WeChat's
# five-second window (the pipeline tries again while the webhook has answered 「收到，正在处理」).
CHAT_BUSY_TIMEOUT_MS = 1_000


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so concurrent writers queue instead of failing.

    Read-only sessions opt out through :func:`reader`.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("sqlite_deferred", False):
            connection.exec_driver_sql("BEGIN")
            return
        busy_ms = 0 if options.get("sqlite_nowait", False) else options.get("sqlite_busy_ms")
        if busy_ms is None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_ms)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    @event.listens_for(engine, "handle_error")
    def _readonly_is_a_broken_connection(context: Any) -> None:
        # A connection opened while the file could not be written stays read-only for good: treat
        # 「readonly database」 like a lost connection so it is not handed out again (the /healthz
        # probe also disposes the whole pool on it, so the service recovers without a restart).
        if "readonly database" in str(context.original_exception):
            context.is_disconnect = True


def probe_write(engine: Engine) -> str:
    """Prove the database takes a write: ``ok``, or ``busy`` when another process holds SQLite's
    write lock right now; raises when a write fails (read-only file, full disk, server gone)."""
    from sqlalchemy.exc import OperationalError

    try:
        with no_wait(engine).begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except OperationalError as exc:
        if is_busy(exc):
            return "busy"
        if "readonly database" in str(exc):
            engine.dispose()  # every pooled connection may be a read-only one: open fresh ones
        raise
    return "ok"


def reader(engine: Engine) -> Engine:
    """The same engine for read-only work: on SQLite its transactions do not take the write lock."""
    return engine.execution_options(sqlite_deferred=True)


def no_wait(engine: Engine) -> Engine:
    """The same engine for work that must not wait: on SQLite, a write lock held by another
    process makes BEGIN fail at once (``is_busy``) instead of waiting for it."""
    return engine.execution_options(sqlite_nowait=True)


def waiting_at_most(engine: Engine, milliseconds: int) -> Engine:
    """The same engine for work that may wait only a little: on SQLite, BEGIN gives up (``is_busy``)
    after ``milliseconds`` if another process still holds the write lock (default: 30 s)."""
    return engine.execution_options(sqlite_busy_ms=milliseconds)


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (another process is writing), or the write
    gate stayed held longer than the caller would wait."""
    if isinstance(exc, GateBusy):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig)


_GATES: weakref.WeakKeyDictionary[Engine, WriteLock] = weakref.WeakKeyDictionary()
_FILE_GATES: dict[str, WriteLock] = {}  # one per database file in this process, whatever the engine
_GATES_GUARD = threading.Lock()


class GateBusy(Exception):
    """The write gate stayed held elsewhere for longer than the caller would wait (see ``is_busy``)."""


def write_gate(engine: Engine, *, timeout: float | None = None) -> AbstractContextManager[object]:
    """On SQLite, one writing transaction at a time, in this process and across the processes on
    the same file (``bot.gate``): writers queue on the gate instead of sleeping in SQLite's busy
    handler, which otherwise turns contention into long tail latencies. PostgreSQL needs no gate.

    ``timeout``: wait at most that many seconds, then raise :class:`GateBusy`.
    """
    gate = write_lock(engine)
    if gate is None:
        return nullcontext()
    return _held(gate, timeout)


@contextmanager
def _held(gate: WriteLock, timeout: float | None) -> Iterator[WriteLock]:
    if not gate.acquire(timeout=-1 if timeout is None else timeout):
        raise GateBusy(f"the write gate stayed held for {timeout} s")
    try:
        yield gate
    finally:
        gate.release()


def write_lock(engine: Engine) -> WriteLock | None:
    """The lock behind :func:`write_gate` (None on PostgreSQL), for callers that must not wait."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    in_file = bool(database) and database != ":memory:" and not str(database).startswith("file:")
    with _GATES_GUARD:
        if in_file:
            path = os.path.abspath(str(database))
            return _FILE_GATES.setdefault(path, WriteLock(f"{path}-gate"))
        return _GATES.setdefault(engine, WriteLock(None))


class GatedSession(Session):
    """A session for work that mostly reads and sometimes writes (an admin request).

    Reads run in deferred, read-only transactions and never take the write gate: chat does not
    wait for them. ``begin()`` takes the gate (and, on SQLite, BEGIN IMMEDIATE) for that one
    transaction and lets go of both when it commits or rolls back. Reads already made in the
    session end (their transaction is committed) before the writing one begins.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(reader(engine), expire_on_commit=False)
        self._reading = self.bind
        self._writing = engine
        self._gate: WriteLock | None = None
        self._gated = False

    def begin(self, nested: bool = False) -> SessionTransaction:
        if nested or self._gated:
            return super().begin(nested=nested)
        if self.in_transaction():
            self.commit()  # the reads so far: deferred, nothing written
        self._gate = write_lock(self._writing)
        if self._gate is not None:
            self._gate.acquire()
        self._gated, self.bind = True, self._writing
        try:
            return super().begin()
        except BaseException:
            self._let_go()
            raise

    def _let_go(self) -> None:
        gate, self._gate = self._gate, None
        self._gated, self.bind = False, self._reading
        if gate is not None:
            gate.release()


@event.listens_for(GatedSession, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if isinstance(session, GatedSession) and session._gated and transaction.parent is None:
        session._let_go()


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


def lock_key(session: Session, key: str) -> None:
    """Serialise transactions on ``key`` across processes (PostgreSQL advisory lock).

    SQLite transactions are already serialised by BEGIN IMMEDIATE.
    """
    lock_keys(session, [key])


_LOCK_ALL = text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k")


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """``lock_key`` for several keys with one statement, always taken in the same order (by
    their lock numbers), so that two transactions locking overlapping sets cannot deadlock."""
    if is_postgres(session):
        numbers = sorted({zlib.crc32(key.encode()) for key in keys})
        if numbers:
            session.connection().execute(_LOCK_ALL, {"keys": numbers})


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
