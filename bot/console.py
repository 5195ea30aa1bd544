"""``hgj chat --as OPENID``: a terminal conversation through the very same pipeline and database."""

from __future__ import annotations

import itertools
import time
import uuid

from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.clock import Clock, SystemClock
from bot.message import Message, clean_text
from bot.pipeline import Pipeline
from bot.replies import Reply
from models.outbox import OutboxMessage
from models.people import Person, person_by_openid

BANNER = "红管家 控制台对话：以 {openid} 的身份发消息。输入内容回车发送；/quit 退出，/subscribe 模拟关注。"


class ConsoleChat:
    def __init__(
        self, *, engine: Engine, pipeline: Pipeline, openid: str, clock: Clock | None = None
    ) -> None:
        self.engine = engine
        self.pipeline = pipeline
        self.openid = openid
        self.clock = clock or SystemClock()
        self._counter = itertools.count(1)
        self._session_tag = uuid.uuid4().hex[:8]

    def _message(self, **fields: object) -> Message:
        base = {
            "channel": "mp",
            "user_id": self.openid,
            "create_time": int(self.clock.now().timestamp()),
        }
        return Message(**{**base, **fields})  # type: ignore[arg-type]

    def send(self, text: str) -> list[Reply]:
        msg_id = f"console-{self._session_tag}-{next(self._counter)}"
        return self.pipeline.process(self._message(kind="text", text=clean_text(text), msg_id=msg_id))

    def subscribe(self) -> list[Reply]:
        return self.pipeline.process(
            self._message(kind="event", event="subscribe", create_time=time.time_ns())
        )

    def is_new(self) -> bool:
        with Session(self.engine) as session:
            return person_by_openid(session, self.openid) is None

    def pushes_since(self, last_id: int) -> list[tuple[int, str, str]]:
        """Pushes queued for other people since ``last_id``: (id, recipient, text)."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(OutboxMessage, Person)
                .join(Person, col(OutboxMessage.person_id) == Person.id, isouter=True)
                .where(col(OutboxMessage.id) > last_id)
                .order_by(col(OutboxMessage.id))
            ).all()
        return [
            (m.id or 0, (p.name or p.openid or "?") if p else f"楼栋群#{m.building_id}", m.text)
            for m, p in rows
        ]

    def last_push_id(self) -> int:
        with Session(self.engine) as session:
            last = session.exec(select(OutboxMessage.id).order_by(col(OutboxMessage.id).desc())).first()
        return last or 0


def run(chat: ConsoleChat, console: Console | None = None) -> None:
    console = console or Console()
    console.print(BANNER.format(openid=chat.openid), style="dim")
    last = chat.last_push_id()
    if chat.is_new():
        _show(console, chat.subscribe())
    while True:
        try:
            text = console.input("[bold green]我[/]：").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if text in ("/quit", "/exit", "/q"):
            return
        if not text:
            continue
        replies = chat.subscribe() if text == "/subscribe" else chat.send(text)
        _show(console, replies)
        for push_id, recipient, body in chat.pushes_since(last):
            console.print(f"  [dim]↗ 推送给 {escape(recipient)}：{escape(body)}[/]", soft_wrap=True)
            last = push_id


def _show(console: Console, replies: list[Reply]) -> None:
    for reply in replies:
        console.print(f"[bold red]红管家[/]：{escape(reply.content)}", highlight=False, soft_wrap=True)
