"""One inbound message, end to end: dedupe, per-user serialisation, one transaction, replies.

The inbound row, the domain changes, the conversation state and the outbox rows commit
together; a retry of a message already handled gets the stored replies and changes nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.db import lock_key
from bot.dispatcher import Dispatcher
from bot.locks import UserLocks
from bot.message import Message
from bot.replies import Reply, Text, decode, encode
from models.inbound import InboundMessage, find_inbound

log = logging.getLogger(__name__)

SORRY = "抱歉，系统刚才开了小差，您的消息没有处理成功，请稍后再发一次。紧急情况请直接拨打物业电话。"


class Pipeline:
    def __init__(self, *, engine: Engine, dispatcher: Dispatcher, clock: Clock) -> None:
        self.engine = engine
        self.dispatcher = dispatcher
        self.clock = clock
        self.locks = UserLocks()

    def process(self, message: Message) -> list[Reply]:
        with self.locks.hold(message.user_key):
            try:
                return self._process_once(message)
            except IntegrityError:
                # Another process stored the same message first: answer as it did.
                with Session(self.engine) as session:
                    stored = find_inbound(session, message.dedupe_key)
                    if stored is not None:
                        return decode(stored.replies)
                log.exception("message %s failed", message.dedupe_key)
                return [Text(SORRY)]
            except Exception:
                log.exception("message %s failed; nothing was saved", message.dedupe_key)
                return [Text(SORRY)]

    def _process_once(self, message: Message) -> list[Reply]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            lock_key(session, message.user_key)
            stored = find_inbound(session, message.dedupe_key)
            if stored is not None:
                return decode(stored.replies)
            now = self.clock.now()
            inbound = InboundMessage(
                dedupe_key=message.dedupe_key,
                channel=message.channel,
                user_id=message.user_id,
                msg_type=message.event if message.kind == "event" else message.kind,
                text=message.text,
                raw=message.extra,
                received_at=now,
            )
            session.add(inbound)
            session.flush()
            replies = self.dispatcher.dispatch(session, message, now)
            inbound.replies = encode(replies)
            session.add(inbound)
        return replies
