"""The scheduler: APScheduler 3 with a persistent job store, exactly one active per database.

Jobs are discovered from every ``scheduler/<area>.py`` module's ``JOBS`` dict
(``name -> (interval, function)``, each function ``f(session, *, now) -> int``) and run every
``interval``, each in its own transaction (``write_gate`` + ``session.begin()``) with ``now``
from the injected clock; a function that also takes ``settings`` gets the runner's settings.

Leader election, one leader per database across every process (``hgj serve`` and any number of
``hgj worker``): on PostgreSQL a runner becomes active by taking a session-level advisory lock on
a connection it keeps open; on SQLite by taking an exclusive ``flock`` on a lock file beside the
database (``<database>.scheduler-lock``), which the operating system releases when the process
ends however it ends. The others check every ``check_seconds`` and take over when the leader's
connection or process goes away. (An in-memory SQLite database lives in one process: there the
first runner of the process leads.)

Misfires: ``coalesce=True`` and no ``misfire_grace_time`` limit, so after downtime each overdue
job runs once, at once, however many runs were missed; the jobs compute what is due from the
database at ``now``, so that single run catches up on everything.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib
import inspect
import logging
import os
import pkgutil
import threading
import weakref
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from bot.clock import Clock
from bot.db import write_gate
from bot.settings import Settings

log = logging.getLogger(__name__)
JobFunction = Callable[..., int]
Jobs = dict[str, tuple[timedelta, JobFunction]]
JOB_TABLE = "apscheduler_jobs"
LEADER_KEY = zlib.crc32(b"hgj-scheduler-leader")
_SQLITE_LEADERS: dict[str, Any] = {}
_SQLITE_GUARD = threading.Lock()
_ACTIVE: weakref.WeakValueDictionary[str, SchedulerRunner] = weakref.WeakValueDictionary()


class JobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy store on the app's own engine, which it must not dispose of."""

    def shutdown(self) -> None:
        pass


def discover(package: str = "scheduler") -> Jobs:
    """Every ``JOBS`` of the package's modules; a name used twice is an error."""
    found: Jobs = {}
    root = importlib.import_module(package)
    for info in pkgutil.iter_modules(root.__path__):
        if info.name == "runner":
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for name, entry in getattr(module, "JOBS", {}).items():
            if name in found:
                raise ValueError(f"scheduler job {name!r} is defined twice")
            found[name] = entry
    return found


def run_job(name: str) -> None:
    """What the persistent job store points at (a textual reference survives restarts)."""
    runner = next((r for r in list(_ACTIVE.values()) if r.is_leader), None)
    if runner is None:
        log.warning("scheduler job %s fired but no runner is active in this process", name)
        return
    runner.run(name)


class SchedulerRunner:
    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        jobs: Jobs | None = None,
        check_seconds: float = 15.0,
        settings: Settings | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings if settings is not None else Settings()
        self.jobs = discover() if jobs is None else jobs
        self.check_seconds = check_seconds
        self.id = f"runner-{id(self):x}"
        self.jobstore = JobStore(engine=engine, tablename=JOB_TABLE)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": self.jobstore},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )
        self.jobstore.start(self.scheduler, "default")  # creates its table; tick() uses it directly
        self._leader: Connection | None = None
        self._sqlite_key = engine.url.render_as_string(hide_password=True)
        self._lock_path = _lock_file(engine)
        self._lock_fd: int | None = None  # the open lock file while this runner leads (SQLite)
        self._standby_told = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- leadership ----------------------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        if self.engine.dialect.name == "sqlite":
            if self._lock_path is not None:
                return self._lock_fd is not None
            return _SQLITE_LEADERS.get(self._sqlite_key) is self
        return self._leader is not None

    def try_lead(self) -> bool:
        """Become the active scheduler if no one else is; True if this runner is (now) the leader."""
        if self.engine.dialect.name == "sqlite":
            return self._try_lead_sqlite()
        if self._leader is not None:
            try:
                self._leader.execute(text("SELECT 1"))
                self._leader.commit()
                return True
            except Exception:
                log.warning("scheduler %s lost its database connection and with it the lead", self.id)
                self._drop_leader()
        connection = self.engine.connect()
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_KEY}).scalar())
        connection.commit()
        if got:
            self._leader = connection
        else:
            connection.close()
        return got

    def _try_lead_sqlite(self) -> bool:
        if self._lock_path is None:
            with _SQLITE_GUARD:
                return _SQLITE_LEADERS.setdefault(self._sqlite_key, self) is self
        if self._lock_fd is not None:
            return True
        try:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            log.warning("scheduler %s cannot open its leader lock %s: %s", self.id, self._lock_path, exc)
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # another runner, in this process or another, holds it
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    def resign(self) -> None:
        if self.engine.dialect.name == "sqlite":
            if self._lock_fd is not None:
                fd, self._lock_fd = self._lock_fd, None
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            with _SQLITE_GUARD:
                if _SQLITE_LEADERS.get(self._sqlite_key) is self:
                    del _SQLITE_LEADERS[self._sqlite_key]
            return
        if self._leader is not None:
            try:
                self._leader.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_KEY})
                self._leader.commit()
            finally:
                self._drop_leader()

    def _drop_leader(self) -> None:
        if self._leader is not None:
            with contextlib.suppress(Exception):  # the connection may already be gone
                self._leader.close()
            self._leader = None

    # -- jobs ----------------------------------------------------------------------------------

    def sync_jobs(self, now: datetime) -> None:
        """Put every discovered job in the store; a job already there with the same interval keeps
        its next run time (so a restart catches up on what was missed), stale jobs are removed."""
        stored = {job.id: job for job in self.jobstore.get_all_jobs()}
        for name, (interval, _function) in self.jobs.items():
            job = stored.pop(name, None)
            if job is not None and getattr(job.trigger, "interval", None) == interval:
                continue
            trigger = IntervalTrigger(seconds=interval.total_seconds(), start_date=now, timezone=UTC)
            new = Job(
                self.scheduler,
                id=name,
                func=f"{__name__}:run_job",
                args=(name,),
                kwargs={},
                trigger=trigger,
                executor="default",
                name=name,
                misfire_grace_time=None,
                coalesce=True,
                max_instances=1,
                next_run_time=trigger.get_next_fire_time(None, now),
            )
            if job is None:
                self.jobstore.add_job(new)
            else:
                self.jobstore.update_job(new)
        for stale in stored:
            self.jobstore.remove_job(stale)

    def run(self, name: str, now: datetime | None = None) -> int:
        """One run of a job in its own transaction; errors are logged, never raised."""
        _interval, function = self.jobs[name]
        now = now or self.clock.now()
        extra = {"settings": self.settings} if _takes_settings(function) else {}
        try:
            with (
                write_gate(self.engine),
                Session(self.engine, expire_on_commit=False) as session,
                session.begin(),
            ):
                done = function(session, now=now, **extra)
        except Exception:
            log.exception("scheduler job %s failed at %s", name, now.isoformat())
            return 0
        if done:
            log.info("scheduler job %s: %s done", name, done)
        return int(done or 0)

    def tick(self, now: datetime) -> dict[str, int]:
        """Run every job due at ``now`` once (coalesced) and schedule its next run; for tests and
        simulations with an injected clock. Only the leader runs anything."""
        if not self.try_lead():
            return {}
        ran: dict[str, int] = {}
        for job in self.jobstore.get_due_jobs(now):
            run_times = job._get_run_times(now)
            name = job.args[0]
            if not run_times or name not in self.jobs:
                continue
            ran[name] = self.run(name, now)
            following = job.trigger.get_next_fire_time(run_times[-1], now)
            if following is None:
                self.jobstore.remove_job(job.id)
            else:
                job._modify(next_run_time=following)
                self.jobstore.update_job(job)
        return ran

    # -- running in the background -------------------------------------------------------------

    def start(self) -> None:
        """Run in the background: the leader runs APScheduler; the others wait to take over."""
        _ACTIVE[self.id] = self
        self._thread = threading.Thread(target=self._watch, name="hgj-scheduler", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                leading = self.try_lead()
            except Exception:
                log.exception("scheduler %s could not check the leader lock", self.id)
                leading = False
            if leading and not self.scheduler.running:
                self.sync_jobs(self.clock.now())
                self.scheduler.start()
                log.info("scheduler %s is the active scheduler (%d jobs)", self.id, len(self.jobs))
                self._standby_told = False
            elif not leading and not self._standby_told:
                log.info("scheduler %s is on standby: another process runs the jobs", self.id)
                self._standby_told = True
            elif not leading and self.scheduler.running:
                self.scheduler.shutdown(wait=False)
                self.scheduler = self._fresh_scheduler()
            self._stop.wait(self.check_seconds)

    def _fresh_scheduler(self) -> BackgroundScheduler:
        self.jobstore = JobStore(engine=self.engine, tablename=JOB_TABLE)
        return BackgroundScheduler(
            jobstores={"default": self.jobstore},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.resign()
        _ACTIVE.pop(self.id, None)


def _takes_settings(function: JobFunction) -> bool:
    try:
        return "settings" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _lock_file(engine: Engine) -> Path | None:
    """SQLite's leader lock file beside the database file; None for an in-memory database."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(f"{database}.scheduler-lock")


def scheduler_role() -> str:
    """For /healthz: ``leader`` (this process runs the jobs), ``standby`` or ``off``."""
    runners = list(_ACTIVE.values())
    if any(r.is_leader for r in runners):
        return "leader"
    return "standby" if runners else "off"
