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
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.batching import Batcher
from bot.clock import Clock
from bot.db import is_busy, lock_key, lock_keys, no_wait, reader, write_gate, write_lock
from bot.dispatcher import Dispatcher
from bot.locks import UserLocks
from bot.message import Message
from bot.replies import Reply, Text, decode, encode
from models.conversation import ConversationState, load_states, save_states
from models.inbound import record_inbound, record_inbound_many, stored_replies, stored_replies_many
from models.people import get_or_create_residents

log = logging.getLogger(__name__)

SORRY = "抱歉，系统刚才开了小差，您的消息没有处理成功，请稍后再发一次。紧急情况请直接拨打物业电话。"
MAX_BATCH = 64


class Pipeline:
    def __init__(self, *, engine: Engine, dispatcher: Dispatcher, clock: Clock, workers: int = 1) -> None:
        self.engine = engine
        self.dispatcher = dispatcher
        self.clock = clock
        self.locks = UserLocks()
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

    def process(self, message: Message) -> list[Reply]:
        """Process one message in a transaction of its own."""
        with self.locks.hold(message.user_key), write_gate(self.engine):
            try:
                return self._process_once(message)
            except IntegrityError:
                # Another process stored the same message first: answer as it did.
                stored = self._stored_replies(message)
                if stored is not None:
                    return stored
                log.exception("message %s failed", message.dedupe_key)
            except Exception:
                log.exception("message %s failed; only the message itself is kept", message.dedupe_key)
            replies: list[Reply] = [Text(SORRY)]
            self._record(message, replies, error=True)
            return replies

    def process_batch(self, messages: Sequence[Message]) -> list[list[Reply]]:
        """Process ``messages`` (in order) in one transaction; one by one if that fails."""
        if len(messages) == 1:
            return [self.process(messages[0])]
        try:
            with self.locks.hold_all(m.user_key for m in messages), write_gate(self.engine):
                return self._process_together(messages)
        except Exception:
            log.warning("a batch of %d messages failed; handling them one by one", len(messages))
            return [self.process(message) for message in messages]

    def try_batch_now(self, messages: Sequence[Message]) -> list[list[Reply]] | None:
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
            if not is_busy(exc):
                log.warning("handling %d message(s) failed; trying again on a worker", len(messages))
            return None
        finally:
            gate.release()

    def _process_once(self, message: Message, *, engine: Engine | None = None) -> list[Reply]:
        with Session(engine or self.engine, expire_on_commit=False) as session, session.begin():
            lock_key(session, message.user_key)
            stored = stored_replies(session, message.dedupe_key)
            if stored is not None:
                return decode(stored)
            now = self.clock.now()
            replies = self.dispatcher.dispatch(session, message, now)
            # Stored in the same transaction as everything the message caused.
            record_inbound(session, **self._fields(message, replies, now))
        return replies

    def _process_together(
        self, messages: Sequence[Message], *, engine: Engine | None = None
    ) -> list[list[Reply]]:
        results: list[list[Reply]] = []
        with Session(engine or self.engine, expire_on_commit=False) as session, session.begin():
            user_keys = sorted({message.user_key for message in messages})
            lock_keys(session, user_keys)
            stored = {
                key: decode(replies)
                for key, replies in stored_replies_many(session, [m.dedupe_key for m in messages]).items()
            }
            openids = [m.user_id for m in messages if m.channel != "wecom"]
            now = self.clock.now()
            people = get_or_create_residents(session, openids=openids, now=now) if openids else {}
            states = load_states(session, user_keys=user_keys)
            rows: list[dict[str, Any]] = []
            unsaved: dict[str, tuple[ConversationState, datetime]] = {}
            for message in messages:
                if message.dedupe_key in stored:  # a retry, or the same message twice in this batch
                    results.append(stored[message.dedupe_key])
                    continue
                now = self.clock.now()
                person = people.get(message.user_id) if message.channel != "wecom" else None
                replies = self.dispatcher.dispatch(
                    session, message, now, person=person, state=states[message.user_key], unsaved=unsaved
                )
                stored[message.dedupe_key] = replies
                rows.append(self._fields(message, replies, now))
                results.append(replies)
            save_states(session, list(unsaved.values()))
            record_inbound_many(session, rows)
        return results

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
