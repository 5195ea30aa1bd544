"""One inbound message, end to end: dedupe, per-user serialisation, one transaction, replies.

The inbound row, the domain changes, the conversation state and the outbox rows commit
together; a retry of a message already handled gets the stored replies and changes nothing.
A message whose handling fails is still recorded (marked failed) with the apology it got.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.db import lock_key, reader, write_gate
from bot.dispatcher import Dispatcher
from bot.locks import UserLocks
from bot.message import Message
from bot.replies import Reply, Text, decode, encode
from models.inbound import record_inbound, stored_replies

log = logging.getLogger(__name__)

SORRY = "抱歉，系统刚才开了小差，您的消息没有处理成功，请稍后再发一次。紧急情况请直接拨打物业电话。"


class Pipeline:
    def __init__(self, *, engine: Engine, dispatcher: Dispatcher, clock: Clock, workers: int = 8) -> None:
        self.engine = engine
        self.dispatcher = dispatcher
        self.clock = clock
        self.locks = UserLocks()
        # SQLite has one writer: one worker thread does the work with no lock or GIL contention.
        size = 1 if engine.dialect.name == "sqlite" else workers
        self.executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="pipeline")

    async def submit(self, message: Message) -> list[Reply]:
        """Process ``message`` on the pipeline's workers, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.process, message)

    def process(self, message: Message) -> list[Reply]:
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

    def _process_once(self, message: Message) -> list[Reply]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            lock_key(session, message.user_key)
            stored = stored_replies(session, message.dedupe_key)
            if stored is not None:
                return decode(stored)
            now = self.clock.now()
            replies = self.dispatcher.dispatch(session, message, now)
            # Stored in the same transaction as everything the message caused.
            record_inbound(session, **self._fields(message, replies, now))
        return replies

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
        """Keep a message whose handling failed, so it is not lost and retries get the same answer."""
        try:
            with Session(self.engine) as session, session.begin():
                record_inbound(session, **self._fields(message, replies, self.clock.now()), failed=error)
        except Exception:
            log.exception("could not even record message %s", message.dedupe_key)
