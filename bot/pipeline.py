"""One inbound message, end to end: dedupe, per-user serialisation, one transaction, replies.

The inbound row, the domain changes, the conversation state and the outbox rows commit
together; a retry of a message already handled gets the stored replies and changes nothing.
A message whose handling fails is still recorded (marked failed) with the apology it got; when
WeChat retries it, it is handled again rather than answered with the apology.

Messages that arrive while others are being handled are handled together in one transaction
(group commit, see ``bot.batching``): their dedupe check, people and conversation states are
read with one statement each, and they commit once. If anything in such a batch fails, it is
rolled back and every message in it is handled again on its own, so one message's failure
never costs another its answer.

The webhook asks ``answer``, which never takes longer than ``reply_within`` (WeChat waits five
seconds). When the database cannot answer in time (another process holds SQLite's write lock),
the resident is told 「收到，正在处理」, the message stays in hand and is tried again until the
database is free, and its answer goes out as a push through the outbox (``bot.handover``).
WeChat's retries of a message still in hand wait for the same work; none starts it twice.
Before it is told to wait, the message is spooled to disk (``bot.spool``) and removed once it is
committed, so a crash in between does not lose it: ``resume`` takes it up at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.batching import Batcher, Outcome
from bot.clock import Clock
from bot.db import (
    CHAT_BUSY_TIMEOUT_MS,
    GateBusy,
    is_busy,
    lock_key,
    lock_keys,
    no_wait,
    reader,
    waiting_at_most,
    write_gate,
    write_lock,
)
from bot.dispatcher import Dispatcher
from bot.errors import WireError
from bot.handover import Handover
from bot.locks import UserLocks
from bot.message import Message
from bot.replay import refused_replays
from bot.replies import Reply, Text, decode, encode, joined_text
from bot.spool import Spool
from models.conversation import ConversationState, load_states, save_states
from models.inbound import record_inbound, record_inbound_many, stored_replies, stored_replies_many
from models.outbox import enqueue
from models.people import (
    Person,
    get_or_create_residents,
    load_homes,
    person_by_openid,
    person_by_wecom,
    save_last_seen,
)

log = logging.getLogger(__name__)

SORRY = "抱歉，系统刚才开了小差，您的消息没有处理成功，请稍后再发一次。紧急情况请直接拨打物业电话。"
HOLDING = "收到，正在处理，稍后回复您。"
MAX_BATCH = 64
REPLY_WITHIN = 4.0  # seconds the webhook waits for an answer (WeChat gives up after 5)
KEEP_TRYING = 900.0  # seconds a message is tried again while the database stays locked
# Chat waits for the write gate (another writer, in this process or another) as long as for SQLite's lock.
GATE_WAIT = CHAT_BUSY_TIMEOUT_MS / 1000
BUSY_PAUSE = 0.2  # between tries while another process holds the write lock
PUSH_CHANNELS = {"mp": "mp_custom", "wecom": "wecom_app"}  # a pushed answer goes back where it came from


class Pipeline:
    def __init__(
        self,
        *,
        engine: Engine,
        dispatcher: Dispatcher,
        clock: Clock,
        workers: int = 1,
        reply_within: float = REPLY_WITHIN,
        keep_trying: float = KEEP_TRYING,
        spool: Spool | None = None,
    ) -> None:
        self.engine = engine
        self.dispatcher = dispatcher
        self.clock = clock
        self.locks = UserLocks()
        self.reply_within = reply_within
        self.keep_trying = keep_trying
        # Chat waits for another process's write lock a second at a time, never 30 s in one go.
        self._chat_engine = waiting_at_most(engine, CHAT_BUSY_TIMEOUT_MS)
        self._jobs: dict[str, tuple[asyncio.Future[list[Reply]], Handover, float]] = {}
        self._closing = threading.Event()
        self.spool = spool  # held messages on disk (None: in memory only)
        self._unsettled: set[str] = set()  # given up on without anything stored: keep them spooled
        # SQLite has one writer: one worker thread and one batch at a time. On PostgreSQL more
        # batches in flight overlap the database's round trips but make each batch smaller and
        # share one GIL: on a 2-vCPU machine with a local server, 1 was fastest (see README).
        size = 1 if engine.dialect.name == "sqlite" else workers
        self.executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="pipeline")
        # On SQLite a batch runs right on the event loop when nothing it needs is busy: handing it
        # to a thread costs more than the batch itself (the GIL, and caches on another core).
        self.inline = engine.dialect.name == "sqlite"
        self._now_engine = no_wait(engine)
        self.batcher = Batcher(
            self.process_batch,
            executor=self.executor,
            in_flight=size,
            max_batch=MAX_BATCH,
            try_now=self.try_batch_now if self.inline else None,
        )

    async def submit(self, message: Message) -> list[Reply]:
        """Process ``message`` on the pipeline's workers, together with any that arrive meanwhile."""
        return await self.batcher.submit(message)

    async def answer(self, message: Message) -> list[Reply]:
        """The webhook's reply to ``message``, within ``reply_within`` seconds: its answer, or
        HOLDING when the answer is not ready by then (it then follows as a push). A retry of a
        message still in hand waits for the same work."""
        key = message.dedupe_key
        if key not in self._jobs:
            self._start(message, Handover())
        job, handover, _ = self._jobs[key]
        wait = self.reply_within
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(job), wait)
            except TimeoutError:
                if not handover.replying and await self._hold(message, handover):
                    log.warning("message %s not answered in %.1f s: told to wait, answer by push", key, wait)
                    return [Text(HOLDING)]
                wait = 0.05  # the answer is being committed as the reply right now

    async def _hold(self, message: Message, handover: Handover) -> bool:
        """Spool ``message``, then claim the push: True if the resident is to be told to wait."""
        spooled = self.spool is not None and await asyncio.get_running_loop().run_in_executor(
            None, self.spool.put, message
        )
        if handover.push():
            return True
        if spooled and self.spool is not None:  # the pipeline is committing it as the reply
            self.spool.remove(message.dedupe_key)
        return False

    async def resume(self) -> int:
        """At start-up: put messages held by a process that ended before committing them through
        the pipeline again, answering by push. One already committed is only unspooled."""
        if self.spool is None:
            return 0
        try:
            taken = await asyncio.get_running_loop().run_in_executor(None, self._orphans)
        except Exception:
            log.exception("could not read the spool of held messages (%s)", self.spool.directory)
            return 0
        for message in taken:
            handover = Handover()
            handover.push()  # the resident was told to wait: the answer goes by push
            self._start(message, handover)
        if taken:
            log.warning("took up %d message(s) held when the service last stopped", len(taken))
        return len(taken)

    def _orphans(self) -> list[Message]:
        assert self.spool is not None
        pending = []
        for message in self.spool.take_orphans():
            try:
                done = self._stored_replies(message) is not None
            except Exception:
                log.exception("message %s: could not check whether it was handled", message.dedupe_key)
                done = False  # the pipeline's own dedupe still decides
            if done or message.dedupe_key in self._jobs:
                self.spool.remove(message.dedupe_key)
            else:
                pending.append(message)
        return pending

    def _start(self, message: Message, handover: Handover) -> None:
        key = message.dedupe_key
        job = asyncio.ensure_future(self.submit(message))
        self._jobs[key] = (job, handover, time.monotonic())
        job.add_done_callback(lambda done: self._forget(key, done))

    def _forget(self, key: str, job: asyncio.Future[list[Reply]]) -> None:
        if key in self._jobs and self._jobs[key][0] is job:
            del self._jobs[key]
        error = None if job.cancelled() else job.exception()
        # Settled: committed, or refused as a replay (never to be taken up again from the spool).
        settled = not job.cancelled() and (error is None or isinstance(error, WireError))
        if self.spool is not None and key not in self._unsettled and settled:
            self.spool.remove(key)  # a no-op unless it was spooled
        self._unsettled.discard(key)
        if error is not None and not isinstance(error, WireError):
            log.error("message %s: %s", key, error)

    def close(self) -> None:
        """Stop trying messages again (the process is shutting down)."""
        self._closing.set()

    def process(self, message: Message) -> Outcome:
        """Process one message in a transaction of its own; while another process holds the
        database's write lock, try again (for up to ``keep_trying`` seconds)."""
        job = self._jobs.get(message.dedupe_key)
        give_up = (job[2] if job else time.monotonic()) + self.keep_trying
        while True:
            replies = self._process_or_busy(message)
            if replies is not None:
                return replies
            if time.monotonic() >= give_up or self._closing.is_set():
                log.error("message %s: the database stayed locked; it was not handled", message.dedupe_key)
                self._unsettled.add(message.dedupe_key)  # still spooled: taken up at the next start
                return [Text(SORRY)]
            self._closing.wait(BUSY_PAUSE)

    def _process_or_busy(self, message: Message) -> Outcome | None:
        """The replies, or None when the database was locked by another process (nothing kept)."""
        with self.locks.hold(message.user_key):
            try:
                with write_gate(self.engine, timeout=GATE_WAIT):
                    return self._process_gated(message)
            except GateBusy:
                return None

    def _process_gated(self, message: Message) -> Outcome | None:
        """Under the write gate: the replies, None if SQLite was locked, the apology if it failed."""
        try:
            return self._process_once(message)
        except IntegrityError:
            self._reopen([message])
            # Another process stored the same message first: answer as it did.
            stored = self._stored_replies(message)
            if stored is not None:
                return stored
            log.exception("message %s failed", message.dedupe_key)
        except Exception as exc:
            self._reopen([message])
            if is_busy(exc):
                return None
            log.exception("message %s failed; only the message itself is kept", message.dedupe_key)
        replies: list[Reply] = [Text(SORRY)]
        self._record(message, replies, error=True)
        return replies

    def process_batch(self, messages: Sequence[Message]) -> list[Outcome]:
        """Process ``messages`` (in order) in one transaction; one by one if that fails."""
        if len(messages) == 1:
            return [self.process(messages[0])]
        try:
            with (
                self.locks.hold_all(m.user_key for m in messages),
                write_gate(self.engine, timeout=GATE_WAIT),
            ):
                return self._process_together(messages)
        except Exception as exc:
            self._reopen(messages)
            if not is_busy(exc):
                log.warning("a batch of %d messages failed; handling them one by one", len(messages))
            return [self.process(message) for message in messages]

    def try_batch_now(self, messages: Sequence[Message]) -> list[Outcome] | None:
        """``process_batch`` without waiting for anything: None if the write lock or one of the
        people is busy, or if anything fails (the caller then uses ``process_batch``)."""
        gate = write_lock(self.engine)
        if gate is None or not gate.acquire(blocking=False):
            return None
        try:
            held = self.locks.try_hold(message.user_key for message in messages)
            if held is None:
                return None
            with held:
                if len(messages) == 1:
                    return [self._process_once(messages[0], engine=self._now_engine)]
                return self._process_together(messages, engine=self._now_engine)
        except Exception as exc:
            self._reopen(messages)
            if not is_busy(exc):
                log.warning("handling %d message(s) failed; trying again on a worker", len(messages))
            return None
        finally:
            gate.release()

    def _process_once(self, message: Message, *, engine: Engine | None = None) -> Outcome:
        with Session(engine or self._chat_engine, expire_on_commit=False) as session, session.begin():
            lock_key(session, message.user_key)
            refused = refused_replays(session, [message])
            if refused:
                return refused[message.dedupe_key]  # a replay: nothing handled, nothing stored
            stored = stored_replies(session, message.dedupe_key)
            if stored is not None:
                return self._hand_over(session, message, decode(stored), self.clock.now())
            now = self.clock.now()
            replies = self._hand_over(session, message, self.dispatcher.dispatch(session, message, now), now)
            # Stored in the same transaction as everything the message caused.
            record_inbound(session, **self._fields(message, replies, now))
        return replies

    def _process_together(
        self, messages: Sequence[Message], *, engine: Engine | None = None
    ) -> list[Outcome]:
        answered: list[tuple[Message, list[Reply], datetime]] = []
        keys = [message.dedupe_key for message in messages]
        with Session(engine or self._chat_engine, expire_on_commit=False) as session, session.begin():
            user_keys = sorted({message.user_key for message in messages})
            lock_keys(session, user_keys)
            refused = refused_replays(session, messages)
            messages = [message for message in messages if message.dedupe_key not in refused]
            stored = {
                key: decode(replies)
                for key, replies in stored_replies_many(session, [m.dedupe_key for m in messages]).items()
            }
            openids = [m.user_id for m in messages if m.channel != "wecom"]
            now = self.clock.now()
            people = get_or_create_residents(session, openids=openids, now=now) if openids else {}
            load_homes(session, people.values())
            states = load_states(session, user_keys=user_keys)
            unsaved: dict[str, tuple[ConversationState, datetime]] = {}
            fresh: set[int] = set()
            for message in messages:
                if message.dedupe_key in stored:  # a retry, or the same message twice in this batch
                    answered.append((message, stored[message.dedupe_key], now))
                    continue
                now = self.clock.now()
                person = people.get(message.user_id) if message.channel != "wecom" else None
                replies = self.dispatcher.dispatch(
                    session, message, now, person=person, state=states[message.user_key], unsaved=unsaved
                )
                stored[message.dedupe_key] = replies
                fresh.add(len(answered))
                answered.append((message, replies, now))
            # Decided last, just before the commit: the reply, or a push if the webhook gave up.
            results: dict[str, list[Reply]] = {}
            rows: list[dict[str, Any]] = []
            for index, (message, replies, at) in enumerate(answered):
                if message.dedupe_key not in results:
                    results[message.dedupe_key] = self._hand_over(session, message, replies, at)
                if index in fresh:
                    rows.append(self._fields(message, results[message.dedupe_key], at))
            save_states(session, list(unsaved.values()))
            save_last_seen(session)
            record_inbound_many(session, rows)
        return [refused.get(key) or results[key] for key in keys]

    def _hand_over(
        self, session: Session, message: Message, replies: list[Reply], now: datetime
    ) -> list[Reply]:
        """``replies`` if they go back in the webhook's reply; else they are pushed (in this
        transaction) and the reply, the one stored for retries, is empty."""
        job = self._jobs.get(message.dedupe_key)
        if job is None or job[1].reply():
            return replies
        text, channel = joined_text(replies), PUSH_CHANNELS.get(message.channel)
        if not text:
            return []
        person: Person | None = None
        if channel == "mp_custom":
            person = person_by_openid(session, message.user_id)
        elif channel == "wecom_app":
            person = person_by_wecom(session, message.user_id)
        if person is None or person.id is None:
            log.error("message %s: its answer cannot be pushed (no one to push it to)", message.dedupe_key)
            return []
        enqueue(
            session,
            idempotency_key=f"reply:{message.dedupe_key}",
            text=text,
            now=now,
            kind="reply",
            person_id=person.id,
            channel=channel or "auto",
        )
        return []

    def _reopen(self, messages: Sequence[Message]) -> None:
        for message in messages:
            job = self._jobs.get(message.dedupe_key)
            if job is not None:
                job[1].reopen()

    def _fields(self, message: Message, replies: list[Reply], now: datetime) -> dict[str, Any]:
        return {
            "dedupe_key": message.dedupe_key,
            "channel": message.channel,
            "user_id": message.user_id,
            "msg_type": message.event if message.kind == "event" else message.kind,
            "text": message.text,
            "raw": message.extra,
            "replies": encode(replies),
            "received_at": now,
        }

    def _stored_replies(self, message: Message) -> list[Reply] | None:
        with Session(reader(self.engine)) as session:
            stored = stored_replies(session, message.dedupe_key)
        return decode(stored) if stored is not None else None

    def _record(self, message: Message, replies: list[Reply], *, error: bool) -> None:
        """Keep a message whose handling failed, so it is not lost; its retry is handled afresh."""
        try:
            with Session(self.engine) as session, session.begin():
                record_inbound(session, **self._fields(message, replies, self.clock.now()), failed=error)
        except Exception:
            log.exception("could not even record message %s", message.dedupe_key)
            self._unsettled.add(message.dedupe_key)
